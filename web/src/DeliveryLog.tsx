// A webhook's delivery log: filters (outcome, event type, creation time), paging through all of it
// (Newer/Older, 10 at a time), and, on the first page, live updates while the view is open. The
// filters and the page are in the address (?state=…&event_type=…&since=…&until=…&after=…), so
// reload, Back and shared links show the same deliveries.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { messageOf, type Api, type Delivery, type DeliveryQuery } from './api.js';
import { DeliveryItem } from './DeliveryItem.js';
import { EVENT_GROUPS } from './events.js';
import { navigate, withQuery } from './router.js';

export const PAGE_SIZE = 10;
const FILTERS = ['state', 'event_type', 'since', 'until'] as const;
const OUTCOMES = [
  ['', 'Any outcome'],
  ['succeeded', 'Succeeded'],
  ['failed', 'Failed (gave up)'],
  ['pending', 'Retrying or queued'],
  ['skipped', 'Skipped (webhook disabled)'],
] as const;

/** datetime-local values are the browser's local time; the API takes ISO 8601. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : '');
const toLocal = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

export function DeliveryLog(props: {
  api: Api;
  webhookId: string;
  path: string;
  query: URLSearchParams;
  /** Changes when the log should be read again (a poll, an action). */
  refreshKey: number;
  onRedeliver: (d: Delivery) => void;
  busy: boolean;
}) {
  const { api, webhookId, query } = props;
  const [page, setPage] = useState<{ data: Delivery[]; has_more: boolean } | null>(null);
  const [problem, setProblem] = useState('');
  const [readAt, setReadAt] = useState<Date | null>(null);
  const asked = useRef(0);

  const filter: DeliveryQuery = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? undefined]));
  const cursor = { after: query.get('after') ?? undefined, before: query.get('before') ?? undefined };
  const key = JSON.stringify([webhookId, filter, cursor]);

  useEffect(() => {
    const mine = ++asked.current;
    api.listDeliveries(webhookId, { ...filter, ...cursor, limit: PAGE_SIZE }).then(
      (p) => {
        if (mine !== asked.current) return; // a later read (other filters) answered first
        setPage(p);
        setProblem('');
        setReadAt(new Date());
      },
      (err) => mine === asked.current && setProblem(messageOf(err, 'read')),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, props.refreshKey]);

  /** Moves to other filters or another page, keeping the rest of the address (the chart's range). */
  const go = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = Object.fromEntries(query.entries());
    navigate(withQuery(props.path, { ...next, after: undefined, before: undefined, ...changes }));
  };

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    go({
      state: String(form.get('state') ?? ''),
      event_type: String(form.get('event_type') ?? ''),
      since: toIso(String(form.get('since') ?? '')),
      until: toIso(String(form.get('until') ?? '')),
    });
  }

  const filtered = FILTERS.some((f) => query.get(f));
  const first = page?.data[0];
  const last = page?.data[page.data.length - 1];
  const isFirstPage = !cursor.after && !cursor.before;
  const hasOlder = cursor.before ? true : (page?.has_more ?? false);
  const hasNewer = cursor.after ? true : cursor.before ? (page?.has_more ?? false) : false;

  return (
    <>
      <form className="filters" onSubmit={apply} key={key} aria-label="Filter deliveries">
        <div>
          <label htmlFor="filter-state">Outcome</label>
          <select id="filter-state" name="state" defaultValue={filter.state ?? ''}>
            {OUTCOMES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-type">Event type</label>
          <select id="filter-type" name="event_type" defaultValue={filter.event_type ?? ''}>
            <option value="">Any event type</option>
            {EVENT_GROUPS.flatMap((g) => g.events).map((ev) => (
              <option key={ev.type} value={ev.type}>
                {ev.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-since">Created from</label>
          <input id="filter-since" name="since" type="datetime-local" step="1" defaultValue={toLocal(filter.since ?? null)} />
        </div>
        <div>
          <label htmlFor="filter-until">Created before</label>
          <input id="filter-until" name="until" type="datetime-local" step="1" defaultValue={toLocal(filter.until ?? null)} />
        </div>
        <div className="filter-actions">
          <button type="submit" className="secondary">
            Apply filters
          </button>
          {filtered && (
            <button type="button" className="secondary" onClick={() => go({ state: undefined, event_type: undefined, since: undefined, until: undefined })}>
              Clear filters
            </button>
          )}
        </div>
      </form>
      <p className="hint" role="status">
        {readAt && (isFirstPage ? `Live: the newest deliveries, read at ${readAt.toLocaleTimeString()}.` : `Read at ${readAt.toLocaleTimeString()}; go to the newest for live updates.`)}
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {page === null ? (
        <p>Loading…</p>
      ) : page.data.length === 0 ? (
        <p>{filtered ? 'No deliveries match these filters.' : 'No deliveries yet.'}</p>
      ) : (
        <ul className="deliveries" aria-label="Delivery log">
          {page.data.map((d) => (
            <DeliveryItem key={d.id} api={api} delivery={d} busy={props.busy} onRedeliver={() => props.onRedeliver(d)} />
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="Delivery log pages">
        <button type="button" className="secondary" disabled={!hasNewer || !first} onClick={() => go({ before: first!.id })}>
          Newer
        </button>
        {!isFirstPage && (
          <button type="button" className="secondary" onClick={() => go({})}>
            Newest
          </button>
        )}
        <button type="button" className="secondary" disabled={!hasOlder || !last} onClick={() => go({ after: last!.id })}>
          Older
        </button>
      </nav>
    </>
  );
}
