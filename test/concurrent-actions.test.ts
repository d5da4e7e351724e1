// Actions that arrive at the same moment take effect one after the other, on SQLite (one writer at
// a time) and on PostgreSQL (row locks): a slot is booked once, a booking is canceled once with one
// event, a round-robin hub still takes turns, and every secret that crossing rotations hand out signs.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, createWebhook } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const HOUR = 3_600_000;
const TOGETHER = 6;

describe('concurrent actions', () => {
  let server: TestServer;
  let rx: Receiver;
  const host: Record<string, string> = {};
  const cal: Record<string, string> = {};
  const at = (offset: number) => new Date(Math.ceil(Date.now() / HOUR) * HOUR + offset).toISOString();
  const form = { name: 'Gil Guest', email: 'gil@example.com' };
  const book = (calendar: string, offset: number) =>
    server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: at(offset), booking_form: form });
  const together = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

  beforeAll(async () => {
    rx = await startReceiver();
    server = await startServer({ env: receiverEnv() });
    for (const who of ['ann', 'ben']) {
      host[who] = (await server.api('POST', '/v2/users', { first_name: who, email: `${who}@example.com` })).body.id;
      cal[who] = (await server.api('POST', '/v2/booking-calendars', { host: host[who], name: `${who} calendar`, duration_minutes: 60 })).body.id;
    }
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it('books a host once when several guests take the same slot at the same moment', async () => {
    const answers = await together(TOGETHER, () => book(cal.ann!, 24 * HOUR));
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array<number>(TOGETHER - 1).fill(409)]);
  });

  it('cancels a booking once, with one booking.canceled event, when the cancellations cross', async () => {
    const booking = (await book(cal.ben!, 30 * HOUR)).body as { id: string };
    const answers = await together(TOGETHER, () => server.api('POST', `/v2/bookings/${booking.id}/cancel`, {}));
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array<number>(TOGETHER - 1).fill(400)]);
    const canceled = await count(server, "SELECT COUNT(*) AS n FROM events WHERE type = 'booking.canceled' AND body LIKE ?", [`%${booking.id}%`]);
    expect(canceled).toBe(1);
  });

  it('gives a round-robin hub its turns when bookings through it arrive together', async () => {
    const hub = (await server.api('POST', '/v2/booking-hubs', { name: 'Turns', mode: 'round_robin', booking_calendars: [cal.ann, cal.ben] })).body as { id: string };
    const answers = await together(TOGETHER, (i) =>
      server.api('POST', `/v2/booking-hubs/${hub.id}/schedule`, { start_time: at((48 + 2 * i) * HOUR), booking_form: form }),
    );
    const owners = answers.map((r) => r.body.owner as string);
    expect(owners.filter((o) => o === host.ann)).toHaveLength(TOGETHER / 2);
    expect(owners.filter((o) => o === host.ben)).toHaveLength(TOGETHER / 2);
  });

  it('keeps signing with the secret each of two crossing rotations returned', async () => {
    const webhook = await createWebhook(server, 'rotated', `${rx.url}/h`);
    const rotated = await together(2, () => server.api('POST', `/v2/webhooks/${webhook.id}/rotate-secret`));
    const sent = await server.api('POST', `/v2/webhooks/${webhook.id}/test`, { type: 'booking.scheduled' });
    expect(sent.body.success).toBe(true);
    const request = rx.received.at(-1)!;
    const headers = { 'webhook-id': request.headers['webhook-id']!, 'webhook-timestamp': request.headers['webhook-timestamp']!, 'webhook-signature': request.headers['webhook-signature']! };
    for (const r of rotated) {
      expect(() => new Webhook(r.body.secret as string, { format: 'raw' }).verify(request.body, headers)).not.toThrow();
    }
  });
});
