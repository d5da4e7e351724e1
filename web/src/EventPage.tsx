// One event's view (/integrations/apis/events/<id>): the envelope as it was sent, and its delivery
// to each webhook with every attempt, with Redeliver to one webhook or to all.
import { useCallback, useEffect, useState } from 'react';
import { ActionMessages, useActions } from './actions.js';
import { messageOf, type Api, type EventObject, type Webhook } from './api.js';
import { DeliveryItem } from './DeliveryItem.js';
import { labelOf } from './events.js';
import { when } from './format.js';
import { Crumbs } from './Integrations.js';
import { Link, useTitle } from './router.js';
import { paths } from './routes.js';

export function EventPage(props: { api: Api; eventId: string }) {
  const { api, eventId } = props;
  const [event, setEvent] = useState<EventObject | null>(null);
  const [names, setNames] = useState<Map<string, Webhook>>(new Map());
  const [missing, setMissing] = useState('');
  const { run, busy, outcome, problem } = useActions();
  useTitle(`Event ${eventId}`);

  const reload = useCallback(async () => {
    try {
      const [e, hooks] = await Promise.all([api.getEvent(eventId), api.listWebhooks()]);
      setEvent(e);
      setNames(new Map(hooks.map((w) => [w.id, w])));
    } catch (err) {
      setMissing(messageOf(err, 'read'));
    }
  }, [api, eventId]);
  useEffect(() => void reload(), [reload]);

  const trail = [{ label: 'Account Integrations', to: paths.integrations }, { label: 'APIs & Webhooks', to: paths.apis }, { label: `Event ${eventId}` }];
  if (event === null) {
    return (
      <>
        <Crumbs trail={trail} />
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

  const { deliveries = [], ...envelope } = event;
  const redeliver = (webhookId?: string) =>
    run('redeliver', async () => {
      const { requeued } = await api.redeliver(eventId, webhookId);
      await reload();
      return `Event ${eventId} was queued to be delivered again (${requeued} ${requeued === 1 ? 'delivery' : 'deliveries'}).`;
    });

  return (
    <>
      <Crumbs trail={trail} />
      <h1>
        {labelOf(event.type)} <span className="muted">{event.id}</span>
      </h1>
      <p className="hint">Created {when(event.creation_time)}</p>
      <ActionMessages outcome={outcome} problem={problem} />
      <section className="panel" aria-labelledby="deliveries-heading">
        <div className="section-head">
          <h2 id="deliveries-heading">Deliveries of this event</h2>
          {deliveries.length > 0 && (
            <button type="button" className="secondary" disabled={busy !== null} onClick={() => void redeliver()}>
              Redeliver to every enabled webhook
            </button>
          )}
        </div>
        {deliveries.length === 0 ? (
          <p>No webhook was subscribed to this event.</p>
        ) : (
          <ul className="deliveries" aria-label="Deliveries of this event">
            {deliveries.map((d) => {
              const hook = names.get(d.webhook_id);
              return (
                <DeliveryItem
                  key={d.id}
                  api={api}
                  delivery={d}
                  busy={busy !== null}
                  to={hook ? <Link to={paths.webhook(hook.id)}>{hook.name}</Link> : d.webhook_id}
                  onRedeliver={() => void redeliver(d.webhook_id)}
                />
              );
            })}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="envelope-heading">
        <h2 id="envelope-heading">Envelope as sent</h2>
        <p className="hint">Sent as compact JSON, signed over exactly those bytes; shown here indented.</p>
        <pre className="payload">{JSON.stringify(envelope, null, 2)}</pre>
      </section>
    </>
  );
}
