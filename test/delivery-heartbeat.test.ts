// Worker heartbeats: a worker silent for 4 heartbeats is taken for dead by a live one, which gives
// its leased deliveries back at once; a worker reaps only once its own heartbeats have gone through
// for that long; a worker taken for dead forgets its queue and registers again; a worker stopping
// gives back what it still holds.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../src/clock.js';
import { startHeartbeat } from '../src/delivery/heartbeat.js';
import { claimForWebhook } from '../src/delivery/store.js';
import { openTestContext, seedPending } from './support/hookline.js';
import { stopStartedAfterEach } from './support/teardown.js';

const BEAT = 10_000;

describe('worker heartbeats', () => {
  const { closeLater } = stopStartedAfterEach();

  it('give a dead worker’s deliveries back at once, and only a worker that has been healthy for long reaps', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    const c = closeLater(await openTestContext({ clock }), (ctx) => ctx.db.close());
    const { webhookId } = await seedPending(c, 3);

    const taken: string[] = [];
    const start = async (workerId: string) => {
      return closeLater(await startHeartbeat(c, { workerId, intervalMs: BEAT, onTakenForDead: () => taken.push(workerId) }), (hb) => hb.stop());
    };
    const a = await start('WRK-A');
    const b = await start('WRK-B');
    const t0 = clock.now();
    const claimed = await claimForWebhook(c.db, { webhookId, now: t0, limit: 10, lease: 'WRK-A', leaseUntil: t0 + 3_600_000 });
    expect(claimed).toHaveLength(3);
    const leased = async () => c.db.all<{ lease: string | null; next_attempt_at: number }>("SELECT lease, next_attempt_at FROM deliveries WHERE state = 'pending'");
    const workers = async () => (await c.db.all<{ id: string }>('SELECT id FROM workers ORDER BY id')).map((w) => w.id);

    // A falls silent. After 3 heartbeats nobody takes it for dead yet.
    clock.advance(3 * BEAT);
    await b.beat();
    expect(await workers()).toEqual(['WRK-A', 'WRK-B']);

    // Past 4: a worker that has just started (no long record of its own) still leaves A alone...
    clock.advance(2 * BEAT);
    const fresh = await start('WRK-C');
    await fresh.beat();
    expect(await workers()).toEqual(['WRK-A', 'WRK-B', 'WRK-C']);
    expect((await leased()).every((d) => d.lease === 'WRK-A')).toBe(true);

    // ...while B, healthy all along, reaps it: its deliveries are due now and free.
    await b.beat();
    expect(await workers()).toEqual(['WRK-B', 'WRK-C']);
    expect(await leased()).toEqual(Array.from({ length: 3 }, () => ({ lease: null, next_attempt_at: clock.now() })));

    // A comes back (it was frozen, say): it learns it was taken for dead and registers again.
    expect(taken).toEqual([]);
    await a.beat();
    expect(taken).toEqual(['WRK-A']);
    expect(await workers()).toEqual(['WRK-A', 'WRK-B', 'WRK-C']);

    // B claims them and stops: what it still holds goes back, and its row goes.
    expect(await claimForWebhook(c.db, { webhookId, now: clock.now(), limit: 10, lease: 'WRK-B', leaseUntil: clock.now() + 3_600_000 })).toHaveLength(3);
    await b.stop();
    expect(await workers()).toEqual(['WRK-A', 'WRK-C']);
    expect((await leased()).map((d) => d.lease)).toEqual([null, null, null]);
  });
});
