// The transactional outbox. publishEvent() records an event and one delivery per subscribed webhook
// of the account, in the caller's transaction when it is given one: the change that caused the
// event and the event commit together or not at all. The body is rendered once, as compact JSON,
// and those exact bytes are what every delivery signs and sends.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { newId, newSortableId } from '../ids.js';
import { jsonRows, type Db, type SqlValue } from '../storage/db.js';
import { subscribes, type EventType } from '../webhooks/event-types.js';

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

type WebhookRow = { id: string; events: string; status: string };
const SELECT_WEBHOOKS = 'SELECT id, events, status FROM webhooks WHERE account_id = ? ORDER BY seq';
const DELIVERY_COLUMNS = 'id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at';

/**
 * Records the event in `tx` when given (the caller's transaction), else atomically on its own:
 * on PostgreSQL in two round trips (the account's webhooks, then one statement inserting the event
 * and its deliveries), on SQLite in a transaction.
 */
export async function publishEvent(ctx: Pick<AppContext, 'db' | 'clock' | 'notifier' | 'metrics'>, input: PublishInput, tx?: Db): Promise<Published> {
  const db = tx ?? ctx.db;
  const now = ctx.clock.now();
  const id = newId('EVNT');
  const body = renderEvent(id, input.type, now, input.data);
  const event: SqlValue[] = [id, input.accountId, input.type, now, body, input.test ? 1 : 0];
  /** The deliveries as one JSON parameter, which the insert reads as rows. */
  const planned = (webhooks: WebhookRow[]) => JSON.stringify(planDeliveries(webhooks, input, now));
  const extra: SqlValue[] = [id, input.accountId, input.inFlight?.lease ?? null, now, now];

  let inserted: { id: string; webhook_id: string; state: 'pending' | 'skipped' }[];
  if (db.dialect === 'postgres') {
    // One statement is atomic by itself. A webhook deleted since it was read is left out by the join.
    const webhooks = await db.all<WebhookRow>(SELECT_WEBHOOKS, [input.accountId]);
    inserted = await db.all(
      `WITH event AS (INSERT INTO events (id, account_id, type, created_at, body, test) VALUES (?, ?, ?, ?, ?, ?))
       INSERT INTO deliveries (${DELIVERY_COLUMNS})
       SELECT value->>'id', ?, w.id, ?, value->>'state', 0, CAST(value->>'due' AS BIGINT), ?, ?, ?
         FROM ${jsonRows(db)} JOIN webhooks w ON w.id = value->>'webhook'
       RETURNING id, webhook_id, state`,
      [...event, ...extra, planned(webhooks)],
    );
  } else {
    inserted = await db.transaction(async (tx) => {
      const webhooks = await tx.all<WebhookRow>(SELECT_WEBHOOKS, [input.accountId]);
      await tx.run('INSERT INTO events (id, account_id, type, created_at, body, test) VALUES (?, ?, ?, ?, ?, ?)', event);
      const rows = await tx.all<(typeof inserted)[number]>(
        `INSERT INTO deliveries (${DELIVERY_COLUMNS})
         SELECT value->>'id', ?, value->>'webhook', ?, value->>'state', 0, CAST(value->>'due' AS BIGINT), ?, ?, ? FROM ${jsonRows(tx)}
         RETURNING id, webhook_id, state`,
        [...extra, planned(webhooks)],
      );
      return rows;
    });
  }
  const deliveries = inserted.map((d) => ({ id: d.id, webhookId: d.webhook_id, state: d.state }));
  // The worker is told once the deliveries are committed (with the caller's transaction, when given one).
  const due = deliveries.filter((d) => d.state === 'pending').map((d) => d.webhookId);
  if (!input.inFlight && due.length > 0) db.afterCommit(() => ctx.notifier.deliveriesDue(due));
  db.afterCommit(() => ctx.metrics.eventPublished(input.type)); // counted once committed, never if rolled back
  db.afterCommit(() => ctx.notifier.eventPublished(input.accountId)); // open event streams of the account look at once
  return { id, body, deliveries };
}

/** One delivery per webhook the event goes to: subscribed (or named, for a test send); skipped while disabled. */
function planDeliveries(webhooks: WebhookRow[], input: PublishInput, now: number) {
  return webhooks
    .filter((w) => (input.webhookIds ? input.webhookIds.includes(w.id) : subscribes(JSON.parse(w.events) as string[], input.type)))
    .map((w) => {
      const state = w.status === 'enabled' || input.inFlight ? 'pending' : 'skipped';
      return { id: newSortableId('DLV'), webhook: w.id, state, due: state === 'skipped' ? null : (input.inFlight?.until ?? now) };
    });
}
