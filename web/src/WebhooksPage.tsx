// The "APIs & Webhooks" view: API keys, then the Webhooks section listing the account's webhooks
// (each with how it is doing: its last day's success rate, failing or disabled and why), with
// Create Webhook, and per webhook Edit, View Secret, Send test event and Delete, each button named
// for its webhook.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ActionMessages, useActions } from './actions.js';
import { ApiKeysSection } from './ApiKeysSection.js';
import { messageOf, type Api, type Webhook, type WebhookSecret, type WebhookSummary } from './api.js';
import { Dialog } from './Dialog.js';
import { labelOf, sampleType } from './events.js';
import { conditionLine, testOutcome } from './format.js';
import { Crumbs } from './Integrations.js';
import { Link, useTitle } from './router.js';
import { paths } from './routes.js';
import { SecretView, webhookSecretFields } from './SecretView.js';
import { WebhookForm } from './WebhookForm.js';

type Open =
  | { kind: 'create' }
  | { kind: 'edit'; webhook: Webhook }
  | { kind: 'secret'; webhook: Webhook; secret: WebhookSecret }
  | { kind: 'delete'; webhook: Webhook }
  | null;

export function WebhooksPage(props: { api: Api }) {
  const { api } = props;
  useTitle('APIs & Webhooks');
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [summaries, setSummaries] = useState<Map<string, WebhookSummary>>(new Map());
  const [open, setOpen] = useState<Open>(null);
  const { run, busy, outcome, problem, setProblem } = useActions();
  const heading = useRef<HTMLHeadingElement>(null);

  const reload = useCallback(async () => {
    try {
      const [list, figures] = await Promise.all([api.listWebhooks(), api.listSummaries()]);
      setWebhooks(list);
      setSummaries(new Map(figures.map((s) => [s.webhook_id, s])));
    } catch (err) {
      setProblem(messageOf(err, 'read'));
    }
  }, [api, setProblem]);
  useEffect(() => void reload(), [reload]);

  const viewSecret = (webhook: Webhook) => run('secret', async () => setOpen({ kind: 'secret', webhook, secret: await api.viewSecret(webhook.id) }));
  const sendTest = (webhook: Webhook) =>
    run('test', async () => {
      const type = sampleType(webhook.events);
      const result = testOutcome(type, ` to ${webhook.name}`, await api.sendTest(webhook.id, type));
      void reload();
      return result;
    });
  const remove = (webhook: Webhook) =>
    run('delete', async () => {
      await api.deleteWebhook(webhook.id);
      setOpen(null);
      await reload();
      heading.current?.focus();
      return `Webhook ${webhook.name} was deleted.`;
    });

  return (
    <>
      <Crumbs trail={[{ label: 'Account Integrations', to: paths.integrations }, { label: 'APIs & Webhooks' }]} />
      <h1>APIs &amp; Webhooks</h1>
      <ApiKeysSection api={api} />
      <section aria-labelledby="webhooks-heading" className="panel">
        <div className="section-head">
          <h2 id="webhooks-heading" ref={heading} tabIndex={-1}>
            Webhooks
          </h2>
          <button type="button" onClick={() => setOpen({ kind: 'create' })}>
            Create Webhook
          </button>
        </div>
        <p className="hint">Webhooks send a signed POST request to your URL when a booking or conversation event occurs.</p>
        <ActionMessages outcome={outcome} problem={problem} />
        {webhooks === null ? (
          <p>Loading…</p>
        ) : webhooks.length === 0 ? (
          <p>No webhooks yet. Create one to start receiving events.</p>
        ) : (
          <ul className="webhooks" aria-label="Webhooks list">
            {webhooks.map((w) => {
              const line = conditionLine(w, summaries.get(w.id));
              return (
                <li key={w.id} className="webhook">
                  <div className="webhook-main">
                    <h3 className="webhook-name">
                      <Link to={paths.webhook(w.id)} className="name-link">
                        {w.name}
                      </Link>
                    </h3>
                    <p className="webhook-url">{w.url}</p>
                    <p className="hint">{w.events.map(labelOf).join(', ')}</p>
                    <p className={`status ${line.tone}`}>{line.text}</p>
                  </div>
                  <div className="webhook-actions" role="group" aria-label={`Actions for ${w.name}`}>
                    <button type="button" className="secondary" aria-label={`Edit ${w.name}`} onClick={() => setOpen({ kind: 'edit', webhook: w })}>
                      Edit
                    </button>
                    <button type="button" className="secondary" aria-label={`View Secret ${w.name}`} disabled={busy !== null} onClick={() => void viewSecret(w)}>
                      View Secret
                    </button>
                    <button type="button" className="secondary" aria-label={`Send test event ${w.name}`} disabled={busy !== null} onClick={() => void sendTest(w)}>
                      Send test event
                    </button>
                    <button type="button" className="danger" aria-label={`Delete ${w.name}`} onClick={() => setOpen({ kind: 'delete', webhook: w })}>
                      Delete
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {(open?.kind === 'create' || open?.kind === 'edit') && (
        <WebhookForm
          api={api}
          existing={webhooks ?? []}
          {...(open.kind === 'edit' && { editing: open.webhook })}
          onSaved={() => void reload()}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'secret' && (
        <Dialog title="Webhook Secret" onClose={() => setOpen(null)}>
          <SecretView
            fields={webhookSecretFields(open.secret.secret, open.secret.standard_webhooks_secret)}
            onDone={() => setOpen(null)}
            intro={`The signing secret of ${open.webhook.name}.`}
            {...(open.secret.previous_secret_expires_time && { note: `After a rotation, the previous secret also signs until ${new Date(open.secret.previous_secret_expires_time).toLocaleString()}.` })}
          />
        </Dialog>
      )}
      {open?.kind === 'delete' && (
        <Dialog title="Delete webhook" role="alertdialog" onClose={() => setOpen(null)}>
          <p>
            Delete the webhook <strong>{open.webhook.name}</strong>? This permanently removes the webhook subscription: it stops
            receiving events, and this cannot be undone.
          </p>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <div className="actions">
            <button type="button" className="secondary" data-autofocus onClick={() => setOpen(null)}>
              Cancel
            </button>
            <button type="button" className="danger" disabled={busy !== null} onClick={() => void remove(open.webhook)}>
              Delete permanently
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
