// GET /metrics over real HTTP: exact counts of published events, delivery attempts (to real HTTPS
// receivers answering 200 and 500), finished deliveries and fired timers; the backlog gauges with
// deliveries held due by a test clock; and a scrape that still answers when the database does not.
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../src/clock.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { Db } from '../src/storage/db.js';
import { createWebhook, publish } from './support/delivery.js';
import { call, startServer, TEST_API_KEY, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with exactly these labels (besides role), or undefined. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}, role = 'all'): number | undefined {
  const want = { ...labels, role };
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === Object.keys(want).length && Object.entries(want).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`several samples ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const res = await call(url, 'GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, samples: parse(res.text) };
}

const servers: TestServer[] = [];
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function setUp(clock: ManualClock): Promise<{ server: TestServer; ok: Receiver; failing: Receiver }> {
  const ok = await startReceiver(() => ({ status: 200, body: 'ok' }));
  const failing = await startReceiver(() => ({ status: 500, body: 'broken' }));
  receivers.push(ok, failing);
  // No poll comes within the test: the dispatcher looks for due deliveries when published to, or woken.
  const server = await startServer({ env: { ...receiverEnv(), HOOKLINE_POLL_INTERVAL_MS: '60000' }, clock });
  servers.push(server);
  return { server, ok, failing };
}

describe('GET /metrics', () => {
  it('counts events, attempts by outcome and finished deliveries exactly, and reads the backlog', async () => {
    const clock = manualClock(Date.now());
    const { server, ok, failing } = await setUp(clock);
    const good = await createWebhook(server, 'good', `${ok.url}/good-hook`, ['booking']);
    const bad = await createWebhook(server, 'bad', `${failing.url}/bad-hook`, ['booking.scheduled']);

    await publish(server, 'booking.scheduled');
    await publish(server, 'booking.scheduled');
    await publish(server, 'booking.canceled');
    await ok.waitFor(3);
    await failing.waitFor(2);
    await server.running.dispatcher.idle();

    let { text, samples } = await scrape(server.url);
    expect(valueOf(samples, 'hookline_events_published_total', { type: 'booking.scheduled' })).toBe(2);
    expect(valueOf(samples, 'hookline_events_published_total', { type: 'booking.canceled' })).toBe(1);
    expect(valueOf(samples, 'hookline_events_published_total', { type: 'booking.completed' })).toBe(0);
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'success' })).toBe(3);
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'http_error' })).toBe(2);
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'timeout' })).toBe(0);
    expect(valueOf(samples, 'hookline_delivery_attempt_duration_seconds_count')).toBe(5);
    expect(valueOf(samples, 'hookline_delivery_attempt_duration_seconds_bucket', { le: '+Inf' })).toBe(5);
    expect(valueOf(samples, 'hookline_deliveries_finished_total', { state: 'succeeded' })).toBe(3);
    expect(valueOf(samples, 'hookline_deliveries_finished_total', { state: 'failed' })).toBe(0);
    // The two failed deliveries wait for their retry, due a few seconds from now by the test clock.
    expect(valueOf(samples, 'hookline_deliveries_pending')).toBe(2);
    expect(valueOf(samples, 'hookline_deliveries_backlog')).toBe(0);
    expect(valueOf(samples, 'hookline_deliveries_backlog_age_seconds')).toBe(0);

    // Every series carries the role; Node's process metrics come along.
    for (const s of samples) expect(s.labels.role, s.name).toBe('all');
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
    // Nothing about a webhook: no id, URL, host or secret, and no API key.
    for (const secret of [good.id, bad.id, good.secret, bad.secret, ok.url, failing.url, 'good-hook', 'bad-hook', 'localhost', TEST_API_KEY]) {
      expect(text).not.toContain(secret);
    }

    // Past their retry time (the dispatcher is not told): both are due, the oldest for 90 s.
    const { t } = (await server.running.ctx.db.get<{ t: number }>("SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending'"))!;
    clock.set(Number(t) + 90_000);
    ({ samples } = await scrape(server.url));
    expect(valueOf(samples, 'hookline_deliveries_pending')).toBe(2);
    expect(valueOf(samples, 'hookline_deliveries_backlog')).toBe(2);
    expect(valueOf(samples, 'hookline_deliveries_backlog_age_seconds')).toBe(90);

    failing.respond(() => ({ status: 204 }));
    server.running.dispatcher.wake();
    await failing.waitFor(4);
    await server.running.dispatcher.idle();
    ({ samples } = await scrape(server.url));
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'success' })).toBe(5);
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'http_error' })).toBe(2);
    expect(valueOf(samples, 'hookline_delivery_attempt_duration_seconds_count')).toBe(7);
    expect(valueOf(samples, 'hookline_deliveries_finished_total', { state: 'succeeded' })).toBe(5);
    expect(valueOf(samples, 'hookline_deliveries_pending')).toBe(0);
    expect(valueOf(samples, 'hookline_deliveries_backlog')).toBe(0);
    expect(valueOf(samples, 'hookline_deliveries_backlog_age_seconds')).toBe(0);
    // Both webhooks' first deliveries were claimed, and the retries in a later claim.
    expect(valueOf(samples, 'hookline_delivery_claims_total', { result: 'found' })).toBeGreaterThanOrEqual(3);
    expect(samples.some((x) => x.name === 'hookline_delivery_claims_total' && x.labels.result === 'empty')).toBe(true);
  });

  it('counts a test send: its event, its one attempt and its final state', async () => {
    const { server, failing } = await setUp(manualClock(Date.now()));
    const bad = await createWebhook(server, 'bad', `${failing.url}/h`, ['booking']);
    const res = await server.api('POST', `/v2/webhooks/${bad.id}/test`, { type: 'booking.no_show' });
    expect(res.body).toMatchObject({ success: false });
    const { samples } = await scrape(server.url);
    expect(valueOf(samples, 'hookline_events_published_total', { type: 'booking.no_show' })).toBe(1);
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'http_error' })).toBe(1);
    expect(valueOf(samples, 'hookline_deliveries_finished_total', { state: 'failed' })).toBe(1);
    expect(valueOf(samples, 'hookline_deliveries_pending')).toBe(0);
  });

  it('counts a fired timer by kind, and the event it published', async () => {
    const clock = manualClock(Date.now());
    const { server } = await setUp(clock);
    const host = (await server.api('POST', '/v2/users', { first_name: 'Ada', email: 'ada@example.com' })).body.id;
    const calendar = (await server.api('POST', '/v2/booking-calendars', { host, name: 'Intro', duration_minutes: 30 })).body.id;
    const start = clock.now() + 86_400_000;
    const booking = await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, {
      start_time: new Date(start).toISOString(),
      booking_form: { name: 'Guest', email: 'guest@example.com' },
    });
    expect(booking.status).toBe(200);
    clock.set(start + 30 * 60_000);
    expect(await server.running.timers.runDue()).toBe(1);
    const { samples } = await scrape(server.url);
    expect(valueOf(samples, 'hookline_timers_fired_total', { kind: 'booking.completed' })).toBe(1);
    expect(valueOf(samples, 'hookline_timers_fired_total', { kind: 'conversation.abandoned' })).toBe(0);
    expect(valueOf(samples, 'hookline_events_published_total', { type: 'booking.scheduled' })).toBe(1);
    expect(valueOf(samples, 'hookline_events_published_total', { type: 'booking.completed' })).toBe(1);
  });

  it('needs no API key and is not in the OpenAPI document', async () => {
    const { server } = await setUp(manualClock(Date.now()));
    expect((await call(server.url, 'GET', '/metrics', undefined, { 'API-Key': 'wrong' })).status).toBe(200);
    const doc = (await call(server.url, 'GET', '/v2/openapi.json')).body;
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });
});

describe('a scrape when the database does not answer', () => {
  const logger = createLogger('silent');
  const failing = (get: Db['get']) => ({ get }) as unknown as Db;

  it('still answers, with the backlog gauges NaN', async () => {
    const metrics = createMetrics('worker', { db: failing(() => Promise.reject(new Error('connection refused'))), clock: manualClock(), logger });
    const samples = parse(await metrics.render());
    expect(valueOf(samples, 'hookline_deliveries_pending', {}, 'worker')).toBeNaN();
    expect(valueOf(samples, 'hookline_deliveries_backlog', {}, 'worker')).toBeNaN();
    expect(valueOf(samples, 'hookline_deliveries_backlog_age_seconds', {}, 'worker')).toBeNaN();
    expect(valueOf(samples, 'hookline_delivery_attempts_total', { outcome: 'success' }, 'worker')).toBe(0);
  });

  it('does not wait more than a few seconds for a database that hangs', async () => {
    const metrics = createMetrics('api', { db: failing(() => new Promise(() => {})), clock: manualClock(), logger });
    const started = Date.now();
    const samples = parse(await metrics.render());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(valueOf(samples, 'hookline_deliveries_backlog', {}, 'api')).toBeNaN();
  });
});
