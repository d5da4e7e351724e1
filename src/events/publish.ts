// The transactional outbox. publishEvent() records an event and one delivery per subscribed webhook
// of the account, in the caller's transaction when it is given one: the change that caused the
// event and the event commit together or not at all. The body is rendered once, as compact JSON,
// and those exact bytes are what every delivery signs and sends.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { newId, newSortableId } from '../ids.js';
import type { Db, SqlValue } from '../storage/db.js';
import { subscribes, type EventType } from '../webhooks/event-types.js';

const INSERT_ROWS = 500;

export interface PublishInput {
  accountId: string;
  type: EventType;
  data: Record<string, unknown>;
  /** Only these webhooks (a test send); default: every webhook subscribed to the type. */
  webhookIds?: string[];
  /** The caller sends the deliveries itself now (a test send): they start leased to it, even to a disabled webhook. */
  inFlight?: { lease: string; until: number };
}

export interface Published {
  id: string;
  body: string;
  deliveries: { id: string; webhookId: string; state: 'pending' | 'skipped' }[];
}

export function renderEvent(id: string, type: EventType, createdAt: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id, object: 'event', creation_time: isoTime(createdAt), type, api_version: 'v2', data });
}

/** Records the event in `tx` when given (the caller's transaction), else in a transaction of its own. */
export async function publishEvent(ctx: Pick<AppContext, 'db' | 'clock' | 'notifier' | 'metrics'>, input: PublishInput, tx?: Db): Promise<Published> {
  const db = tx ?? ctx.db;
  const now = ctx.clock.now();
  const id = newId('EVNT');
  const body = renderEvent(id, input.type, now, input.data);
  const published = await db.transaction(async (tx) => {
    await tx.run('INSERT INTO events (id, account_id, type, created_at, body) VALUES (?, ?, ?, ?, ?)', [id, input.accountId, input.type, now, body]);
    const webhooks = await tx.all<{ id: string; events: string; status: string }>(
      'SELECT id, events, status FROM webhooks WHERE account_id = ? ORDER BY seq',
      [input.accountId],
    );
    const deliveries: Published['deliveries'] = [];
    const values: SqlValue[] = [];
    for (const w of webhooks) {
      if (input.webhookIds ? !input.webhookIds.includes(w.id) : !subscribes(JSON.parse(w.events) as string[], input.type)) continue;
      const state = w.status === 'enabled' || input.inFlight ? 'pending' : 'skipped';
      const delivery = { id: newSortableId('DLV'), webhookId: w.id, state } as const;
      const dueAt = state === 'skipped' ? null : (input.inFlight?.until ?? now);
      values.push(delivery.id, id, w.id, input.accountId, state, dueAt, input.inFlight?.lease ?? null, now, now);
      deliveries.push(delivery);
    }
    // A statement per 500 deliveries rather than per delivery: on a database over the network each
    // statement is a round trip. (500 rows keep the parameters under every backend's limit.)
    for (let i = 0; i < deliveries.length; i += INSERT_ROWS) {
      const rows = deliveries.slice(i, i + INSERT_ROWS);
      await tx.run(
        `INSERT INTO deliveries (id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at)
         VALUES ${rows.map(() => '(?, ?, ?, ?, ?, 0, ?, ?, ?, ?)').join(', ')}`,
        values.slice(i * 9, (i + INSERT_ROWS) * 9),
      );
    }
    // The worker is told once the deliveries are committed (with the caller's transaction, when given one).
    const due = deliveries.filter((d) => d.state === 'pending').map((d) => d.webhookId);
    if (!input.inFlight && due.length > 0) tx.afterCommit(() => ctx.notifier.deliveriesDue(due));
    tx.afterCommit(() => ctx.metrics.eventPublished(input.type)); // counted once committed, never if rolled back
    return { id, body, deliveries };
  });
  return published;
}
