// What a worker does when a COMMIT went through but its answer was lost with the connection (a
// database outage): outcomes written again are not recorded twice, and a claim it never got the
// rows of is given back rather than left leased until its lease runs out.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../src/clock.js';
import { claimForWebhook, releaseClaim, settle, type Settlement } from '../src/delivery/store.js';
import { openTestContext, seedPending } from './support/hookline.js';
import { stopStartedAfterEach } from './support/teardown.js';

describe('a COMMIT that went through unanswered', () => {
  const { closeLater } = stopStartedAfterEach();

  it('neither records an attempt twice nor leaves a claim leased', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    const c = closeLater(await openTestContext({ clock }), (ctx) => ctx.db.close());
    const { webhookId } = await seedPending(c, 4);
    const now = clock.now();
    const rows = () => c.db.all<{ id: string; state: string; attempt_count: number; lease: string | null; next_attempt_at: number | null; attempts: number }>(
      'SELECT id, state, attempt_count, lease, next_attempt_at, (SELECT COUNT(*) FROM attempts a WHERE a.delivery_id = d.id) AS attempts FROM deliveries d ORDER BY id',
    );

    // Two deliveries were sent and their outcomes written; the worker did not hear back, so it writes them again.
    const sent = await claimForWebhook(c.db, { webhookId, now, limit: 2, lease: 'WRK-A', leaseUntil: now + 60_000 });
    const batch: Settlement[] = sent.map((d, i) => ({
      deliveryId: d.id, webhookId: d.webhook_id, lease: 'WRK-A', attemptedAt: now, attemptId: `ATT-${i}`,
      outcome: { ok: true, statusCode: 200, durationMs: 5 }, decision: { state: 'succeeded', nextAttemptAt: null },
    }));
    await settle(c.db, batch, now);
    await settle(c.db, batch, now, { again: true });
    expect((await rows()).filter((r) => r.state === 'succeeded').map((r) => [r.attempt_count, r.attempts, r.lease])).toEqual([[1, 1, null], [1, 1, null]]);

    // A claim committed, but its rows never reached the worker: it gives back exactly that claim.
    clock.advance(1);
    const lost = { webhookId, lease: 'WRK-A', leaseUntil: clock.now() + 60_000 };
    await claimForWebhook(c.db, { ...lost, now: clock.now(), limit: 1 });
    const kept = await claimForWebhook(c.db, { ...lost, lease: 'WRK-B', now: clock.now(), limit: 1 });
    expect(kept).toHaveLength(1);
    clock.advance(1);
    expect(await releaseClaim(c.db, { ...lost, now: clock.now() })).toBe(1);
    const pending = (await rows()).filter((r) => r.state === 'pending');
    expect(pending.map((r) => [r.lease, r.next_attempt_at]).sort()).toEqual([['WRK-B', lost.leaseUntil], [null, clock.now()]].sort());
  });
});
