// One webhook's view (/integrations/apis/webhooks/<id>): at the top, whether it is failing or
// disabled, why, and what to do; its actions (Edit, Rotate secret, View Secret, Disable/Enable,
// Recover failed since…, Send test event); charts of its last 24 hours or 7 days; and its delivery
// log. While open it reads itself again every few seconds (the page's own rate budget allows it).
import { TestEventExample } from './catalog/TestEventExample.js';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ActionMessages, useActions } from './actions.js';
import { messageOf, type Api, type Delivery, type Webhook, type WebhookSecret, type WebhookStats } from './api.js';
import { AttemptsChart, LatencyChart, StatsFigures } from './DeliveryChart.js';
import { DeliveryLog } from './DeliveryLog.js';
import { Dialog } from './Dialog.js';
import { coveredTypes, labelOf } from './events.js';
import { failingReason, testOutcome, when } from './format.js';
import { Crumbs } from './Integrations.js';
import { navigate, useTitle, withQuery } from './router.js';
import { paths } from './routes.js';
import { SecretView, webhookSecretFields } from './SecretView.js';
import { WebhookForm } from './WebhookForm.js';

/** How often an open webhook view reads its state and newest deliveries again; its figures, every STATS_EVERY times that. */
export const LIVE_MS = 5000;
const STATS_EVERY = 6;

type Open = { kind: 'edit' } | { kind: 'secret'; secret: WebhookSecret; rotated: boolean } | { kind: 'rotate' } | { kind: 'recover' } | null;

export function WebhookPage(props: { api: Api; webhookId: string; query: URLSearchParams }) {
  const { api, webhookId, query } = props;
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [stats, setStats] = useState<WebhookStats | null>(null);
  const [missing, setMissing] = useState('');
  const [testType, setTestType] = useState('');
  const [refreshKey, setRefreshKey] = useState(0);
  const [open, setOpen] = useState<Open>(null);
  const { run, busy, outcome, problem, setProblem } = useActions();
  const range = query.get('range') === '7d' ? '7d' : '24h';
  const path = paths.webhook(webhookId);
  const reading = useRef(false);
  useTitle(webhook?.name ?? 'Webhook');

  /** Reads the webhook and (unless told otherwise) its figures and the delivery log again. */
  const reload = useCallback(async (alsoLog = true, alsoStats = true) => {
    reading.current = true;
    try {
      const [w, s] = await Promise.all([api.getWebhook(webhookId), alsoStats ? api.stats(webhookId, range) : undefined]);
      setWebhook(w);
      if (s) setStats(s);
      setTestType((t) => t || (coveredTypes(w.events)[0] ?? 'booking.scheduled'));
    } catch (err) {
      if (webhook === null) setMissing(messageOf(err, 'read'));
      else setProblem(messageOf(err, 'read'));
    } finally {
      reading.current = false;
    }
    if (alsoLog) setRefreshKey((k) => k + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, webhookId, range]);
  useEffect(() => void reload(false), [reload]); // the log reads itself when shown

  // Live updates: read again every LIVE_MS while the tab is visible (and the last read has answered);
  // the figures, which cost the database more (a range of attempts), less often.
  useEffect(() => {
    let ticks = 0;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && !reading.current) void reload(true, ++ticks % STATS_EVERY === 0);
    }, LIVE_MS);
    return () => clearInterval(timer);
  }, [reload]);

  if (webhook === null) {
    return (
      <>
        <Crumbs trail={[{ label: 'Account Integrations', to: paths.integrations }, { label: 'APIs & Webhooks', to: paths.apis }, { label: 'Webhook' }]} />
        {missing ? (
          <p className="error" role="alert">
            {missing}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </>
    );
  }

  const act = (name: string, action: () => Promise<string | { text: string; tone: 'success' | 'failure' }>) =>
    run(name, async () => {
      const result = await action();
      await reload();
      return result;
    });
  const target = webhook.status === 'enabled' ? 'disabled' : 'enabled';
  const toggleStatus = () =>
    act('status', async () => {
      setWebhook(await api.updateWebhook(webhook.id, { status: target }));
      return `The webhook is now ${target}.`;
    });
  const sendTest = () => act('test', async () => testOutcome(testType, '', await api.sendTest(webhook.id, testType)));
  const redeliver = (d: Delivery) =>
    act('redeliver', async () => {
      await api.redeliver(d.event_id, webhook.id);
      return `Event ${d.event_id} was queued to be delivered again.`;
    });
  const viewSecret = () => run('secret', async () => setOpen({ kind: 'secret', secret: await api.viewSecret(webhook.id), rotated: false }));
  const rotate = () => run('rotate', async () => setOpen({ kind: 'secret', secret: await api.rotateSecret(webhook.id), rotated: true }));

  const summary = stats?.summary;
  const failing = webhook.status === 'enabled' && summary?.condition === 'failing';
  const disabled = webhook.status === 'disabled';

  return (
    <>
      <Crumbs trail={[{ label: 'Account Integrations', to: paths.integrations }, { label: 'APIs & Webhooks', to: paths.apis }, { label: webhook.name }]} />
      <h1 className="webhook-name">{webhook.name}</h1>
      <p className="webhook-url">{webhook.url}</p>
      {disabled && (
        <section className="banner failure" aria-labelledby="condition-heading">
          <h2 id="condition-heading">This webhook is disabled</h2>
          <p>Reason: {webhook.disabled_reason ?? 'no reason given'}{webhook.disabled_time && ` (${when(webhook.disabled_time)})`}</p>
          <p>
            What to do: make sure {webhook.url} answers 2xx, then choose Enable. Events meanwhile were skipped: Recover failed since… sends them (and what
            failed) again.
          </p>
        </section>
      )}
      {failing && summary && (
        <section className="banner failure" aria-labelledby="condition-heading">
          <h2 id="condition-heading">Deliveries to this webhook are failing</h2>
          <p>{failingReason(summary).replace(/^./, (c) => c.toUpperCase())}.</p>
          <p>
            What to do: check that {webhook.url} is reachable and answers 2xx quickly (the receiver's answer is in the log below). hookline keeps retrying
            for about 3 days, then disables the webhook; once fixed, Redeliver or Recover failed since… sends the failed ones again.
          </p>
        </section>
      )}
      <ActionMessages outcome={outcome} problem={problem} />

      <section className="panel" aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <p className={`status ${webhook.status}`}>{webhook.status === 'enabled' ? 'Enabled' : `Disabled: ${webhook.disabled_reason ?? 'no reason given'}`}</p>
        <p className="hint">Events: {webhook.events.map(labelOf).join(', ')}</p>
        <div className="webhook-actions">
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void toggleStatus()}>
            {webhook.status === 'enabled' ? 'Disable' : 'Enable'}
          </button>
          <button type="button" className="secondary" onClick={() => setOpen({ kind: 'edit' })}>
            Edit
          </button>
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void viewSecret()}>
            View Secret
          </button>
          <button type="button" className="secondary" onClick={() => setOpen({ kind: 'rotate' })}>
            Rotate secret
          </button>
          <button type="button" className="secondary" onClick={() => setOpen({ kind: 'recover' })}>
            Recover failed since…
          </button>
        </div>
        <div className="test-row">
          <label htmlFor="test-type">Test event type</label>
          <select id="test-type" value={testType} onChange={(e) => setTestType(e.target.value)}>
            {coveredTypes(webhook.events).map((t) => (
              <option key={t} value={t}>
                {labelOf(t)}
              </option>
            ))}
          </select>
          <button type="button" disabled={busy !== null} onClick={() => void sendTest()}>
            Send test event
          </button>
        </div>
        <TestEventExample type={testType} />
      </section>

      <section className="panel" aria-labelledby="chart-heading">
        <div className="section-head">
          <h2 id="chart-heading">Deliveries over time</h2>
          <div className="toggle" role="group" aria-label="Range">
            {(['24h', '7d'] as const).map((r) => (
              <button
                key={r}
                type="button"
                className="secondary"
                aria-pressed={range === r}
                onClick={() => navigate(withQuery(path, { ...Object.fromEntries(query.entries()), range: r === '24h' ? undefined : r }), { replace: true })}
              >
                {r === '24h' ? 'Last 24 hours' : 'Last 7 days'}
              </button>
            ))}
          </div>
        </div>
        {stats && stats.range === range ? (
          <>
            <StatsFigures stats={stats} />
            <h3 className="chart-title">Attempts: succeeded and failed</h3>
            <div className="legend" aria-hidden="true">
              <span className="key ok">succeeded</span> <span className="key failed">failed</span>
            </div>
            <AttemptsChart stats={stats} />
            <h3 className="chart-title">Attempt latency</h3>
            <div className="legend" aria-hidden="true">
              <span className="key p50">p50</span> <span className="key p95">p95</span>
            </div>
            <LatencyChart stats={stats} />
          </>
        ) : (
          <p>Loading…</p>
        )}
      </section>

      <section className="panel" aria-labelledby="log-heading">
        <div className="section-head">
          <h2 id="log-heading">Delivery log</h2>
          <button type="button" className="secondary" onClick={() => void reload()}>
            Refresh
          </button>
        </div>
        <DeliveryLog api={api} webhookId={webhookId} path={path} query={query} refreshKey={refreshKey} busy={busy !== null} onRedeliver={(d) => void redeliver(d)} />
      </section>

      {open?.kind === 'edit' && (
        <WebhookForm
          api={api}
          existing={[]}
          editing={webhook}
          onSaved={(w) => {
            setWebhook(w);
            void reload();
          }}
          onClose={() => setOpen(null)}
        />
      )}
      {(open?.kind === 'rotate' || open?.kind === 'secret') && (
        <Dialog
          title={open.kind === 'rotate' ? 'Rotate secret' : open.rotated ? 'New webhook secret' : 'Webhook Secret'}
          role={open.kind === 'rotate' ? 'alertdialog' : 'dialog'}
          step={open.kind}
          onClose={() => setOpen(null)}
        >
          {open.kind === 'rotate' ? (
            <>
              <p>
                Issue a new signing secret for <strong>{webhook.name}</strong>? The new secret signs from now on; the current one keeps signing beside it
                for a while (the overlap), so you can update your receiver without losing a delivery.
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
                <button type="button" disabled={busy !== null} onClick={() => void rotate()}>
                  Rotate secret
                </button>
              </div>
            </>
          ) : (
            <SecretView
              fields={webhookSecretFields(open.secret.secret, open.secret.standard_webhooks_secret)}
              onDone={() => setOpen(null)}
              intro={open.rotated ? 'The new signing secret. Give it to your receiver now.' : `The signing secret of ${webhook.name}.`}
              {...(open.secret.previous_secret_expires_time && {
                note: `The previous secret also signs until ${when(open.secret.previous_secret_expires_time)}; after that only this one does.`,
              })}
            />
          )}
        </Dialog>
      )}
      {open?.kind === 'recover' && (
        <RecoverDialog
          onClose={() => setOpen(null)}
          busy={busy !== null}
          problem={problem}
          onRecover={(since) =>
            void act('recover', async () => {
              const { requeued } = await api.recover(webhook.id, since);
              setOpen(null);
              return `${requeued} failed or skipped ${requeued === 1 ? 'delivery was' : 'deliveries were'} queued to be sent again.`;
            })
          }
        />
      )}
    </>
  );
}

function RecoverDialog(props: { onClose: () => void; onRecover: (sinceIso: string) => void; busy: boolean; problem: string }) {
  const dayAgo = new Date(Date.now() - 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const initial = `${dayAgo.getFullYear()}-${pad(dayAgo.getMonth() + 1)}-${pad(dayAgo.getDate())}T${pad(dayAgo.getHours())}:${pad(dayAgo.getMinutes())}`;
  const [since, setSince] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  function submit(e: FormEvent) {
    e.preventDefault();
    const at = new Date(since);
    if (!since || Number.isNaN(at.getTime())) return setError('Enter the date and time to recover from.');
    setError(undefined);
    props.onRecover(at.toISOString());
  }
  return (
    <Dialog title="Recover failed deliveries" onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <p>Send again every delivery of this webhook that failed or was skipped since a time. The webhook must be enabled.</p>
        <label htmlFor="recover-since">Failed or skipped since</label>
        <input
          id="recover-since"
          type="datetime-local"
          data-autofocus
          value={since}
          onChange={(e) => setSince(e.target.value)}
          aria-invalid={error !== undefined}
          aria-describedby={error ? 'recover-since-error' : undefined}
        />
        <p id="recover-since-error" className="error" role={error ? 'alert' : undefined}>
          {error ?? ''}
        </p>
        {props.problem && (
          <p className="error" role="alert">
            {props.problem}
          </p>
        )}
        <div className="actions">
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={props.busy}>
            Recover
          </button>
        </div>
      </form>
    </Dialog>
  );
}
