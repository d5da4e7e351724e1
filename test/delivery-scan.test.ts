// The worker's look for work: which enabled webhooks have deliveries due now, and when the next
// one comes due later. Webhooks with nothing pending, and disabled ones, are left out.
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import { manualClock } from '../src/clock.js';
import type { AppContext } from '../src/context.js';
import { scanPending } from '../src/delivery/store.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { createWebhook } from '../src/webhooks/service.js';
import { openTestContext } from './support/hookline.js';

describe('scanPending', () => {
  let ctx: AppContext | undefined;
  afterEach(async () => ctx?.db.close());

  it('finds the enabled webhooks with due deliveries and the next due time of the others', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    ctx = await openTestContext({ clock });
    const c = ctx;
    const { account } = await createAccount(c, 'scan');
    const make = (name: string) => createWebhook(c, account.id, { name, url: `https://receiver.example/${name}`, events: ['booking'] });
    const [due, later, disabled, idle] = [await make('due'), await make('later'), await make('disabled'), await make('idle')];
    expect(await scanPending(c.db, clock.now())).toEqual({ due: [], nextAt: null });

    // One event: a pending delivery for each of the four webhooks.
    await publishEvent(c, { accountId: account.id, type: 'booking.scheduled', data: sampleData('booking.scheduled', clock.now()) });
    const t = clock.now();
    await c.db.run('UPDATE deliveries SET next_attempt_at = ? WHERE webhook_id = ?', [t + 5_000, later.id]);
    await c.db.run('UPDATE deliveries SET next_attempt_at = ? WHERE webhook_id = ?', [t + 1_000, disabled.id]);
    await c.db.run("UPDATE webhooks SET status = 'disabled' WHERE id = ?", [disabled.id]);
    await c.db.run("UPDATE deliveries SET state = 'succeeded', next_attempt_at = NULL WHERE webhook_id = ?", [idle.id]);

    expect(await scanPending(c.db, t)).toEqual({ due: [due.id], nextAt: t + 5_000 });
    expect(await scanPending(c.db, t + 5_000)).toEqual({ due: expect.arrayContaining([due.id, later.id]), nextAt: null });
    expect((await scanPending(c.db, t + 5_000)).due).toHaveLength(2);
  });
});
