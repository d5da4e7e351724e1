// The links a booking carries, used as a guest would, in Chromium: cancel_reschedule_url opens the
// booking's page, cancel_url cancels it with a reason, reschedule_url picks a new time (also after the
// host asked for one), and ics_url downloads a valid iCalendar file with the booking's times and
// organizer. The tokens in those links never reach the log.
import { Writable } from 'node:stream';
import ICAL from 'ical.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { launchChromium, screenshot } from './support/browser.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

interface Booking {
  id: string;
  starting_time: string;
  cancel_reschedule_url: string;
  cancel_url: string;
  reschedule_url: string;
  ics_url: string;
}

describe("the guest's pages", () => {
  let rx: Receiver;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let host: string;
  let calendar: string;
  const logs: string[] = [];
  const HOUR = 3_600_000;

  beforeAll(async () => {
    rx = await startReceiver();
    const sink = new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) });
    server = await startServer({ env: receiverEnv(), logger: createLogger('info', sink) });
    await server.api('POST', '/v2/webhooks', { name: 'bookings', url: `${rx.url}/h`, events: ['booking'] });
    host = (await server.api('POST', '/v2/users', { email: 'hanna.host@example.com', first_name: 'Hanna', last_name: 'Host' })).body.id;
    calendar = (await server.api('POST', '/v2/booking-calendars', { host, name: 'Consultation', subject: 'Consultation with Hanna', duration_minutes: 45, location: 'Room 4' })).body.id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server.stop();
    await rx.close();
  });

  /** Books a slot `hours` ahead, at a whole hour, for a guest in New York; answers the booking as its webhook carried it. */
  async function book(hours: number): Promise<Booking> {
    const start = new Date(Math.ceil(Date.now() / HOUR) * HOUR + hours * HOUR).toISOString();
    const res = await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, {
      start_time: start,
      timezone: 'America/New_York',
      booking_form: { name: 'Carrie Guest', email: 'carrie@example.com', guests: ['dan@example.com'], note: 'About the roof' },
    });
    expect(res.status, res.text).toBe(200);
    return (await eventFor('booking.scheduled', res.body.id)) as Booking;
  }
  async function eventFor(type: string, id: string): Promise<Record<string, any>> {
    const find = () => rx.received.map((r) => JSON.parse(r.body)).find((e) => e.type === type && e.data.id === id);
    await expect.poll(find, { timeout: 5_000 }).toBeDefined();
    return find().data;
  }
  const typesFor = (id: string) => rx.received.map((r) => JSON.parse(r.body)).filter((e) => e.data.id === id).map((e) => e.type);

  it('cancel_reschedule_url shows the booking in the guest\'s time zone, with its actions', async () => {
    const b = await book(48);
    const res = await page.goto(b.cancel_reschedule_url);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(res?.headers()['referrer-policy']).toBe('no-referrer');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Consultation with Hanna');
    const when = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', dateStyle: 'full', timeStyle: 'short' }).format(new Date(b.starting_time));
    const text = await page.locator('main').innerText();
    for (const part of [when, 'America/New_York', '45 minutes', 'Hanna Host', 'Carrie Guest', 'Room 4', 'Scheduled']) expect(text).toContain(part);
    for (const name of ['Reschedule', 'Cancel booking', 'Add to calendar (.ics)']) await expect.poll(() => page.getByRole('link', { name }).count()).toBe(1);
    await screenshot(page, 'guest-booking');
  });

  it('cancel_url cancels with the reason given: booking.canceled, actioned by the customer', async () => {
    const b = await book(50);
    await page.goto(b.cancel_url);
    await page.getByLabel('Reason (optional)').fill('Found another contractor');
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.waitForURL(/\?done=canceled$/);
    expect(await page.getByRole('status').textContent()).toBe('Your booking is canceled.');
    expect(await page.locator('main').innerText()).toContain('Canceled');
    const data = await eventFor('booking.canceled', b.id);
    expect(data.cancel_reschedule_information).toEqual({ reason: 'Found another contractor', actioned_by: 'customer', user_id: '' });
    // Reloading the confirmation does not cancel twice; the page no longer offers to cancel.
    await page.reload();
    expect(await page.getByRole('link', { name: 'Cancel booking' }).count()).toBe(0);
    expect(typesFor(b.id)).toEqual(['booking.scheduled', 'booking.canceled']);
  });

  it("reschedule_url moves the booking to the time picked in the guest's zone: booking.rescheduled", async () => {
    const b = await book(60);
    await page.goto(b.reschedule_url);
    const wanted = new Date(Date.parse(b.starting_time) + 26 * HOUR);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(wanted).replace(' ', 'T');
    await page.getByLabel('New date and time').fill(local);
    await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
    await page.getByLabel('Reason (optional)').fill('Travelling');
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await page.waitForURL(/\?done=rescheduled$/);
    const data = await eventFor('booking.rescheduled', b.id);
    expect(data).toMatchObject({ status: 'rescheduled', starting_time: wanted.toISOString(), cancel_reschedule_information: { reason: 'Travelling', actioned_by: 'customer', user_id: '' } });
  });

  it('a time the host is busy at shows the form again with the reason, and changes nothing', async () => {
    const busy = await book(80);
    const b = await book(82);
    await page.goto(b.reschedule_url);
    await page.getByLabel('Time zone').selectOption('UTC');
    await page.getByLabel('New date and time').fill(busy.starting_time.slice(0, 16));
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Reschedule' }).click();
    expect((await answer).status()).toBe(409);
    expect(await page.getByRole('alert').textContent()).toMatch(/already has a booking that overlaps/);
    expect(typesFor(b.id)).toEqual(['booking.scheduled']);
    expect((await server.api('GET', `/v2/bookings/${b.id}`)).body.starting_time).toBe(b.starting_time);
  });

  it('after the host asks for a new time, the page says so and the guest picks one: booking.rescheduled', async () => {
    const b = await book(100);
    await server.api('POST', `/v2/bookings/${b.id}/request-reschedule`, { reschedule_reason: 'I am on leave that week' });
    await page.goto(b.cancel_reschedule_url);
    expect(await page.locator('main').innerText()).toContain('Your host canceled this meeting and asked you to pick a new time. Reason: I am on leave that week');
    await page.getByRole('link', { name: 'Pick a new time' }).click();
    await page.getByLabel('Time zone').selectOption('UTC');
    const next = new Date(Date.parse(b.starting_time) + 7 * 24 * HOUR).toISOString();
    await page.getByLabel('New date and time').fill(next.slice(0, 16));
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await page.waitForURL(/\?done=rescheduled$/);
    expect(await eventFor('booking.rescheduled', b.id)).toMatchObject({ status: 'rescheduled', starting_time: next });
    expect(typesFor(b.id)).toEqual(['booking.scheduled', 'booking.canceled_reschedule_requested', 'booking.rescheduled']);
  });

  it('at 390 px the booking page fits the screen', async () => {
    const b = await book(120);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(b.cancel_reschedule_url);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'guest-booking');
    await phone.goto(b.reschedule_url);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'guest-reschedule');
    await phone.close();
  });

  it('an unknown or altered link is a 404 page, not the booking', async () => {
    const b = await book(130);
    const res = await page.goto(`${b.cancel_reschedule_url.slice(0, -2)}xx`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Booking not found');
    expect((await fetch(b.ics_url.replace(/[0-9a-f]{4}\.ics$/, '0000.ics'))).status).toBe(404);
  });

  describe('ics_url', () => {
    const eventOf = (text: string) => new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!);

    it('downloads a valid iCalendar file with the booking\'s times, organizer and attendees', async () => {
      const b = await book(140);
      const res = await fetch(b.ics_url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="bkng-[a-z0-9]{12}\.ics"$/);
      const text = await res.text();
      expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
      const calendarFile = new ICAL.Component(ICAL.parse(text));
      expect(calendarFile.getFirstPropertyValue('version')).toBe('2.0');
      const event = eventOf(text);
      expect(event.startDate.toJSDate().toISOString()).toBe(b.starting_time);
      expect(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()).toBe(45 * 60_000);
      expect(event.summary).toBe('Consultation with Hanna');
      expect(event.location).toBe('Room 4');
      expect(event.uid).toMatch(new RegExp(`^${b.id}@`));
      expect(event.organizer.toLowerCase()).toBe('mailto:hanna.host@example.com');
      expect(event.component.getFirstProperty('organizer')!.getParameter('cn')).toBe('Hanna Host');
      const attendees = event.attendees.map((a) => String(a.getFirstValue()).toLowerCase());
      expect(attendees).toEqual(['mailto:carrie@example.com', 'mailto:dan@example.com']);
      expect(event.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
    });

    it('follows the booking: a reschedule moves the times and raises SEQUENCE, a cancel says CANCELLED', async () => {
      const b = await book(150);
      const first = eventOf(await (await fetch(b.ics_url)).text());
      const token = b.cancel_reschedule_url.split('/').pop();
      const later = new Date(Date.parse(b.starting_time) + 2 * HOUR).toISOString();
      await new Promise((r) => setTimeout(r, 1100)); // SEQUENCE counts seconds since the booking was made
      expect((await fetch(`${server.url}/v2/guest/bookings/${token}/reschedule`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start_time: later }) })).status).toBe(200);
      const moved = eventOf(await (await fetch(b.ics_url)).text());
      expect(moved.uid).toBe(first.uid);
      expect(moved.startDate.toJSDate().toISOString()).toBe(later);
      expect(moved.sequence).toBeGreaterThan(first.sequence);
      await server.api('POST', `/v2/bookings/${b.id}/cancel`);
      expect(eventOf(await (await fetch(b.ics_url)).text()).component.getFirstPropertyValue('status')).toBe('CANCELLED');
    });
  });

  it('never writes a guest token or an .ics token to the log, though it logs those requests', async () => {
    const b = await book(160);
    await page.goto(b.cancel_reschedule_url);
    await fetch(b.ics_url);
    await fetch(b.cancel_url.replace('/m/', '/v2/guest/bookings/').replace(/\/cancel$/, ''));
    const tokens = rx.received.flatMap((r) => {
      const data = JSON.parse(r.body).data;
      return [data.cancel_reschedule_url.split('/').pop(), /\/ics\/([0-9a-f]+)\.ics$/.exec(data.ics_url)![1]];
    });
    expect(tokens.length).toBeGreaterThan(10);
    const log = logs.join('');
    expect(log).toContain('"url":"/m/[redacted]"');
    expect(log).toContain('"url":"/ics/[redacted].ics"');
    expect(log).toContain('"url":"/v2/guest/bookings/[redacted]"');
    for (const token of new Set(tokens)) expect(log).not.toContain(token);
  });
});
