// The transactional outbox. publishEvent() records an event and one delivery per subscribed webhook
// of the account, in the caller's transaction when it is given one: the change that caused the
// event and the event commit together or not at all. The body is rendered once, as compact JSON,
// and those exact bytes are what every delivery signs and sends.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { ALPHABET, newId, newSortableId } from '../ids.js';
import { jsonRows, type Db, type SqlValue } from '../storage/db.js';
import { TARGET_COLUMNS, type WebhookTarget } from '../delivery/store.js';
import { kindOf, subscribes, type EventType } from '../webhooks/event-types.js';

export interface PublishInput {
  accountId: string;
  type: EventType;
  data: Record<string, unknown>;
  /** Only these webhooks (a test send); default: every webhook subscribed to the type. */
  webhookIds?: string[];
  /** The caller sends the deliveries itself now (a test send): they start leased to it, even to a disabled webhook. */
  inFlight?: { lease: string; until: number };
  /** A test send's sample event: marked so in the delivery log. */
  test?: boolean;
}

export interface Published {
  id: string;
  body: string;
  deliveries: { id: string; webhookId: string; state: 'pending' | 'skipped' }[];
}

export function renderEvent(id: string, type: EventType, createdAt: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id, object: 'event', creation_time: isoTime(createdAt), type, api_version: 'v2', data });
}

type WebhookRow = WebhookTarget & { events: string; status: string };
/** SQLite's read of the account's webhooks: whom the event goes to, and what sending to them needs (for a handover). */
const SELECT_WEBHOOKS = `SELECT events, status, ${TARGET_COLUMNS} FROM webhooks WHERE account_id = ? ORDER BY seq`;
const DELIVERY_COLUMNS = 'id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at';

/**
 * PostgreSQL's publish, one statement and so atomic by itself: the event, and a delivery to each
 * webhook of the account subscribed to the type (or named, for a test send), skipped while the
 * webhook is disabled. Each delivery id is the time part given and 8 random characters of ALPHABET
 * drawn per row (the subquery names the row, so it runs for each one; its aggregate names none, so
 * it stays the subquery's own).
 */
const PG_PUBLISH = `
  WITH event AS (INSERT INTO events (id, account_id, type, created_at, body, test) VALUES (?, ?, ?, ?, ?, ?)),
  params AS (SELECT CAST(? AS text) AS account, CAST(? AS json) AS named, CAST(? AS text) AS type, CAST(? AS text) AS kind,
                    CAST(? AS text) AS id_time, CAST(? AS int) = 1 AS in_flight, CAST(? AS bigint) AS due),
  targets AS (
    SELECT w.id, w.seq, CASE WHEN w.status = 'enabled' OR p.in_flight THEN 'pending' ELSE 'skipped' END AS state, p.due, p.id_time
      FROM webhooks w, params p
     WHERE w.account_id = p.account
       AND CASE WHEN p.named IS NULL
                THEN EXISTS (SELECT 1 FROM json_array_elements_text(CAST(w.events AS json)) e WHERE e IN (p.type, p.kind))
                ELSE w.id IN (SELECT json_array_elements_text(p.named)) END)
  INSERT INTO deliveries (${DELIVERY_COLUMNS})
  SELECT t.id_time || (SELECT string_agg(substr('${ALPHABET}', 1 + floor(random() * ${ALPHABET.length})::int, 1), '')
                         FROM generate_series(1, 8) WHERE t.id IS NOT NULL),
         ?, t.id, ?, t.state, 0, CASE WHEN t.state = 'skipped' THEN NULL ELSE t.due END, ?, ?, ?
    FROM targets t ORDER BY t.seq
  RETURNING id, seq, webhook_id, state, lease`;

type Inserted = { id: string; seq: number; webhook_id: string; state: 'pending' | 'skipped'; lease: string | null };

/**
 * Records the event in `tx` when given (the caller's transaction), else atomically on its own:
 * on PostgreSQL in one round trip (one statement picks the webhooks, inserts the event and its
 * deliveries), on SQLite in a transaction.
 */
export async function publishEvent(ctx: Pick<AppContext, 'db' | 'clock' | 'notifier' | 'metrics'>, input: PublishInput, tx?: Db): Promise<Published> {
  const db = tx ?? ctx.db;
  const now = ctx.clock.now();
  const id = newId('EVNT');
  const body = renderEvent(id, input.type, now, input.data);
  const event: SqlValue[] = [id, input.accountId, input.type, now, body, input.test ? 1 : 0];

  let inserted: Inserted[];
  if (db.dialect === 'postgres') {
    inserted = await db.all(PG_PUBLISH, [
      ...event,
      input.accountId,
      input.webhookIds ? JSON.stringify(input.webhookIds) : null,
      input.type,
      kindOf(input.type),
      newSortableId('DLV').slice(0, -8), // the time part; the database adds 8 random characters per delivery
      input.inFlight ? 1 : 0,
      input.inFlight?.until ?? now,
      id,
      input.accountId,
      input.inFlight?.lease ?? null,
      now,
      now,
    ]);
  } else {
    inserted = await publishOnSqlite(ctx, db, input, { id, body, now, event });
  }
  // The worker is told once the deliveries are committed (with the caller's transaction, when given
  // one), of those it does not hold already (a test send's, or those handed over to it).
  const due = inserted.filter((d) => d.state === 'pending' && d.lease === null).map((d) => d.webhook_id);
  if (due.length > 0) db.afterCommit(() => ctx.notifier.deliveriesDue(due));
  db.afterCommit(() => ctx.metrics.eventPublished(input.type)); // counted once committed, never if rolled back
  db.afterCommit(() => ctx.notifier.eventPublished(input.accountId)); // open event streams of the account look at once
  return { id, body, deliveries: inserted.map((d) => ({ id: d.id, webhookId: d.webhook_id, state: d.state })) };
}

/**
 * SQLite's publish, in a transaction. Where the in-process worker offers to start some webhooks'
 * new deliveries at once (notifier.ts, Taker), those are written leased to it and handed over once
 * committed: it then need not claim them back.
 */
async function publishOnSqlite(
  ctx: Pick<AppContext, 'notifier'>,
  db: Db,
  input: PublishInput,
  { id, body, now, event }: { id: string; body: string; now: number; event: SqlValue[] },
): Promise<Inserted[]> {
  return db.transaction(async (tx) => {
    const plan = planDeliveries(await tx.all<WebhookRow>(SELECT_WEBHOOKS, [input.accountId]), input, now);
    const taker = input.inFlight ? undefined : ctx.notifier.taker();
    const ready = plan.filter((p) => p.state === 'pending' && !(p.target.backoff_until !== null && p.target.backoff_until > now));
    const offer = taker && ready.length > 0 ? taker.offer(ready.map((p) => p.webhook)) : undefined;
    const handed = offer ? ready.filter((p) => offer.webhookIds.has(p.webhook)) : [];
    if (offer) {
      for (const p of handed) {
        p.lease = offer.lease;
        p.due = offer.until; // as a claim leaves it: due again when the lease ends
      }
    }
    await tx.run('INSERT INTO events (id, account_id, type, created_at, body, test) VALUES (?, ?, ?, ?, ?, ?)', event);
    const inserted = await tx.all<Inserted>(
      `INSERT INTO deliveries (${DELIVERY_COLUMNS})
       SELECT value->>'id', ?, value->>'webhook', ?, value->>'state', 0, CAST(value->>'due' AS BIGINT), value->>'lease', ?, ? FROM ${jsonRows(tx)}
       RETURNING id, seq, webhook_id, state, lease`,
      [id, input.accountId, now, now, JSON.stringify(plan.map(({ target: _target, ...row }) => row))],
    );
    if (taker && offer) {
      const seqOf = new Map(inserted.map((d) => [d.id, d.seq]));
      const deliveries = handed.map((p) => ({ id: p.id, seq: seqOf.get(p.id)!, event_id: id, webhook_id: p.webhook, attempt_count: 0, created_at: now, body, target: p.target }));
      tx.afterCommit(() => taker.take(deliveries, offer.until));
    }
    return inserted;
  });
}

/** SQLite's plan (PG_PUBLISH does the same in SQL): one delivery per webhook the event goes to, subscribed (or named, for a test send); skipped while disabled. */
function planDeliveries(webhooks: WebhookRow[], input: PublishInput, now: number) {
  return webhooks
    .filter((w) => (input.webhookIds ? input.webhookIds.includes(w.id) : subscribes(JSON.parse(w.events) as string[], input.type)))
    .map((w) => {
      const state = w.status === 'enabled' || input.inFlight ? 'pending' : 'skipped';
      const { events: _events, status: _status, ...target } = w;
      return {
        id: newSortableId('DLV'),
        webhook: w.id,
        state,
        due: state === 'skipped' ? null : (input.inFlight?.until ?? now),
        lease: input.inFlight?.lease ?? null,
        target,
      };
    });
}
