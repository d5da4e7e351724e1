// `hookline listen` as a developer runs it: a real hookline process, real actions over its API, and
// the listener (another process, talking HTTP with an API key) forwarding each event to a plain-http
// receiver on this machine, signed with the listen secret so that OnceHub's and Standard Webhooks'
// verification both pass. A server killed and restarted mid-stream loses and repeats nothing; two
// listeners on one account both receive; another account's events never reach them.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, processEnv, runCli, startCli, type StartedCli } from './support/cli.js';
import { call, TEST_API_KEY, tempDir, type ApiResponse } from './support/hookline.js';
import { startListen, startLocalReceiver, type Listener, type LocalReceiver } from './support/listen.js';

let procs: { stop(): Promise<unknown> }[] = [];
let receivers: LocalReceiver[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function server(env: Record<string, string>): Promise<StartedCli> {
  const s = await startCli(env);
  procs.push(s);
  return s;
}
async function listener(args: string[], env: Record<string, string>): Promise<Listener> {
  const l = await startListen(args, env);
  procs.push(l);
  return l;
}
async function receiver(): Promise<LocalReceiver> {
  const r = await startLocalReceiver();
  receivers.push(r);
  return r;
}

/** Real actions of an account over the API: a host, a calendar, bookings, a chatbot conversation. */
function actionsOn(base: () => string, key: string) {
  const api = (method: string, path: string, body?: unknown): Promise<ApiResponse> => call(base(), method, path, body, { 'API-Key': key });
  const ok = async (res: Promise<ApiResponse>) => {
    const r = await res;
    if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
    return r.body;
  };
  let calendar: string | undefined;
  let host: string | undefined;
  let slot = 0;
  const ensureCalendar = async () => {
    host ??= (await ok(api('POST', '/v2/users', { first_name: 'Lee', email: `lee-${Date.now()}@example.com` }))).id as string;
    calendar ??= (await ok(api('POST', '/v2/booking-calendars', { host, name: 'Listen calendar' }))).id as string;
    return calendar;
  };
  return {
    /** booking.scheduled; returns the booking id. */
    async book(): Promise<string> {
      const cal = await ensureCalendar();
      const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000 + slot++ * 3_600_000).toISOString();
      return (await ok(api('POST', `/v2/booking-calendars/${cal}/schedule`, { start_time: start, booking_form: { name: 'Guest', email: 'guest@example.com' } }))).id;
    },
    /** booking.canceled */
    cancel: (bookingId: string) => ok(api('POST', `/v2/bookings/${bookingId}/cancel`, { cancellation_reason: 'Testing listen' })),
    /** conversation.started; returns the conversation id. */
    async startConversation(): Promise<string> {
      await ensureCalendar();
      const website = (await ok(api('POST', '/v2/websites', { name: 'Site', url: 'https://example.com' }))).id;
      const bot = (await ok(api('POST', '/v2/chatbots', { name: 'Bot', website, owner: host, questions: [{ question: 'Why?' }] }))).id;
      return (await ok(call(base(), 'POST', `/v2/chatbots/${bot}/conversations`, { visitor_id: `visitor-${Date.now()}-0123456789` }))).id;
    },
    /** The account's event ids, oldest first. */
    async eventIds(): Promise<string[]> {
      return ((await ok(api('GET', '/v2/events?limit=100'))).data as { id: string }[]).map((e) => e.id).reverse();
    },
  };
}

const idsOf = (r: LocalReceiver) => r.received.map((q) => JSON.parse(q.body).id as string);

// Each test starts several processes (hookline, listeners, the CLI): on a loaded machine that takes a while.
describe('hookline listen', { timeout: 120_000 }, () => {
  let env: Record<string, string>;
  beforeEach(() => {
    env = processEnv(tempDir());
  });

  it('forwards the events of real actions to a local http URL, signed with the printed listen secret', async () => {
    const hookline = await server(env);
    const rx = await receiver();
    const listen = await listener(['--forward-to', rx.url, '--api-base', hookline.url], { HOOKLINE_API_KEY: TEST_API_KEY });
    expect(listen.secret).toMatch(/^[0-9a-f]{32}$/);
    expect(listen.whsec).toBe(`whsec_${Buffer.from(listen.secret!).toString('base64')}`);

    const actions = actionsOn(() => hookline.url, TEST_API_KEY);
    const booking = await actions.book();
    await actions.cancel(booking);
    const conversation = await actions.startConversation();
    await rx.waitFor(3);
    const ids = await actions.eventIds();
    expect(idsOf(rx)).toEqual(ids);
    expect(rx.received.map((r) => JSON.parse(r.body))).toMatchObject([
      { type: 'booking.scheduled', data: { id: booking } },
      { type: 'booking.canceled', data: { id: booking } },
      { type: 'conversation.started', data: { id: conversation } },
    ]);

    const wrong = new Webhook(`whsec_${Buffer.from('not the secret').toString('base64')}`);
    for (const r of rx.received) {
      const [, t, s] = /^t=(\d+),s=([0-9a-f]{64})$/.exec(r.headers['oncehub-signature']!)!;
      expect(s).toBe(createHmac('sha256', listen.secret!).update(`${t}.${r.body}`).digest('hex'));
      expect(new Webhook(listen.whsec!).verify(r.body, r.headers)).toEqual(JSON.parse(r.body));
      expect(() => wrong.verify(r.body, r.headers)).toThrow();
      expect(r.headers['webhook-id']).toBe(JSON.parse(r.body).id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toMatch(/^hookline\//);
      // The payload is the event as hookline records and delivers it.
      const { deliveries: _deliveries, ...stored } = (await call(hookline.url, 'GET', `/v2/events/${JSON.parse(r.body).id}`, undefined, { 'API-Key': TEST_API_KEY })).body;
      expect(JSON.parse(r.body)).toEqual(stored);
    }

    // One line per event: its time, type and id, the local answer and how long it took.
    const lines = await listen.waitForLines(3);
    expect(lines).toHaveLength(3);
    const types = rx.received.map((r) => JSON.parse(r.body).type as string);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${types[i]}\\s+${ids[i]}  → 200 \\(\\d+ ms\\)$`)));
    expect(listen.stderr() + lines.join('\n')).not.toContain(TEST_API_KEY);
  });

  it('keeps a secret given with --secret, filters with --events, and prints payloads with --print-json', async () => {
    const hookline = await server(env);
    const rx = await receiver();
    const remote = ['--api-base', hookline.url, '--api-key', TEST_API_KEY];
    const signing = await listener(['--forward-to', rx.url, '--secret', 'my-own-listen-secret', '--events', 'booking.canceled,conversation', ...remote], {});
    expect(signing.secret).toBe('my-own-listen-secret');
    const printing = await listener(['--print-json', '--events', 'booking', ...remote], {});
    expect(printing.stderr()).toMatch(/^Ready: printing events booking$/m);

    const actions = actionsOn(() => hookline.url, TEST_API_KEY);
    const booking = await actions.book();
    await actions.cancel(booking);
    const conversation = await actions.startConversation();

    await rx.waitFor(2);
    const printed = await printing.waitForLines(2);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(rx.received.map((r) => [JSON.parse(r.body).type, JSON.parse(r.body).data.id])).toEqual([
      ['booking.canceled', booking],
      ['conversation.started', conversation],
    ]);
    const r0 = rx.received[0]!;
    expect(new Webhook(`whsec_${Buffer.from('my-own-listen-secret').toString('base64')}`).verify(r0.body, r0.headers)).toBeTruthy();
    expect(printing.stdout()).toHaveLength(2);
    expect(printed.map((l) => JSON.parse(l).type)).toEqual(['booking.scheduled', 'booking.canceled']);
    const [scheduledId] = await actions.eventIds();
    const stored = await call(hookline.url, 'GET', `/v2/events/${scheduledId}`, undefined, { 'API-Key': TEST_API_KEY });
    const { deliveries: _deliveries, ...event } = stored.body;
    expect(JSON.parse(printed[0]!)).toEqual(event); // the payload as hookline delivers it
  });

  it('loses and repeats nothing when the server is killed and restarted mid-stream', async () => {
    let hookline = await server(env);
    const rx = await receiver();
    const listen = await listener(['--forward-to', rx.url, '--api-base', hookline.url], { HOOKLINE_API_KEY: TEST_API_KEY });
    const actions = actionsOn(() => hookline.url, TEST_API_KEY);
    const b1 = await actions.book();
    await actions.book();
    await rx.waitFor(2);

    hookline.child.kill('SIGKILL');
    await listen.waitForStderr(/Lost the connection to hookline|The connection to hookline ended/);
    // While the server is down, events are still recorded (here by `hookline trigger` on the database).
    const triggered = await runCli(['trigger', 'booking.canceled'], { HOOKLINE_DATABASE: env.HOOKLINE_DATABASE!, HOOKLINE_SECRET_KEY_FILE: env.HOOKLINE_SECRET_KEY_FILE! });
    expect(triggered.code, triggered.stderr).toBe(0);
    const port = new URL(hookline.url).port;
    hookline = await server({ ...env, HOOKLINE_PORT: port }); // the address the listener reconnects to
    await listen.waitForStderr(/Reconnected; resuming after the last event received\./);
    await actions.cancel(b1);
    await actions.book();

    const all = await actions.eventIds();
    expect(all).toHaveLength(6); // 2 booked before the kill, 2 by trigger (scheduled, canceled) while down, 2 after
    await rx.waitFor(all.length, 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(idsOf(rx)).toEqual(all);
    const lines = await listen.waitForLines(all.length);
    expect(lines.map((l) => /(EVNT-[A-Z0-9]{10})/.exec(l)![1])).toEqual(all);
  });

  it('serves two listeners on one account both, and never one account’s events to another', async () => {
    const hookline = await server(env);
    const second = await createAccount(env, 'second@example.com');
    const [rxA1, rxA2, rxB] = [await receiver(), await receiver(), await receiver()];
    const base = ['--api-base', hookline.url];
    await listener(['--forward-to', rxA1.url, ...base], { HOOKLINE_API_KEY: TEST_API_KEY });
    await listener(['--forward-to', rxA2.url, ...base], { HOOKLINE_API_KEY: TEST_API_KEY });
    await listener(['--forward-to', rxB.url, ...base], { HOOKLINE_API_KEY: second.key });

    const a = actionsOn(() => hookline.url, TEST_API_KEY);
    const b = actionsOn(() => hookline.url, second.key);
    await a.book();
    await b.book();
    await a.startConversation();
    await b.cancel(await b.book());

    const [aIds, bIds] = [await a.eventIds(), await b.eventIds()];
    expect(aIds).toHaveLength(2);
    expect(bIds).toHaveLength(3);
    await Promise.all([rxA1.waitFor(2), rxA2.waitFor(2), rxB.waitFor(3)]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(idsOf(rxA1)).toEqual(aIds);
    expect(idsOf(rxA2)).toEqual(aIds);
    expect(idsOf(rxB)).toEqual(bIds);
  });

  it('reports what the local URL answered, failures included, and goes on', async () => {
    const hookline = await server(env);
    const rx = await receiver();
    rx.answer(500);
    const listen = await listener(['--forward-to', rx.url, '--api-base', hookline.url], { HOOKLINE_API_KEY: TEST_API_KEY });
    const actions = actionsOn(() => hookline.url, TEST_API_KEY);
    const booking = await actions.book();
    await rx.waitFor(1);
    await rx.close();
    receivers = receivers.filter((r) => r !== rx);
    await actions.cancel(booking);
    const lines = await listen.waitForLines(2);
    expect(lines[0]).toMatch(/booking\.scheduled\s+EVNT-\S+  → 500 \(\d+ ms\)$/);
    expect(lines[1]).toMatch(/booking\.canceled\s+EVNT-\S+  → error: ECONNREFUSED \(\d+ ms\)$/);
  });

  it('refuses a wrong key, an unknown event type and a missing target with a clear message', async () => {
    const hookline = await server(env);
    const rx = await receiver();
    const base = ['--api-base', hookline.url];
    const badKey = await startListen(['--forward-to', rx.url, ...base], { HOOKLINE_API_KEY: 'hkl_wrong_key_0123456789abcdef' }, false);
    expect(await badKey.exited).toBe(1);
    expect(badKey.stderr()).toMatch(/hookline answered 401: /);
    const badType = await startListen(['--print-json', '--events', 'booking.exploded', ...base], { HOOKLINE_API_KEY: TEST_API_KEY }, false);
    expect(await badType.exited).toBe(1);
    expect(badType.stderr()).toMatch(/hookline answered 400: Invalid event type: 'booking\.exploded'/);
    const noTarget = await startListen([...base], { HOOKLINE_API_KEY: TEST_API_KEY }, false);
    expect(await noTarget.exited).toBe(1);
    expect(noTarget.stderr()).toMatch(/Give --forward-to <url> or --print-json/);
    const noKey = await startListen(['--print-json', ...base], {}, false);
    expect(await noKey.exited).toBe(1);
    expect(noKey.stderr()).toMatch(/No API key: pass --api-key or set HOOKLINE_API_KEY\./);
  });
});
