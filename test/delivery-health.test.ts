// The per-webhook health state machine (delivery/health.ts), and what backing off does in the
// database: a webhook backing off is neither found due nor claimed until its backoff ends.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../src/clock.js';
import { adopt, allowed, BACKOFF_AFTER_MS, FIRST_BACKOFF_MS, newHealth, onOutcome, type Health } from '../src/delivery/health.js';
import type { AttemptOutcome } from '../src/delivery/http-client.js';
import { claimForWebhook, scanPending, settle } from '../src/delivery/store.js';
import { openTestContext, seedPending } from './support/hookline.js';
import { stopStartedAfterEach } from './support/teardown.js';

const CAP = 32;
const ok: AttemptOutcome = { ok: true, statusCode: 200, durationMs: 5 };
const timeout: AttemptOutcome = { ok: false, errorKind: 'timeout', errorMessage: 'late', durationMs: 4_000 };
const busy: AttemptOutcome = { ok: false, statusCode: 503, errorKind: 'http_status', durationMs: 5 };
const gone: AttemptOutcome = { ok: false, statusCode: 500, errorKind: 'http_status', durationMs: 5 };

describe('webhook health', () => {
  it('cuts to one probe on a timeout and grows back with answers', () => {
    let h: Health = newHealth(CAP, 0);
    expect([h.state, allowed(h, 0)]).toEqual(['healthy', 2]); // slow start for a webhook not heard from
    h = onOutcome(h, ok, 0, CAP, 10);
    expect(allowed(h, 10)).toBe(4);
    h = onOutcome(h, timeout, 20, CAP, 4_020);
    expect([h.state, allowed(h, 4_020), h.since]).toEqual(['slowed', 1, 4_020]);
    h = onOutcome(h, gone, 5_000, CAP, 5_010); // any answer counts: the receiver is there
    expect([h.state, allowed(h, 5_010)]).toEqual(['slowed', 2]);
    for (let i = 0; i < 4; i++) h = onOutcome(h, ok, 6_000, CAP, 6_010 + i);
    expect([h.state, allowed(h, 7_000), h.since]).toEqual(['healthy', CAP, 6_013]);
    h = onOutcome(h, busy, 7_000, CAP, 7_010);
    expect([h.state, allowed(h, 7_010)]).toEqual(['slowed', CAP / 2]);
  });

  it('backs off as a whole after failing for minutes, then probes, doubling the wait while probes fail', () => {
    let h = onOutcome(newHealth(CAP, 0), timeout, 0, CAP, 4_000);
    h = onOutcome(h, timeout, 4_000, CAP, 4_000 + BACKOFF_AFTER_MS - 1);
    expect(h.state).toBe('slowed');
    const t = 4_000 + BACKOFF_AFTER_MS;
    h = onOutcome(h, timeout, t - 4_000, CAP, t);
    expect([h.state, h.resumeAt, allowed(h, t + 1)]).toEqual(['backing_off', t + FIRST_BACKOFF_MS, 0]);
    // A failure of an attempt started before the backoff changes nothing.
    expect(onOutcome(h, timeout, t - 1, CAP, t + 10)).toBe(h);
    const resume = t + FIRST_BACKOFF_MS;
    expect(allowed(h, resume)).toBe(1); // the probe
    h = onOutcome(h, timeout, resume, CAP, resume + 4_000);
    expect([h.state, h.resumeAt]).toEqual(['backing_off', resume + 4_000 + 2 * FIRST_BACKOFF_MS]);
    h = onOutcome(h, ok, h.resumeAt!, CAP, h.resumeAt! + 5);
    expect([h.state, allowed(h, h.resumeAt ?? 0)]).toEqual(['slowed', 2]);
  });

  it('takes on what another worker recorded when it is newer', () => {
    const h = onOutcome(newHealth(CAP, 10), ok, 10, CAP, 20); // healthy since 10
    expect(adopt(h, { state: 'slowed', since: 5, resumeAt: null })).toBe(h); // older than this worker's view
    const slowed = adopt(h, { state: 'slowed', since: 50, resumeAt: null });
    expect([slowed.state, slowed.window]).toEqual(['slowed', 1]);
    expect(newHealth(CAP, 100, { state: 'backing_off', since: 60, resumeAt: 200 }).state).toBe('backing_off');
  });
});

describe('a webhook backing off, in the database', () => {
  const { closeLater } = stopStartedAfterEach();

  it('is neither due nor claimed until its backoff ends, and polls look again then', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    const c = closeLater(await openTestContext({ clock }), (ctx) => ctx.db.close());
    const { webhookId } = await seedPending(c, 2);
    const now = clock.now();
    await settle(c.db, [], now, { health: [{ webhookId, state: 'backing_off', since: now, backoffUntil: now + 30_000 }] });
    expect(await scanPending(c.db, now)).toEqual({ due: [], nextAt: now + 30_000 });
    expect(await claimForWebhook(c.db, { webhookId, now, limit: 10, lease: 'WRK-X', leaseUntil: now + 60_000 })).toEqual([]);
    clock.advance(30_000);
    expect((await scanPending(c.db, clock.now())).due).toEqual([webhookId]);
    const claimed = await claimForWebhook(c.db, { webhookId, now: clock.now(), limit: 10, lease: 'WRK-X', leaseUntil: clock.now() + 60_000 });
    expect(claimed).toHaveLength(2);
    expect(claimed[0]!.target.delivery_health).toBe('backing_off');
  });
});
