// A webhook secret in a read-only field, with "Copy & close" copying it to the clipboard.
import { useState } from 'react';

export function SecretView(props: { secret: string; intro: string; onDone: () => void; label?: string }) {
  const label = props.label ?? 'Webhook Secret';
  const [problem, setProblem] = useState('');
  async function copyAndClose() {
    try {
      await navigator.clipboard.writeText(props.secret);
      props.onDone();
    } catch {
      setProblem('The browser did not allow copying: select the secret and copy it yourself.');
    }
  }
  return (
    <>
      <p>{props.intro}</p>
      <label htmlFor="shown-secret">{label}</label>
      <input id="shown-secret" className="secret" readOnly value={props.secret} onFocus={(e) => e.target.select()} />
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" data-autofocus onClick={copyAndClose}>
          Copy &amp; close
        </button>
      </div>
    </>
  );
}
