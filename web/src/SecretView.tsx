// A secret (or key, or link) shown in read-only fields that wrap, so the whole value is visible on
// a phone. "Copy & close" copies the first one; each further field has its own Copy button. Where
// the browser refuses the clipboard (a page served over plain http), the page says so, selects the
// text for copying by hand, and offers Close.
import { useEffect, useId, useRef, useState } from 'react';

export interface SecretField {
  label: string;
  value: string;
  hint?: string;
}

export function SecretView(props: { fields: SecretField[]; intro: string; onDone: () => void; note?: string }) {
  const [problem, setProblem] = useState('');
  const [copied, setCopied] = useState('');
  const base = useId();
  const first = useRef<HTMLTextAreaElement>(null);
  const box = useRef<HTMLDivElement>(null);

  // Each field as tall as its wrapped text, whatever the width: the whole value is always in view.
  useEffect(() => {
    const fit = () => {
      for (const area of box.current?.querySelectorAll('textarea') ?? []) {
        area.style.height = 'auto';
        area.style.height = `${area.scrollHeight + 2}px`;
      }
    };
    fit();
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  }, [props.fields]);

  async function copy(value: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(value);
      return true;
    } catch {
      setProblem('The browser did not allow copying (it allows it only on https:// pages and on localhost): the text is selected, copy it yourself (Ctrl+C or ⌘C), then choose Close.');
      first.current?.focus();
      first.current?.select();
      return false;
    }
  }

  return (
    <div ref={box}>
      <p>{props.intro}</p>
      {props.fields.map((f, i) => {
        const id = `${base}-${i}`;
        return (
          <div key={f.label} className="secret-field">
            <label htmlFor={id}>{f.label}</label>
            <textarea
              id={id}
              ref={i === 0 ? first : undefined}
              className="secret"
              readOnly
              rows={1}
              spellCheck={false}
              value={f.value}
              onFocus={(e) => e.target.select()}
              aria-describedby={f.hint ? `${id}-hint` : undefined}
            />
            {f.hint && (
              <p className="hint" id={`${id}-hint`}>
                {f.hint}
              </p>
            )}
            {i > 0 && (
              <button type="button" className="secondary small" onClick={() => void copy(f.value).then((ok) => ok && setCopied(f.label))}>
                Copy {f.label}
              </button>
            )}
          </div>
        );
      })}
      {props.note && <p className="hint">{props.note}</p>}
      <p className="notice" role="status">
        {copied && `${copied} copied.`}
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        {problem && (
          <button type="button" className="secondary" onClick={props.onDone}>
            Close
          </button>
        )}
        <button type="button" data-autofocus onClick={() => void copy(props.fields[0]!.value).then((ok) => ok && props.onDone())}>
          Copy &amp; close
        </button>
      </div>
    </div>
  );
}

/** A webhook secret in both forms: OnceHub's (the HMAC key as text) and Standard Webhooks' (whsec_ + base64). */
export function webhookSecretFields(secret: string, standard?: string): SecretField[] {
  return [
    { label: 'Webhook Secret', value: secret, hint: 'Verifies the Oncehub-Signature header (HMAC-SHA256 keyed with this text).' },
    {
      label: 'Standard Webhooks form',
      value: standard ?? `whsec_${btoa(secret)}`,
      hint: 'The same key for the standardwebhooks and svix libraries, which verify the webhook-signature header.',
    },
  ];
}
