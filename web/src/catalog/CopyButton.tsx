// A button that copies a text to the clipboard and says so (or says to copy by hand).
import { useState } from 'react';

export function CopyButton(props: { text: string; label: string }) {
  const [said, setSaid] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.text);
      setSaid('Copied.');
    } catch {
      setSaid('The browser did not allow copying: select the text and copy it yourself.');
    }
  }
  return (
    <span className="copy">
      <button type="button" className="secondary" onClick={() => void copy()}>
        {props.label}
      </button>
      <span role="status" className="hint">
        {said}
      </span>
    </span>
  );
}
