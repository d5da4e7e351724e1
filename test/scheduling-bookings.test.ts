// Each booking event comes from its real action over HTTP, arrives at a real HTTPS receiver with
// OnceHub's booking object as it stood then, and every refused transition changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { manualClock, type ManualClock } from '../src/clock.js';
import { bookingEventSchema } from '../src/events/payload-schemas.js';
import { createWebhook } from './support/delivery.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const ajv = new Ajv2020({ allErrors: true });
addFormats.default(ajv);
const validPayload = ajv.compile(bookingEventSchema);

interface Delivered {
  type: string;
  data: Record<string, any>;
}

describe('bookings and their events', () => {
  let rx: Receiver;
  let server: TestServer;
  let clock: ManualClock;
  let hostA: string;
  let hostB: string;
  let calX: string;
  let calY: string;
  let calApproval: string;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    rx = await startReceiver();
    clock = manualClock(Date.now());
    server = await startServer({ env: receiverEnv(), clock });
    await createWebhook(server, 'all bookings', `${rx.url}/h`, ['booking']);
    hostA = (await server.api('POST', '/v2/users', { first_name: 'Ada', last_name: 'Host', email: 'ada@example.com' })).body.id;
    hostB = (await server.api('POST', '/v2/users', { first_name: 'Bob', email: 'bob@example.com', timezone: 'Europe/Paris' })).body.id;
    const cal = async (body: object) => (await server.api('POST', '/v2/booking-calendars', body)).body.id as string;
    calX = await cal({ host: hostA, name: 'Intro call', subject: 'Intro with Ada', duration_minutes: 30 });
    calY = await cal({ host: hostB, name: 'Demo', duration_minutes: 60 });
    calApproval = await cal({ host: hostA, name: 'Consulting', duration_minutes: 45, requires_approval: true });
  });
  afterAll(async () => {
    for (const event of delivered()) expect(validPayload(event), JSON.stringify(validPayload.errors)).toBe(true);
    await server.stop();
    await rx.close();
  });

  const at = (offsetMs: number) => new Date(clock.now() + offsetMs).toISOString();
  const form = { name: 'Carrie Guest', email: 'carrie@example.com', guests: ['dan@example.com'], custom_fields: [{ name: 'Topic', value: 'Pricing' }] };
  const book = (calendar: string, startOffset: number) => server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: at(startOffset), timezone: 'America/New_York', booking_form: form });
  const delivered = (): Delivered[] => rx.received.map((r) => JSON.parse(r.body));
  const tokenOf = (booking: { cancel_reschedule_url: string }) => booking.cancel_reschedule_url.split('/').pop()!;
  const guest = (booking: { cancel_reschedule_url: string }, action: string, body: object = {}) =>
    call(server.url, 'POST', `/v2/guest/bookings/${tokenOf(booking)}/${action}`, body);

  /** Waits for the event of that type about that booking, and returns its data. */
  async function eventFor(type: string, bookingId: string): Promise<Record<string, any>> {
    await expect.poll(() => delivered().some((e) => e.type === type && e.data.id === bookingId), { timeout: 5_000 }).toBe(true);
    const event = delivered().find((e) => e.type === type && e.data.id === bookingId)!;
    expect(validPayload(event), JSON.stringify(validPayload.errors)).toBe(true);
    return event.data;
  }
  const count = (type: string, bookingId: string) => delivered().filter((e) => e.type === type && e.data.id === bookingId).length;

  it('scheduling emits booking.scheduled with the booking object, its links and its calendar id', async () => {
    const res = await book(calX, 2 * HOUR);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'booking', status: 'scheduled', owner: hostA, booking_calendar: calX, duration_minutes: 30 });
    expect(res.body.id).toMatch(/^BKNG-[A-Z0-9]{12}$/);
    const data = await eventFor('booking.scheduled', res.body.id);
    expect(data).toMatchObject({
      object: 'booking',
      status: 'scheduled',
      subject: 'Intro with Ada',
      starting_time: at(2 * HOUR),
      customer_timezone: 'America/New_York',
      owner: hostA,
      attendees: ['carrie@example.com', 'dan@example.com'],
      form_submission: { name: 'Carrie Guest', email: 'carrie@example.com', phone: '', mobile_phone: '', note: '', company: '', guests: ['dan@example.com'] },
      booking_calendar: calX,
      cancel_reschedule_information: null,
      rescheduled_booking_id: '',
      location_description: '',
      virtual_conferencing: { join_url: '' },
      external_calendar: { type: 'none', name: '', id: '', event_id: '' },
      custom_fields: [{ name: 'Topic', value: 'Pricing' }],
      conversation: null,
    });
    expect(data.cancel_reschedule_url).toBe(res.body.cancel_reschedule_url);
    expect(data.cancel_reschedule_url).toMatch(new RegExp(`^${server.url}/m/[A-Za-z0-9_-]{32}$`));
    expect(data.cancel_url).toBe(`${data.cancel_reschedule_url}/cancel`);
    expect(data.reschedule_url).toBe(`${data.cancel_reschedule_url}/reschedule`);
    expect(data.ics_url).toMatch(new RegExp(`^${server.url}/ics/[0-9a-f]{48}\\.ics$`));
  });

  it('refuses a slot that overlaps another booking of the same host, and a time in the past', async () => {
    await book(calX, 10 * HOUR);
    const clash = await book(calApproval, 10 * HOUR + 15 * 60_000);
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ type: 'invalid_request_error', param: 'start_time' });
    expect((await book(calX, -HOUR)).body).toMatchObject({ param: 'start_time' });
    expect((await book('BKC-NOPE', HOUR)).status).toBe(404);
  });

  it('finds the overlap of the longest booking (a day) that starts well before, without reading the whole history', async () => {
    const host = (await server.api('POST', '/v2/users', { first_name: 'Day', email: 'day@example.com' })).body.id;
    const cal = async (body: object) => (await server.api('POST', '/v2/booking-calendars', body)).body.id as string;
    const allDay = await cal({ host, name: 'Workshop', duration_minutes: 1440 });
    const short = await cal({ host, name: 'Check-in', duration_minutes: 15 });
    expect((await book(allDay, 300 * HOUR)).status).toBe(200);
    expect((await book(short, 300 * HOUR + 23 * HOUR + 45 * 60_000)).status).toBe(409); // its last quarter hour
    expect((await book(short, 300 * HOUR - 10 * 60_000)).status).toBe(409); // runs into its start
    expect((await book(short, 324 * HOUR)).status).toBe(200); // once it has ended
    expect((await book(short, 300 * HOUR - 15 * 60_000)).status).toBe(200); // ends as it starts
  });

  it('a guest rescheduling on the same calendar emits booking.rescheduled; the host reassigning emits booking.reassigned', async () => {
    const b = (await book(calX, 20 * HOUR)).body;
    const moved = await guest(b, 'reschedule', { start_time: at(21 * HOUR), reason: 'Train delayed' });
    expect(moved.body).toMatchObject({ status: 'rescheduled', starting_time: at(21 * HOUR) });
    expect(await eventFor('booking.rescheduled', b.id)).toMatchObject({
      status: 'rescheduled',
      starting_time: at(21 * HOUR),
      cancel_reschedule_information: { reason: 'Train delayed', actioned_by: 'customer', user_id: '' },
    });
    const reassigned = await server.api('POST', `/v2/bookings/${b.id}/reassign`, { new_host: hostB });
    expect(reassigned.body.owner).toBe(hostB);
    expect(await eventFor('booking.reassigned', b.id)).toMatchObject({ owner: hostB });
  });

  it('a booking that needs approval emits nothing until approved', async () => {
    const b = (await book(calApproval, 30 * HOUR)).body;
    expect(b.status).toBe('requested');
    const approved = await server.api('POST', `/v2/bookings/${b.id}/approve`);
    expect(approved.body.status).toBe('scheduled');
    await eventFor('booking.scheduled', b.id);
    expect(count('booking.scheduled', b.id)).toBe(1);
    const asked = await server.api('POST', `/v2/bookings/${b.id}/request-reschedule`, { reschedule_reason: 'Host is ill' });
    expect(asked.body.status).toBe('canceled');
    expect(await eventFor('booking.canceled_reschedule_requested', b.id)).toMatchObject({
      status: 'canceled',
      cancel_reschedule_information: { reason: 'Host is ill', actioned_by: 'user', user_id: hostA },
    });
  });

  it('a guest rebooking on another calendar emits booking.canceled_then_rescheduled, and the new booking links back', async () => {
    const old = (await book(calX, 40 * HOUR)).body;
    const res = await guest(old, 'rebook', { booking_calendar: calY, start_time: at(41 * HOUR) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'scheduled', owner: hostB, rescheduled_booking_id: old.id });
    expect(await eventFor('booking.canceled_then_rescheduled', old.id)).toMatchObject({
      status: 'canceled',
      cancel_reschedule_information: { actioned_by: 'customer' },
    });
    expect(await eventFor('booking.scheduled', res.body.id)).toMatchObject({ rescheduled_booking_id: old.id });
  });

  it('host and guest cancellations emit booking.canceled saying who acted', async () => {
    const a = (await book(calX, 50 * HOUR)).body;
    await server.api('POST', `/v2/bookings/${a.id}/cancel`, { cancellation_reason: 'Conflict' });
    expect(await eventFor('booking.canceled', a.id)).toMatchObject({ cancel_reschedule_information: { reason: 'Conflict', actioned_by: 'user', user_id: hostA } });
    const b = (await book(calX, 51 * HOUR)).body;
    await guest(b, 'cancel', { reason: 'Changed my mind' });
    expect(await eventFor('booking.canceled', b.id)).toMatchObject({ cancel_reschedule_information: { reason: 'Changed my mind', actioned_by: 'customer', user_id: '' } });
    const c = (await book(calX, 52 * HOUR)).body;
    await server.api('POST', `/v2/bookings/${c.id}/cancel`);
    expect(await eventFor('booking.canceled', c.id)).toMatchObject({ cancel_reschedule_information: { reason: '', actioned_by: 'user', user_id: hostA } });
  });

  it('refused transitions answer 400 and change nothing', async () => {
    const b = (await book(calX, 60 * HOUR)).body;
    const before = rx.received.length;
    const noShow = await server.api('POST', `/v2/bookings/${b.id}/no-show`);
    expect(noShow.status).toBe(400);
    expect(noShow.body.message).toMatch(/cannot be marked as no-show: its status is 'scheduled'/);
    await server.api('POST', `/v2/bookings/${b.id}/cancel`);
    expect((await guest(b, 'reschedule', { start_time: at(61 * HOUR) })).status).toBe(400);
    expect((await server.api('POST', `/v2/bookings/${b.id}/reassign`, { new_host: hostB })).status).toBe(400);
    expect((await server.api('GET', `/v2/bookings/${b.id}`)).body.status).toBe('canceled');
    expect((await call(server.url, 'POST', '/v2/guest/bookings/not-a-token/cancel', {})).status).toBe(404);
    await expect.poll(() => count('booking.canceled', b.id)).toBe(1);
    expect(rx.received.length).toBe(before + 2); // scheduled + canceled, nothing for the refusals
  });

  it('fires booking.completed once when the end time passes, after which no-show is allowed', async () => {
    const b = (await book(calX, 70 * HOUR)).body;
    clock.set(Date.parse(b.starting_time) + 29 * 60_000); // earlier bookings end meanwhile
    await server.running.timers.runDue();
    expect((await server.api('GET', `/v2/bookings/${b.id}`)).body.status).toBe('scheduled');
    clock.set(Date.parse(b.starting_time) + 30 * 60_000);
    expect(await server.running.timers.runDue()).toBe(1);
    expect(await server.running.timers.runDue()).toBe(0);
    expect(await eventFor('booking.completed', b.id)).toMatchObject({ status: 'completed' });
    const noShow = await server.api('POST', `/v2/bookings/${b.id}/no-show`);
    expect(noShow.body.status).toBe('no_show');
    expect(await eventFor('booking.no_show', b.id)).toMatchObject({ status: 'no_show' });
    expect(count('booking.completed', b.id)).toBe(1);
  });

  it('lists bookings newest first, each with its own calendar id, and pages with after', async () => {
    const first = (await book(calX, 80 * HOUR)).body;
    const second = (await book(calY, 80 * HOUR)).body;
    const page = await server.api('GET', '/v2/bookings?limit=2');
    expect(page.body).toMatchObject({ object: 'list', has_more: true });
    expect(page.body.data.map((b: { id: string; booking_calendar: string }) => [b.id, b.booking_calendar])).toEqual([
      [second.id, calY],
      [first.id, calX],
    ]);
    const next = await server.api('GET', `/v2/bookings?limit=2&after=${first.id}`);
    expect(next.body.data.map((b: { id: string }) => b.id)).not.toContain(first.id);
    expect((await server.api('GET', `/v2/bookings/${first.id}`)).body).toMatchObject({ id: first.id, booking_calendar: calX });
  });

  it('completes at start a booking that ended while hookline was down', async () => {
    const b = (await book(calY, 90 * HOUR)).body;
    await server.stop();
    clock.set(Date.parse(b.starting_time) + 2 * HOUR);
    await server.restart();
    expect(await eventFor('booking.completed', b.id)).toMatchObject({ id: b.id, status: 'completed' });
    expect(count('booking.completed', b.id)).toBe(1);
  });
});
