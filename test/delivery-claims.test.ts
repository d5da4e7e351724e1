// Claims of several webhooks at once (one transaction on SQLite, one statement on PostgreSQL):
// each webhook gets its own oldest due deliveries, in publish order, up to its own limit; a
// disabled webhook gets none; what one claim leased another claim does not take.
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import { manualClock } from '../src/clock.js';
import type { AppContext } from '../src/context.js';
import { claimForWebhooks } from '../src/delivery/store.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { createWebhook } from '../src/webhooks/service.js';
import { openTestContext } from './support/hookline.js';

let ctx: AppContext | undefined;
afterEach(async () => {
  await ctx?.db.close();
});

describe('claims of several webhooks at once', () => {
  it("take each webhook's oldest due deliveries up to its limit, none of a disabled one, nothing leased already", async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    ctx = await openTestContext({ clock });
    const { account } = await createAccount(ctx, 'claims');
    const hook = (name: string, events: string[]) => createWebhook(ctx!, account.id, { name, url: `https://receiver.example/${name}`, events });
    const bookings = await hook('bookings', ['booking']);
    const canceled = await hook('canceled', ['booking.canceled']);
    const off = await hook('off', ['booking']);
    const published: string[] = [];
    for (const type of ['booking.scheduled', 'booking.canceled', 'booking.scheduled', 'booking.canceled', 'booking.scheduled'] as const) {
      published.push((await publishEvent(ctx, { accountId: account.id, type, data: sampleData(type, clock.now()) })).id);
      clock.advance(1_000);
    }
    // Disabled after its deliveries were written: they are pending, but not to be claimed.
    await ctx.db.run("UPDATE webhooks SET status = 'disabled' WHERE id = ?", [off.id]);
    const now = clock.now();
    const req = (webhookId: string, limit: number, lease = 'WRK-A') => ({ webhookId, now, limit, lease, leaseUntil: now + 60_000 });

    const [first, second, third] = await claimForWebhooks(ctx.db, [req(bookings.id, 3), req(canceled.id, 10), req(off.id, 10)]);
    expect(first!.map((d) => d.event_id)).toEqual(published.slice(0, 3)); // its 3 oldest of 5, in publish order
    expect(second!.map((d) => d.event_id)).toEqual([published[1], published[3]]);
    expect(third).toEqual([]);
    expect(first![0]!.target).toMatchObject({ id: bookings.id, url: 'https://receiver.example/bookings', delivery_health: 'healthy' });
    expect(second![0]!.body).toContain(`"id":"${published[1]}"`);
    const leased = await ctx.db.all<{ lease: string; next_attempt_at: number }>('SELECT lease, next_attempt_at FROM deliveries WHERE lease IS NOT NULL');
    expect(leased).toHaveLength(5);
    expect(await ctx.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ? AND state = 'pending'", [off.id])).toEqual({ n: 5 });
    expect(leased.every((d) => d.lease === 'WRK-A' && d.next_attempt_at === now + 60_000)).toBe(true);

    // Another worker finds only what is left.
    const [rest, none] = await claimForWebhooks(ctx.db, [req(bookings.id, 10, 'WRK-B'), req(canceled.id, 10, 'WRK-B')]);
    expect(rest!.map((d) => d.event_id)).toEqual(published.slice(3));
    expect(none).toEqual([]);
  });
});
