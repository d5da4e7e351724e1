// Each conversation event comes from its real action (a visitor talking to a chatbot over HTTP, or
// the idle timer), arrives at a real HTTPS receiver with OnceHub's conversation object as it stood
// then, and every refused action changes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { manualClock, type ManualClock } from '../src/clock.js';
import { bookingEventSchema, conversationEventSchema } from '../src/events/payload-schemas.js';
import { count as countRows, createWebhook } from './support/delivery.js';
import { expectApiError } from './support/expect-api.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const ajv = new Ajv2020({ allErrors: true });
addFormats.default(ajv);
const validConversationEvent = ajv.compile(conversationEventSchema);
const validBookingEvent = ajv.compile(bookingEventSchema);

interface Delivered {
  type: string;
  data: Record<string, any>;
}

describe('conversations and their events', () => {
  let rx: Receiver;
  let server: TestServer;
  let clock: ManualClock;
  let host: Record<string, unknown>;
  let website: string;
  let calendar: string;
  let askTwice: { id: string; questions: { id: string }[] }; // two questions, no scheduling step
  let askOnce: { id: string; questions: { id: string }[] }; // one question, no scheduling step
  let booker: { id: string; questions: { id: string }[] }; // one question, then a scheduling step
  const MINUTE = 60_000;

  beforeAll(async () => {
    rx = await startReceiver();
    clock = manualClock(Date.now());
    server = await startServer({ env: receiverEnv(), clock });
    await createWebhook(server, 'conversations', `${rx.url}/h`, ['conversation', 'booking.scheduled']);
    host = (await server.api('POST', '/v2/users', { first_name: 'Ada', last_name: 'Host', email: 'ada@example.com' })).body;
    calendar = (await server.api('POST', '/v2/booking-calendars', { host: host.id, name: 'Intro call', duration_minutes: 30 })).body.id;
    website = (await server.api('POST', '/v2/websites', { name: 'Shop', url: 'https://shop.example.com' })).body.id;
    const bot = async (body: object) => (await server.api('POST', '/v2/chatbots', { website, owner: host.id, ...body })).body;
    askTwice = await bot({ name: 'Qualifier', questions: [{ question: 'What brings you here?', internal_label: 'topic' }, { question: 'Team size?' }] });
    askOnce = await bot({ name: 'Support', questions: [{ question: 'How can we help?' }] });
    booker = await bot({ name: 'Sales', questions: [{ question: 'Company?', internal_label: 'company' }], booking_calendar: calendar });
  });
  afterAll(async () => {
    for (const e of delivered()) {
      const valid = e.type.startsWith('booking.') ? validBookingEvent : validConversationEvent;
      expect(valid(e), JSON.stringify(valid.errors)).toBe(true);
    }
    await server.stop();
    await rx.close();
  });

  const delivered = (): Delivered[] => rx.received.map((r) => JSON.parse(r.body));
  const count = (type: string, id: string) => delivered().filter((e) => e.type === type && e.data.id === id).length;
  async function eventFor(type: string, id: string): Promise<Record<string, any>> {
    await expect.poll(() => count(type, id), { timeout: 5_000 }).toBeGreaterThan(0);
    return delivered().find((e) => e.type === type && e.data.id === id)!.data;
  }
  const iso = (ms = clock.now()) => new Date(ms).toISOString();
  const start = (bot: string, visitorId: string, extra: object = {}) => call(server.url, 'POST', `/v2/chatbots/${bot}/conversations`, { visitor_id: visitorId, ...extra });
  const answer = (conversation: string, visitorId: string, questionId: string, value: string) =>
    call(server.url, 'POST', `/v2/conversations/${conversation}/answers`, { visitor_id: visitorId, question_id: questionId, value });
  const book = (conversation: string, visitorId: string, body: object = {}) =>
    call(server.url, 'POST', `/v2/conversations/${conversation}/schedule`, { visitor_id: visitorId, start_time: iso(clock.now() + 3_600_000), ...body });
  const status = async (conversation: string) => (await server.api('GET', `/v2/conversations/${conversation}`)).body.status;
  const runTimers = () => server.running.timers.runDue();
  /** How many events of that type about that conversation hookline recorded (delivered or not). */
  const recorded = async (type: string, id: string) =>
    (await server.api('GET', `/v2/events?type=${type}&limit=100`)).body.data.filter((e: Delivered) => e.data.id === id).length;

  it('a visitor starting a conversation emits conversation.started with the full conversation object', async () => {
    const res = await start(askTwice.id, randomUUID(), { email: 'Vera@Example.com', first_name: 'Vera', last_name: 'Visitor' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ object: 'conversation', status: 'started', bot: askTwice.id, website, owner: host.id, answers: [], bookings: [] });
    expect(res.body.id).toMatch(/^CVR-[A-Z0-9]{10}$/);
    const data = await eventFor('conversation.started', res.body.id);
    expect(data).toMatchObject({ object: 'conversation', status: 'started', initiated_by: 'contact', creation_time: iso(), last_interacted_time: iso(), audience: null, answers: [], bookings: [] });
    expect(data.contact).toMatchObject({ object: 'contact', id: res.body.contact, email: 'vera@example.com', first_name: 'Vera', last_name: 'Visitor', owner: host.id, phone: '', employees: 0, has_consent: false, terms_of_sevice: false, status: null, timezone: '', custom_fields: [] });
    expect(data.owner).toEqual(host);
    expect(data.bot).toEqual({ id: askTwice.id, object: 'bot', name: 'Qualifier' });
    expect(data.website).toEqual({ id: website, object: 'website', name: 'Shop', url: 'https://shop.example.com' });
    expect((await server.api('GET', `/v2/contacts/${res.body.contact}`)).body).toEqual(data.contact);
    expect((await server.api('GET', '/v2/contacts')).body.data.map((c: { id: string }) => c.id)).toContain(res.body.contact);
    expect((await server.api('GET', '/v2/conversations?limit=1')).body).toMatchObject({ object: 'list', data: [{ id: res.body.id }] });
  });

  it('answers update the conversation; answering the last question emits conversation.closed', async () => {
    const v = randomUUID();
    const c = (await start(askTwice.id, v)).body;
    const [q1, q2] = askTwice.questions.map((q) => q.id) as [string, string];
    clock.advance(MINUTE);
    const first = await answer(c.id, v, q1, 'Pricing');
    expect(first.body).toMatchObject({ status: 'started', last_interacted_time: iso(), answers: [{ id: q1, internal_label: 'topic', question: 'What brings you here?', value: 'Pricing' }] });
    await answer(c.id, v, q1, 'A demo'); // answering again replaces the answer
    const racing = await Promise.all(['12', '12', '12', '12'].map((value) => answer(c.id, v, q2, value))); // one closes it, the rest find it closed
    expect(racing.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    expect(racing.find((r) => r.status === 200)!.body.status).toBe('closed');
    const data = await eventFor('conversation.closed', c.id);
    expect(data).toMatchObject({ status: 'closed', last_interacted_time: iso() });
    expect(data.answers).toEqual([
      { id: q1, internal_label: 'topic', question: 'What brings you here?', value: 'A demo' },
      { id: q2, internal_label: '', question: 'Team size?', value: '12' },
    ]);
    expect(await recorded('conversation.closed', c.id)).toBe(1);
  });

  it('the same visitor starting with a different chatbot closes its open conversation; the same chatbot resumes it', async () => {
    const v = randomUUID();
    const first = (await start(askTwice.id, v)).body;
    expect((await start(askTwice.id, v)).body.id).toBe(first.id);
    const second = (await start(askOnce.id, v)).body;
    expect(second.id).not.toBe(first.id);
    expect(second.contact).toBe(first.contact);
    expect(await eventFor('conversation.closed', first.id)).toMatchObject({ status: 'closed', bot: { id: askTwice.id } });
    expect(await eventFor('conversation.started', second.id)).toMatchObject({ status: 'started', bot: { id: askOnce.id } });
    expect(count('conversation.started', first.id)).toBe(1);
  });

  it('booking in the scheduling step makes a booking that carries the expanded conversation, and closes the conversation', async () => {
    const v = randomUUID();
    const c = (await start(booker.id, v, { email: 'carrie@example.com', first_name: 'Carrie' })).body;
    await answer(c.id, v, booker.questions[0]!.id, 'Acme');
    const res = await book(c.id, v, { timezone: 'Europe/Paris' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ object: 'booking', status: 'scheduled', conversation: c.id, booking_calendar: calendar, form_submission: { name: 'Carrie', email: 'carrie@example.com' } });
    const booking = await eventFor('booking.scheduled', res.body.id);
    expect(booking.conversation).toMatchObject({
      object: 'conversation', id: c.id, bookings: [res.body.id], answers: [{ value: 'Acme' }],
      contact: { object: 'contact', email: 'carrie@example.com' }, owner: { object: 'user', id: host.id }, bot: { object: 'bot', id: booker.id },
    });
    expect(await eventFor('conversation.closed', c.id)).toMatchObject({ status: 'closed', bookings: [res.body.id] });
    expect((await server.api('GET', `/v2/conversations/${c.id}`)).body).toMatchObject({ status: 'closed', bookings: [res.body.id] });
  });

  it('abandons an idle conversation once, after the idle time and not before; an answer pushes it back', async () => {
    const v = randomUUID();
    const c = (await start(askTwice.id, v)).body;
    const t0 = clock.now();
    clock.set(t0 + 5 * MINUTE);
    await answer(c.id, v, askTwice.questions[0]!.id, 'Pricing');
    clock.set(t0 + 10 * MINUTE); // idle time since the start, not since the answer
    await runTimers();
    expect(await status(c.id)).toBe('started');
    clock.set(t0 + 15 * MINUTE - 1);
    await runTimers();
    expect(await status(c.id)).toBe('started');
    clock.set(t0 + 15 * MINUTE);
    await expect.poll(async () => (await runTimers(), status(c.id))).toBe('abandoned');
    expect(await eventFor('conversation.abandoned', c.id)).toMatchObject({ status: 'abandoned', last_interacted_time: iso(t0 + 5 * MINUTE), answers: [{ value: 'Pricing' }] });
    clock.advance(60 * MINUTE);
    await runTimers();
    expect(await recorded('conversation.abandoned', c.id)).toBe(1);
    const ids = async (type: string) => (await server.api('GET', `/v2/events?type=${type}&limit=100`)).body.data.map((e: Delivered) => e.data.id);
    const closed = await ids('conversation.closed');
    expect(closed.length).toBeGreaterThan(0);
    expect((await ids('conversation.abandoned')).filter((id: string) => closed.includes(id))).toEqual([]); // closed ones never are
    expectApiError(await answer(c.id, v, askTwice.questions[1]!.id, '3'), 400, { message: `Conversation '${c.id}' cannot be answered: its status is 'abandoned'.`, param: 'id' });
  });

  it('refused actions answer 4xx in OnceHub\'s shape and change nothing', async () => {
    const [v, done, early] = [randomUUID(), randomUUID(), randomUUID()];
    const c = (await start(askOnce.id, v)).body;
    const closed = (await start(askOnce.id, done)).body;
    await answer(closed.id, done, askOnce.questions[0]!.id, 'Thanks');
    const e = (await start(booker.id, early)).body;
    const snapshot = async () => ({
      conversations: await Promise.all([c.id, closed.id, e.id].map(async (id) => (await server.api('GET', `/v2/conversations/${id}`)).body)),
      events: await countRows(server, 'SELECT COUNT(*) AS n FROM events'),
      contacts: await countRows(server, 'SELECT COUNT(*) AS n FROM contacts'),
      bookings: await countRows(server, 'SELECT COUNT(*) AS n FROM bookings'),
    });
    const before = await snapshot();
    const q = askOnce.questions[0]!.id;
    expectApiError(await start('BOT-NOSUCHBOT0', randomUUID()), 404, { message: "No such chatbot: 'BOT-NOSUCHBOT0'", param: 'id' });
    expectApiError(await start(askOnce.id, 'short'), 400, { param: 'visitor_id' });
    expectApiError(await answer(closed.id, done, q, 'Again'), 400, { message: `Conversation '${closed.id}' cannot be answered: its status is 'closed'.`, param: 'id' });
    expectApiError(await answer(c.id, v, 'INT-NOSUCHQUEST', 'x'), 400, { message: `Invalid question_id: chatbot '${askOnce.id}' has no question 'INT-NOSUCHQUEST'.`, param: 'question_id' });
    expectApiError(await answer(c.id, randomUUID(), q, 'x'), 404, { message: `No such conversation: '${c.id}'`, param: 'id' }); // another visitor's
    expectApiError(await book(c.id, v), 400, { message: `Chatbot '${askOnce.id}' has no scheduling step.`, param: 'id' });
    expectApiError(await book(e.id, early), 400, { message: `Answer question '${booker.questions[0]!.id}' first: scheduling is the last step of the flow.`, param: 'id' });
    expectApiError(await book(closed.id, done), 400, { message: `Conversation '${closed.id}' cannot be scheduled in: its status is 'closed'.`, param: 'id' });
    expect(await snapshot()).toEqual(before);

    await answer(e.id, early, booker.questions[0]!.id, 'Acme');
    const answered = await snapshot();
    expectApiError(await book(e.id, early, { start_time: iso(clock.now() - MINUTE) }), 400, { param: 'start_time' }); // the booking fails: the whole action rolls back
    expect(await snapshot()).toEqual(answered);
  });

  it('abandons at start a conversation whose idle time passed while hookline was down', async () => {
    const c = (await start(askOnce.id, randomUUID())).body;
    await server.running.stop();
    clock.advance(11 * MINUTE);
    await server.restart();
    expect(await eventFor('conversation.abandoned', c.id)).toMatchObject({ id: c.id, status: 'abandoned' });
    expect(await recorded('conversation.abandoned', c.id)).toBe(1);
  });
});
