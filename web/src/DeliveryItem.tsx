// One delivery of the log: its state (succeeded, retrying, gave up, skipped; a test send marked so),
// every attempt with its outcome, duration, what followed and the receiver's answer, the whole
// signed envelope as sent, and Redeliver.
import { useState, type ReactNode } from 'react';
import type { Api, Delivery } from './api.js';
import { labelOf } from './events.js';
import { afterAttempt, deliveryState, outcomeOf, succeeded, when } from './format.js';
import { Link } from './router.js';
import { paths } from './routes.js';

export function DeliveryItem(props: { api: Api; delivery: Delivery; onRedeliver?: () => void; busy?: boolean; heading?: string; to?: ReactNode }) {
  const d = props.delivery;
  const [envelope, setEnvelope] = useState<string | null>(null);
  const label = `${labelOf(d.event_type ?? '')} ${d.event_id}`;
  const state = deliveryState(d);

  async function toggleEnvelope() {
    if (envelope !== null) return setEnvelope(null);
    const event = await props.api.getEvent(d.event_id).catch(() => null);
    if (!event) return setEnvelope('The event is no longer stored (finished events are kept for HOOKLINE_RETENTION_DAYS).');
    const { deliveries: _log, ...sent } = event; // the envelope as sent: everything but hookline's own list of deliveries
    setEnvelope(JSON.stringify(sent, null, 2));
  }

  return (
    <li className={`delivery ${state.tone}`} aria-label={label}>
      <div className="delivery-head">
        <h3>{props.heading ?? labelOf(d.event_type ?? 'unknown')}</h3>
        <span className={`state ${state.tone}`}>{state.label}</span>
        {d.test && <span className="tag">Test send</span>}
      </div>
      <p className="hint">
        {props.to && <>To {props.to} · </>}
        <Link to={paths.event(d.event_id)}>{d.event_id}</Link> · created {when(d.creation_time)}
        {d.next_attempt_time && !d.in_flight && ` · next attempt ${when(d.next_attempt_time)}`}
      </p>
      {d.attempts.length > 0 && (
        <table className="attempts">
          <caption className="sr-only">Attempts of {label}</caption>
          <thead>
            <tr>
              <th scope="col">Attempt</th>
              <th scope="col">Outcome</th>
              <th scope="col">Duration</th>
              <th scope="col">Then</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {d.attempts.map((a, i) => (
              <tr key={a.id} className={succeeded(a) ? 'ok' : 'failed'}>
                <td data-label="Attempt">{when(a.attempt_time)}</td>
                <td data-label="Outcome" title={a.error_message ?? undefined}>
                  {outcomeOf(a)}
                </td>
                <td data-label="Duration">{a.duration_ms} ms</td>
                <td data-label="Then">{afterAttempt(d, a, i === d.attempts.length - 1)}</td>
                <td data-label="Answer">
                  {a.response_excerpt ? (
                    <details>
                      <summary>Receiver's answer</summary>
                      <pre className="excerpt">{a.response_excerpt}</pre>
                    </details>
                  ) : (
                    (a.error_message ?? '—')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="webhook-actions">
        {props.onRedeliver && (
          <button type="button" className="secondary" disabled={props.busy} onClick={props.onRedeliver}>
            Redeliver
          </button>
        )}
        <button type="button" className="secondary" aria-expanded={envelope !== null} onClick={() => void toggleEnvelope()}>
          {envelope === null ? 'Show envelope' : 'Hide envelope'}
        </button>
      </div>
      {envelope !== null && (
        <pre className="payload" aria-label={`Envelope of ${d.event_id} as sent`}>
          {envelope}
        </pre>
      )}
    </li>
  );
}
