// Booking through a booking hub (guest's choice, round robin) and through a routing form: each ends
// in a real booking.scheduled delivered to the receiver, on the calendar the rules pick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

describe('booking hubs and routing forms', () => {
  let rx: Receiver;
  let server: TestServer;
  const cal: Record<string, string> = {};
  const host: Record<string, string> = {};
  const HOUR = 3_600_000;
  const at = (offset: number) => new Date(Math.ceil(Date.now() / HOUR) * HOUR + offset).toISOString();
  const form = { name: 'Erin Guest', email: 'erin@example.com' };

  beforeAll(async () => {
    rx = await startReceiver();
    server = await startServer({ env: receiverEnv() });
    await createWebhook(server, 'scheduled', `${rx.url}/h`, ['booking.scheduled']);
    for (const who of ['ann', 'ben', 'cid']) {
      host[who] = (await server.api('POST', '/v2/users', { first_name: who, email: `${who}@example.com` })).body.id;
      cal[who] = (await server.api('POST', '/v2/booking-calendars', { host: host[who], name: `${who} calendar`, duration_minutes: 60 })).body.id;
    }
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  async function scheduledEvent(bookingId: string) {
    await expect.poll(() => rx.received.some((r) => JSON.parse(r.body).data.id === bookingId), { timeout: 5_000 }).toBe(true);
    return JSON.parse(rx.received.find((r) => JSON.parse(r.body).data.id === bookingId)!.body);
  }

  it('a guest_choice hub books the calendar the guest picks among its own', async () => {
    const hub = (await server.api('POST', '/v2/booking-hubs', { name: 'Sales', booking_calendars: [cal.ann, cal.ben] })).body;
    expect(hub).toMatchObject({ object: 'booking_hub', mode: 'guest_choice', booking_calendars: [cal.ann, cal.ben] });
    const res = await server.api('POST', `/v2/booking-hubs/${hub.id}/schedule`, { booking_calendar: cal.ben, start_time: at(24 * HOUR), booking_form: form });
    expect(res.body).toMatchObject({ status: 'scheduled', owner: host.ben, booking_calendar: cal.ben });
    expect((await scheduledEvent(res.body.id)).type).toBe('booking.scheduled');
    const outside = await server.api('POST', `/v2/booking-hubs/${hub.id}/schedule`, { booking_calendar: cal.cid, start_time: at(25 * HOUR), booking_form: form });
    expect(outside.body).toMatchObject({ type: 'invalid_request_error', param: 'booking_calendar' });
  });

  it('a round_robin hub takes turns, skips busy hosts, and says so when nobody is free', async () => {
    const hub = (await server.api('POST', '/v2/booking-hubs', { name: 'Support', mode: 'round_robin', booking_calendars: [cal.ann, cal.cid] })).body;
    const book = (offset: number) => server.api('POST', `/v2/booking-hubs/${hub.id}/schedule`, { start_time: at(offset), booking_form: form });
    expect((await book(48 * HOUR)).body.owner).toBe(host.ann);
    expect((await book(49 * HOUR)).body.owner).toBe(host.cid);
    expect((await book(50 * HOUR)).body.owner).toBe(host.ann);
    const sameSlot = await book(72 * HOUR);
    expect(sameSlot.body.owner).toBe(host.cid);
    expect((await book(72 * HOUR)).body.owner).toBe(host.ann); // cid is busy then
    const full = await book(72 * HOUR);
    expect(full.status).toBe(409);
    await scheduledEvent(sameSlot.body.id);
  });

  it('a routing form books on the calendar its first matching rule names, else on its fallback', async () => {
    const created = await server.api('POST', '/v2/routing-forms', {
      name: 'Qualify',
      questions: [{ id: 'size', question: 'Company size?' }, { question: 'Country?' }],
      rules: [{ question_id: 'size', equals: '500+', booking_calendar: cal.ann }],
      fallback_booking_calendar: cal.cid,
    });
    expect(created.body.questions).toEqual([{ id: 'size', question: 'Company size?' }, { id: 'Q2', question: 'Country?' }]);
    const submit = (size: string, offset: number) =>
      server.api('POST', `/v2/routing-forms/${created.body.id}/submit`, {
        answers: [{ question_id: 'size', value: size }, { question_id: 'Q2', value: 'NZ' }],
        start_time: at(offset),
        booking_form: form,
      });
    const big = await submit('500+', 96 * HOUR);
    expect(big.body).toMatchObject({ object: 'routing_result', booking_calendar: cal.ann, booking: { owner: host.ann } });
    const event = await scheduledEvent(big.body.booking.id);
    expect(event.data.custom_fields).toEqual([{ name: 'Company size?', value: '500+' }, { name: 'Country?', value: 'NZ' }]);
    const small = await submit('1-10', 97 * HOUR);
    expect(small.body).toMatchObject({ booking_calendar: cal.cid, booking: { owner: host.cid } });
    const bad = await server.api('POST', `/v2/routing-forms/${created.body.id}/submit`, { answers: [{ question_id: 'nope', value: 'x' }], start_time: at(98 * HOUR), booking_form: form });
    expect(bad.body).toMatchObject({ type: 'invalid_request_error', param: 'answers' });
    const unknownCalendar = await server.api('POST', '/v2/routing-forms', { name: 'x', questions: [{ question: 'q' }], fallback_booking_calendar: 'BKC-NOPE' });
    expect(unknownCalendar.status).toBe(404);
  });
});
