// The guest's flows that OnceHub documents and their events: rebooking elsewhere announces the old
// booking before the new one; after the host asks for a new time the guest reschedules through its
// link (booking.rescheduled); and every cancel and reschedule says who acted and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../src/clock.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

interface Delivered {
  id: string;
  type: string;
  data: Record<string, any>;
}

describe('guest flows', () => {
  let rx: Receiver;
  let server: TestServer;
  let clock: ManualClock;
  let host: string;
  let other: string;
  let calX: string;
  let calY: string;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    rx = await startReceiver();
    clock = manualClock(Date.parse('2026-12-01T08:00:00.000Z'));
    // One attempt at a time to the webhook: it receives the events in the order they were published.
    server = await startServer({ env: { ...receiverEnv(), HOOKLINE_WEBHOOK_CONCURRENCY: '1' }, clock });
    await server.api('POST', '/v2/webhooks', { name: 'bookings', url: `${rx.url}/h`, events: ['booking'] });
    host = (await server.api('POST', '/v2/users', { email: 'flows-host@example.com', first_name: 'Hana' })).body.id;
    other = (await server.api('POST', '/v2/users', { email: 'flows-other@example.com', first_name: 'Omar' })).body.id;
    calX = (await server.api('POST', '/v2/booking-calendars', { host, name: 'X', duration_minutes: 30 })).body.id;
    calY = (await server.api('POST', '/v2/booking-calendars', { host: other, name: 'Y', duration_minutes: 30 })).body.id;
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  const at = (h: number) => new Date(clock.now() + h * HOUR).toISOString();
  const book = async (calendar: string, h: number) =>
    (await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: at(h), timezone: 'Europe/Paris', booking_form: { name: 'Gia', email: 'gia@example.com' } })).body as { id: string; cancel_reschedule_url: string };
  const guest = (b: { cancel_reschedule_url: string }, action: string, body: object = {}) =>
    call(server.url, 'POST', `/v2/guest/bookings/${b.cancel_reschedule_url.split('/').pop()}/${action}`, body);
  const delivered = (): Delivered[] => rx.received.map((r) => JSON.parse(r.body));
  async function eventFor(type: string, bookingId: string) {
    await expect.poll(() => delivered().some((e) => e.type === type && e.data.id === bookingId), { timeout: 5_000 }).toBe(true);
    return delivered().find((e) => e.type === type && e.data.id === bookingId)!;
  }

  it("rebooking elsewhere: the old booking's canceled_then_rescheduled comes before the new booking's scheduled, in the events list and at the receiver", async () => {
    const old = await book(calX, 10);
    const res = await guest(old, 'rebook', { booking_calendar: calY, start_time: at(11), reason: 'Y suits me' });
    expect(res.status, res.text).toBe(200);
    const replacement = res.body.id as string;
    const canceled = await eventFor('booking.canceled_then_rescheduled', old.id);
    const scheduled = await eventFor('booking.scheduled', replacement);
    const listed = (await server.api('GET', '/v2/events?limit=2')).body.data as Delivered[]; // newest first
    expect(listed.map((e) => e.id)).toEqual([scheduled.id, canceled.id]);
    const order = delivered().map((e) => e.id);
    expect(order.indexOf(canceled.id)).toBeLessThan(order.indexOf(scheduled.id));
    expect(canceled.data).toMatchObject({ status: 'canceled', cancel_reschedule_information: { reason: 'Y suits me', actioned_by: 'customer', user_id: '' } });
    expect(scheduled.data).toMatchObject({ status: 'scheduled', rescheduled_booking_id: old.id, owner: other, customer_timezone: 'Europe/Paris' });
  });

  it('after the host asks for a new time, the guest reschedules through its link: booking.rescheduled', async () => {
    const b = await book(calX, 20);
    await server.api('POST', `/v2/bookings/${b.id}/request-reschedule`, { reschedule_reason: 'I am away that day' });
    const asked = await eventFor('booking.canceled_reschedule_requested', b.id);
    expect(asked.data.cancel_reschedule_information).toEqual({ reason: 'I am away that day', actioned_by: 'user', user_id: host });
    const moved = await guest(b, 'reschedule', { start_time: at(22), reason: 'Thursday then' });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ id: b.id, status: 'rescheduled', starting_time: at(22) });
    const event = await eventFor('booking.rescheduled', b.id);
    expect(event.data).toMatchObject({ status: 'rescheduled', starting_time: at(22), cancel_reschedule_information: { reason: 'Thursday then', actioned_by: 'customer', user_id: '' } });
    // It is on again: it completes when it ends, and the guest may move it again.
    expect((await guest(b, 'reschedule', { start_time: at(23) })).status).toBe(200);
  });

  it('after a reschedule request the guest may also rebook on another calendar; a plain cancel it cannot undo', async () => {
    const asked = await book(calX, 30);
    await server.api('POST', `/v2/bookings/${asked.id}/request-reschedule`, {});
    const rebooked = await guest(asked, 'rebook', { booking_calendar: calY, start_time: at(31) });
    expect(rebooked.status, rebooked.text).toBe(200);
    await eventFor('booking.canceled_then_rescheduled', asked.id);

    const canceled = await book(calX, 40);
    await server.api('POST', `/v2/bookings/${canceled.id}/cancel`, { cancellation_reason: 'Closed' });
    const refused = await guest(canceled, 'reschedule', { start_time: at(41) });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/cannot be rescheduled: its status is 'canceled'/);
    expect((await guest(asked, 'reschedule', { start_time: at(42) })).status).toBe(400); // rebooked: done with
  });

  const LABELS = [
    'the host cancels', 'the host cancels without a reason', 'the host asks for a new time', 'the guest cancels', 'the guest moves it',
    'the guest moves it without a reason', 'the guest rebooks elsewhere',
  ];
  it.each([
    ['the host cancels', async (b: { id: string }) => server.api('POST', `/v2/bookings/${b.id}/cancel`, { cancellation_reason: 'Host ill' }), 'booking.canceled', { reason: 'Host ill', actioned_by: 'user', by: 'host' }],
    ['the host cancels without a reason', async (b: { id: string }) => server.api('POST', `/v2/bookings/${b.id}/cancel`), 'booking.canceled', { reason: '', actioned_by: 'user', by: 'host' }],
    ['the host asks for a new time', async (b: { id: string }) => server.api('POST', `/v2/bookings/${b.id}/request-reschedule`, { reschedule_reason: 'Clash' }), 'booking.canceled_reschedule_requested', { reason: 'Clash', actioned_by: 'user', by: 'host' }],
    ['the guest cancels', async (b: { cancel_reschedule_url: string }) => guest(b, 'cancel', { reason: 'Sick' }), 'booking.canceled', { reason: 'Sick', actioned_by: 'customer', by: 'nobody' }],
    ['the guest moves it', async (b: { cancel_reschedule_url: string }) => guest(b, 'reschedule', { start_time: at(141), reason: 'Later' }), 'booking.rescheduled', { reason: 'Later', actioned_by: 'customer', by: 'nobody' }],
    ['the guest moves it without a reason', async (b: { cancel_reschedule_url: string }) => guest(b, 'reschedule', { start_time: at(151) }), 'booking.rescheduled', { reason: '', actioned_by: 'customer', by: 'nobody' }],
    ['the guest rebooks elsewhere', async (b: { cancel_reschedule_url: string }) => guest(b, 'rebook', { booking_calendar: calY, start_time: at(161), reason: 'Other host' }), 'booking.canceled_then_rescheduled', { reason: 'Other host', actioned_by: 'customer', by: 'nobody' }],
  ] as const)('cancel_reschedule_information is filled when %s', async (label, act, type, expected) => {
    const b = await book(calX, 100 + 10 * LABELS.indexOf(label)); // each case its own hours: 100, 110, ...
    expect((await eventFor('booking.scheduled', b.id)).data.cancel_reschedule_information).toBeNull();
    expect((await act(b as never)).status).toBe(200);
    const { data } = await eventFor(type, b.id);
    expect(data.cancel_reschedule_information).toEqual({ reason: expected.reason, actioned_by: expected.actioned_by, user_id: expected.by === 'host' ? host : '' });
  });
});
