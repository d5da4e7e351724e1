// One webhook's page: its status (enabled or disabled, and why), Enable/Disable, Send test event
// with the outcome, and its delivery log with Redeliver.
import { useCallback, useEffect, useState } from 'react';
import { RequestFailed, type Api, type Delivery, type Webhook } from './api.js';
import { DeliveryLog } from './DeliveryLog.js';
import { TestEventExample } from './catalog/TestEventExample.js';
import { coveredTypes, labelOf } from './events.js';
import { outcomeOf } from './format.js';

export function WebhookDetail(props: { api: Api; webhookId: string; onBack: () => void }) {
  const { api, webhookId } = props;
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [testType, setTestType] = useState('');
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState('');

  const reload = useCallback(async () => {
    try {
      const [w, log] = await Promise.all([api.getWebhook(webhookId), api.listDeliveries(webhookId)]);
      setWebhook(w);
      setDeliveries(log);
      setTestType((t) => t || (coveredTypes(w.events)[0] ?? 'booking.scheduled'));
    } catch (err) {
      setProblem(err instanceof RequestFailed ? err.error.message : 'Something went wrong. Try again.');
    }
  }, [api, webhookId]);
  useEffect(() => void reload(), [reload]);

  async function run(action: () => Promise<string>) {
    setProblem('');
    try {
      setNotice(await action());
    } catch (err) {
      setProblem(err instanceof RequestFailed ? err.error.message : 'Something went wrong. Try again.');
    }
    await reload();
  }

  if (webhook === null) {
    return (
      <main id="main">
        <p>{problem || 'Loading…'}</p>
      </main>
    );
  }

  const sendTest = () =>
    run(async () => {
      setNotice(`Sending a test ${testType} event…`);
      const outcome = await api.sendTest(webhook.id, testType);
      const attempt = outcome.delivery.attempts[0];
      const detail = attempt ? `${outcomeOf(attempt)}, ${attempt.duration_ms} ms` : 'no attempt';
      return `Test ${testType} event: ${outcome.success ? 'delivered' : 'failed'} (${detail}).`;
    });
  const toggleStatus = () =>
    run(async () => {
      const next = webhook.status === 'enabled' ? 'disabled' : 'enabled';
      await api.setStatus(webhook.id, next);
      return `The webhook is now ${next}.`;
    });
  const redeliver = (d: Delivery) =>
    run(async () => {
      await api.redeliver(d.event_id, webhook.id);
      return `Event ${d.event_id} was queued to be delivered again.`;
    });

  return (
    <main id="main">
      <button type="button" className="link" onClick={props.onBack}>
        ← APIs &amp; Webhooks
      </button>
      <h1 className="webhook-name">{webhook.name}</h1>
      <p className="webhook-url">{webhook.url}</p>
      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <section className="panel" aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <p className={`status ${webhook.status}`}>
          {webhook.status === 'enabled' ? 'Enabled' : `Disabled: ${webhook.disabled_reason ?? 'no reason given'}`}
        </p>
        <p className="hint">Events: {webhook.events.map(labelOf).join(', ')}</p>
        <div className="webhook-actions">
          <button type="button" className="secondary" onClick={() => void toggleStatus()}>
            {webhook.status === 'enabled' ? 'Disable' : 'Enable'}
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
          <button type="button" onClick={() => void sendTest()}>
            Send test event
          </button>
        </div>
        <TestEventExample type={testType} />
      </section>
      <section className="panel" aria-labelledby="log-heading">
        <div className="section-head">
          <h2 id="log-heading">Delivery log</h2>
          <button type="button" className="secondary" onClick={() => void reload()}>
            Refresh
          </button>
        </div>
        <DeliveryLog api={api} deliveries={deliveries} onRedeliver={(d) => void redeliver(d)} />
      </section>
    </main>
  );
}
