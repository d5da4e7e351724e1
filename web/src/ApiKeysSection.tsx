// The APIs part of the page: create an API key (shown once, with Copy & close), list keys by label
// and last use, revoke one after a confirmation.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { messageOf, type Api, type ApiKey } from './api.js';
import { Dialog } from './Dialog.js';
import { FieldError } from './FieldError.js';
import { when } from './format.js';
import { SecretView } from './SecretView.js';

type Open = { kind: 'create' } | { kind: 'created'; key: string } | { kind: 'revoke'; key: ApiKey } | null;

export function ApiKeysSection(props: { api: Api }) {
  const { api } = props;
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [label, setLabel] = useState('');
  const [labelError, setLabelError] = useState<string | undefined>();
  const [problem, setProblem] = useState('');

  const reload = useCallback(async () => {
    try {
      setKeys(await api.listApiKeys());
    } catch (err) {
      setProblem(messageOf(err, 'read'));
    }
  }, [api]);
  useEffect(() => void reload(), [reload]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!/[\p{L}\p{N}]/u.test(label)) return setLabelError('Enter a label with at least one letter or digit.');
    try {
      const created = await api.createApiKey(label.trim());
      setOpen({ kind: 'created', key: created.key });
      setLabel('');
      await reload();
    } catch (err) {
      setLabelError(messageOf(err));
    }
  }

  async function revoke(key: ApiKey) {
    setProblem('');
    try {
      await api.revokeApiKey(key.id);
    } catch (err) {
      setProblem(messageOf(err));
    }
    setOpen(null);
    await reload();
  }

  return (
    <section aria-labelledby="api-keys-heading" className="panel">
      <div className="section-head">
        <h2 id="api-keys-heading">API keys</h2>
        <button type="button" onClick={() => (setLabelError(undefined), setOpen({ kind: 'create' }))}>
          Create API key
        </button>
      </div>
      <p className="hint">Your systems call the hookline API with a key in the API-Key header.</p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {keys === null ? (
        <p>Loading…</p>
      ) : (
        <ul className="webhooks" aria-label="API keys list">
          {keys.map((k) => (
            <li key={k.id} className="webhook">
              <div className="webhook-main">
                <h3 className="webhook-name">{k.label}</h3>
                <p className="webhook-url">{k.hint}</p>
                <p className="hint">
                  Created {when(k.creation_time)} · {k.last_used_time ? `Last used ${when(k.last_used_time)}` : 'Never used'}
                </p>
                {k.revoked_time && <p className="status disabled">Revoked {when(k.revoked_time)}</p>}
              </div>
              {!k.revoked_time && (
                <div className="webhook-actions">
                  <button type="button" className="danger" aria-label={`Revoke ${k.label}`} onClick={() => setOpen({ kind: 'revoke', key: k })}>
                    Revoke
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {(open?.kind === 'create' || open?.kind === 'created') && (
        <Dialog title={open.kind === 'create' ? 'Create API key' : 'API key'} onClose={() => setOpen(null)} step={open.kind}>
          {open.kind === 'created' ? (
            <SecretView fields={[{ label: 'API key', value: open.key }]} onDone={() => setOpen(null)} intro="Copy this key now: it is shown only this once." />
          ) : (
          <form onSubmit={create} noValidate>
            <label htmlFor="api-key-label">Label</label>
            <input
              id="api-key-label"
              data-autofocus
              maxLength={100}
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              aria-invalid={labelError !== undefined}
              aria-describedby={labelError ? 'api-key-label-error' : undefined}
            />
            <FieldError id="api-key-label-error" message={labelError} />
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setOpen(null)}>
                Cancel
              </button>
              <button type="submit">Create</button>
            </div>
          </form>
          )}
        </Dialog>
      )}
      {open?.kind === 'revoke' && (
        <Dialog title="Revoke API key" role="alertdialog" onClose={() => setOpen(null)}>
          <p>
            Revoke the API key <strong>{open.key.label}</strong>? Requests made with it are refused from now on; this cannot be undone.
          </p>
          <div className="actions">
            <button type="button" className="secondary" data-autofocus onClick={() => setOpen(null)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void revoke(open.key)}>
              Revoke permanently
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
