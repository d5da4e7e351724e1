// The "APIs & Webhooks" page: the Webhooks section lists the account's webhooks, with
// Create Webhook, and per webhook View Secret, Send test event and Delete.
import { useCallback, useEffect, useState } from 'react';
import { ApiKeysSection } from './ApiKeysSection.js';
import { RequestFailed, type Api, type Webhook } from './api.js';
import { CreateWebhookDialog } from './CreateWebhookDialog.js';
import { Dialog } from './Dialog.js';
import { labelOf, sampleType } from './events.js';
import { SecretView } from './SecretView.js';
import { WebhookDetail } from './WebhookDetail.js';

type Open = { kind: 'create' } | { kind: 'secret'; webhook: Webhook; secret: string } | { kind: 'delete'; webhook: Webhook } | null;

export function WebhooksPage(props: { api: Api }) {
  const { api } = props;
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState('');
  const [selected, setSelected] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setWebhooks(await api.listWebhooks());
    } catch (err) {
      setProblem(messageOf(err));
    }
  }, [api]);
  useEffect(() => void reload(), [reload]);

  async function run(action: () => Promise<void>) {
    setProblem('');
    setNotice('');
    try {
      await action();
    } catch (err) {
      setProblem(messageOf(err));
    }
  }

  const viewSecret = (webhook: Webhook) => run(async () => setOpen({ kind: 'secret', webhook, secret: (await api.viewSecret(webhook.id)).secret }));
  const sendTest = (webhook: Webhook) =>
    run(async () => {
      const type = sampleType(webhook.events);
      setNotice(`Sending a test ${type} event to ${webhook.name}…`);
      const outcome = await api.sendTest(webhook.id, type);
      const attempt = outcome.delivery.attempts[0];
      const detail = attempt ? (attempt.status_code !== null ? `HTTP ${attempt.status_code}` : (attempt.error_message ?? 'no answer')) : 'no attempt';
      setNotice(`Test ${type} event to ${webhook.name}: ${outcome.success ? 'delivered' : 'failed'} (${detail}${attempt ? `, ${attempt.duration_ms} ms` : ''}).`);
    });
  const remove = (webhook: Webhook) =>
    run(async () => {
      await api.deleteWebhook(webhook.id);
      setOpen(null);
      setNotice(`Webhook ${webhook.name} was deleted.`);
      await reload();
    });

  if (selected !== null) {
    return (
      <WebhookDetail
        api={api}
        webhookId={selected}
        onBack={() => {
          setSelected(null);
          void reload();
        }}
      />
    );
  }

  return (
    <main id="main">
      <h1>APIs &amp; Webhooks</h1>
      <ApiKeysSection api={api} />
      <section aria-labelledby="webhooks-heading" className="panel">
        <div className="section-head">
          <h2 id="webhooks-heading">Webhooks</h2>
          <button type="button" onClick={() => setOpen({ kind: 'create' })}>
            Create Webhook
          </button>
        </div>
        <p className="hint">Webhooks send a signed POST request to your URL when a booking or conversation event occurs.</p>
        <p className="notice" role="status" aria-live="polite">
          {notice}
        </p>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {webhooks === null ? (
          <p>Loading…</p>
        ) : webhooks.length === 0 ? (
          <p>No webhooks yet. Create one to start receiving events.</p>
        ) : (
          <ul className="webhooks" aria-label="Webhooks list">
            {webhooks.map((w) => (
              <li key={w.id} className="webhook">
                <div className="webhook-main">
                  <h3 className="webhook-name">
                    <button type="button" className="name-link" onClick={() => setSelected(w.id)}>
                      {w.name}
                    </button>
                  </h3>
                  <p className="webhook-url">{w.url}</p>
                  <p className="hint">{w.events.map(labelOf).join(', ')}</p>
                  <p className={`status ${w.status}`}>
                    {w.status === 'enabled' ? 'Enabled' : `Disabled${w.disabled_reason ? `: ${w.disabled_reason}` : ''}`}
                  </p>
                </div>
                <div className="webhook-actions" role="group" aria-label={`Actions for ${w.name}`}>
                  <button type="button" className="secondary" onClick={() => void viewSecret(w)}>
                    View Secret
                  </button>
                  <button type="button" className="secondary" onClick={() => void sendTest(w)}>
                    Send test event
                  </button>
                  <button type="button" className="danger" onClick={() => setOpen({ kind: 'delete', webhook: w })}>
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      {open?.kind === 'create' && <CreateWebhookDialog api={api} existing={webhooks ?? []} onCreated={() => void reload()} onClose={() => setOpen(null)} />}
      {open?.kind === 'secret' && (
        <Dialog title="Webhook Secret" onClose={() => setOpen(null)}>
          <SecretView secret={open.secret} onDone={() => setOpen(null)} intro={`The signing secret of ${open.webhook.name}.`} />
        </Dialog>
      )}
      {open?.kind === 'delete' && (
        <Dialog title="Delete webhook" role="alertdialog" onClose={() => setOpen(null)}>
          <p>
            Delete the webhook <strong>{open.webhook.name}</strong>? This permanently removes the webhook subscription: it stops
            receiving events, and this cannot be undone.
          </p>
          <div className="actions">
            <button type="button" className="secondary" data-autofocus onClick={() => setOpen(null)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void remove(open.webhook)}>
              Delete permanently
            </button>
          </div>
        </Dialog>
      )}
    </main>
  );
}

function messageOf(err: unknown): string {
  return err instanceof RequestFailed ? err.error.message : 'Something went wrong. Try again.';
}
