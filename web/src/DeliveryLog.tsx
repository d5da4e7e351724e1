// A webhook's delivery log: each delivery with its state and every attempt (outcome, duration,
// next retry), Redeliver, and the event's payload shown as text on request.
import { useState } from 'react';
import type { Api, Delivery } from './api.js';
import { labelOf } from './events.js';
import { outcomeOf, when } from './format.js';

export function DeliveryLog(props: { api: Api; deliveries: Delivery[]; onRedeliver: (d: Delivery) => void }) {
  if (props.deliveries.length === 0) return <p>No deliveries yet.</p>;
  return (
    <ul className="deliveries" aria-label="Delivery log">
      {props.deliveries.map((d) => (
        <DeliveryItem key={d.id} api={props.api} delivery={d} onRedeliver={() => props.onRedeliver(d)} />
      ))}
    </ul>
  );
}

function DeliveryItem(props: { api: Api; delivery: Delivery; onRedeliver: () => void }) {
  const d = props.delivery;
  const [payload, setPayload] = useState<string | null>(null);
  const label = `${labelOf(d.event_type ?? '')} ${d.event_id}`;
  async function togglePayload() {
    if (payload !== null) return setPayload(null);
    const event = await props.api.getEvent(d.event_id).catch(() => null);
    setPayload(event ? JSON.stringify(event.data, null, 2) : 'The event is no longer stored.');
  }
  return (
    <li className="delivery" aria-label={label}>
      <div className="delivery-head">
        <h3>{labelOf(d.event_type ?? 'unknown')}</h3>
        <span className={`state ${d.state}`}>{d.state}</span>
      </div>
      <p className="hint">
        {d.event_id} · created {when(d.creation_time)}
        {d.next_attempt_time && ` · next attempt ${when(d.next_attempt_time)}`}
      </p>
      {d.attempts.length > 0 && (
        <table className="attempts">
          <caption className="sr-only">Attempts of {label}</caption>
          <thead>
            <tr>
              <th scope="col">Attempt</th>
              <th scope="col">Outcome</th>
              <th scope="col">Duration</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {d.attempts.map((a) => (
              <tr key={a.id}>
                <td>{when(a.attempt_time)}</td>
                <td>{outcomeOf(a)}</td>
                <td>{a.duration_ms} ms</td>
                <td>{when(a.next_retry_time) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="webhook-actions">
        <button type="button" className="secondary" onClick={props.onRedeliver}>
          Redeliver
        </button>
        <button type="button" className="secondary" aria-expanded={payload !== null} onClick={() => void togglePayload()}>
          {payload === null ? 'Show payload' : 'Hide payload'}
        </button>
      </div>
      {payload !== null && <pre className="payload">{payload}</pre>}
    </li>
  );
}
