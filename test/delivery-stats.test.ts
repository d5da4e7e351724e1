// The delivery figures (hookline extension): GET /v2/webhooks/{id}/stats counts one webhook's
// attempts per interval (succeeded against failed) with p50/p95 durations, and GET /v2/webhook-stats
// gives each webhook's last-day success rate and condition. The expected figures are worked out here
// from the attempts themselves (as the delivery log lists them), not from the same SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook, waitUntil } from './support/delivery.js';
import { expectApiError } from './support/expect-api.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  // Paths ending in /fail answer 500, others 200 after the delay the path names (/slow/40).
  receiver = await startReceiver((req) => {
    if (req.path.endsWith('/fail')) return { status: 500, body: 'broken' };
    const delay = Number(/\/slow\/(\d+)/.exec(req.path)?.[1] ?? 0);
    return { status: 200, body: 'ok', delayMs: delay };
  });
  server = await startServer({ env: receiverEnv() });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

async function attemptsOf(webhookId: string): Promise<{ duration_ms: number; error_kind: string | null; attempt_time: string }[]> {
  const log = await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?limit=100`);
  return log.body.data.flatMap((d: { attempts: unknown[] }) => d.attempts);
}

describe('one webhook over time', () => {
  it('counts succeeded and failed attempts per interval with their p50 and p95 durations', async () => {
    const ok = await createWebhook(server, 'Figures', `${receiver.url}/slow/60`);
    const sends: [string, string][] = [];
    // Seven test sends: four answered 200 (slowed), three answered 500 (the URL is changed in between).
    for (let i = 0; i < 4; i++) sends.push([ok.id, 'booking.scheduled']);
    for (const [id, type] of sends) expect((await server.api('POST', `/v2/webhooks/${id}/test`, { type })).body.success).toBe(true);
    await server.api('PATCH', `/v2/webhooks/${ok.id}`, { url: `${receiver.url}/fail` });
    for (let i = 0; i < 3; i++) expect((await server.api('POST', `/v2/webhooks/${ok.id}/test`, { type: 'booking.canceled' })).body.success).toBe(false);

    const attempts = await attemptsOf(ok.id);
    expect(attempts).toHaveLength(7);
    const durations = attempts.map((a) => a.duration_ms).sort((a, b) => a - b);
    const stats = await server.api('GET', `/v2/webhooks/${ok.id}/stats`);
    expect(stats.status, stats.text).toBe(200);
    expect(stats.body).toMatchObject({ object: 'webhook_stats', webhook_id: ok.id, range: '24h', interval_seconds: 3600 });
    expect(stats.body.totals).toEqual({
      attempts: 7,
      succeeded: 4,
      failed: 3,
      success_rate: 0.5714,
      p50_ms: nearestRank(durations, 0.5),
      p95_ms: nearestRank(durations, 0.95),
    });
    expect(stats.body.intervals).toHaveLength(24);
    const start = Date.parse(stats.body.start_time);
    expect(start % 3_600_000).toBe(0);
    expect(Date.parse(stats.body.end_time) - start).toBe(24 * 3_600_000);
    const busy = stats.body.intervals.filter((i: { attempts: number }) => i.attempts > 0);
    // Every attempt was made within the last minute: one interval (two when an hour began meanwhile).
    expect(busy.reduce((n: number, i: { attempts: number }) => n + i.attempts, 0)).toBe(7);
    expect(busy.reduce((n: number, i: { failed: number }) => n + i.failed, 0)).toBe(3);
    for (const i of busy) {
      const inside = attempts.filter((a) => Date.parse(a.attempt_time) >= Date.parse(i.start_time) && Date.parse(a.attempt_time) < Date.parse(i.start_time) + 3_600_000);
      const sorted = inside.map((a) => a.duration_ms).sort((a, b) => a - b);
      expect(i).toMatchObject({ attempts: inside.length, p50_ms: nearestRank(sorted, 0.5), p95_ms: nearestRank(sorted, 0.95) });
    }
    for (const i of stats.body.intervals.filter((x: { attempts: number }) => x.attempts === 0)) expect(i).toMatchObject({ succeeded: 0, failed: 0, p50_ms: null, p95_ms: null });
    expect(stats.body.summary).toMatchObject({ condition: 'failing', attempts_24h: 7, succeeded_24h: 4, failed_24h: 3, retrying: 0 });
    expect(stats.body.summary.last_attempt).toMatchObject({ succeeded: false, status_code: 500, error_kind: 'http_status' });

    // Attempts made two days ago are outside the last 24 hours, inside the last 7 days.
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    await server.running.ctx.db.run(
      `UPDATE attempts SET attempted_at = ? WHERE webhook_id = ? AND error_kind IS NOT NULL`,
      [twoDaysAgo, ok.id],
    );
    const day = await server.api('GET', `/v2/webhooks/${ok.id}/stats?range=24h`);
    expect(day.body.totals).toMatchObject({ attempts: 4, succeeded: 4, failed: 0, success_rate: 1 });
    const week = await server.api('GET', `/v2/webhooks/${ok.id}/stats?range=7d`);
    expect(week.body).toMatchObject({ range: '7d', interval_seconds: 21_600 });
    expect(week.body.intervals).toHaveLength(28);
    expect(week.body.totals).toMatchObject({ attempts: 7, failed: 3 });
    const old = week.body.intervals.find((i: { start_time: string }) => Date.parse(i.start_time) <= twoDaysAgo && twoDaysAgo < Date.parse(i.start_time) + 21_600_000);
    expect(old).toMatchObject({ attempts: 3, succeeded: 0, failed: 3 });
  });

  it("refuses an unknown range and another account's webhook", async () => {
    const hook = await createWebhook(server, 'Range check', `${receiver.url}/x`);
    expectApiError(await server.api('GET', `/v2/webhooks/${hook.id}/stats?range=1y`), 400, { param: 'range' });
    expectApiError(await server.api('GET', '/v2/webhooks/WHK-ZZZZZZZZZZ/stats'), 404, { param: 'id' });
  });
});

describe('the list of webhooks', () => {
  it("gives each webhook's last-day success rate and whether it is idle, healthy, failing or disabled", async () => {
    const idle = await createWebhook(server, 'Summary idle', `${receiver.url}/idle`, ['conversation.started']);
    const healthy = await createWebhook(server, 'Summary healthy', `${receiver.url}/fine`, ['conversation.started']);
    const failing = await createWebhook(server, 'Summary failing', `${receiver.url}/fail`, ['booking.no_show']);
    const disabled = await createWebhook(server, 'Summary disabled', `${receiver.url}/off`, ['conversation.started']);
    await server.api('POST', `/v2/webhooks/${healthy.id}/test`, { type: 'booking.scheduled' });
    await server.api('PATCH', `/v2/webhooks/${disabled.id}`, { status: 'disabled' });
    // A real event to the failing webhook: its delivery fails and waits for a retry.
    const { publish } = await import('./support/delivery.js');
    await publish(server, 'booking.no_show');
    await waitUntil(async () => (await attemptsOf(failing.id)).length > 0, 15_000, 'the first attempt');

    const list = await server.api('GET', '/v2/webhook-stats?limit=100');
    expect(list.status, list.text).toBe(200);
    const of = (id: string) => list.body.data.find((s: { webhook_id: string }) => s.webhook_id === id);
    expect(of(idle.id)).toMatchObject({ condition: 'idle', attempts_24h: 0, success_rate_24h: null, last_attempt: null, retrying: 0, next_retry_time: null });
    expect(of(healthy.id)).toMatchObject({ condition: 'healthy', attempts_24h: 1, succeeded_24h: 1, success_rate_24h: 1 });
    expect(of(failing.id)).toMatchObject({ condition: 'failing', retrying: 1, success_rate_24h: 0 });
    expect(Date.parse(of(failing.id).next_retry_time)).toBeGreaterThan(Date.now());
    expect(of(disabled.id)).toMatchObject({ condition: 'disabled' });

    // Paged as the webhooks list is: the same webhooks in the same order.
    const page = await server.api('GET', '/v2/webhook-stats?limit=2');
    const webhooks = await server.api('GET', '/v2/webhooks?limit=2');
    expect(page.body.data.map((s: { webhook_id: string }) => s.webhook_id)).toEqual(webhooks.body.data.map((w: { id: string }) => w.id));
    expect(page.body.has_more).toBe(true);
    expect(page.headers.get('link')).toMatch(/\/v2\/webhook-stats\?after=WHK-/);
  });
});
