// The pictures on a webhook's page, in Chromium: the attempts chart (succeeded under failed, per
// hour or per 6 hours) and the latency chart (p50, p95) draw the figures GET /v2/webhooks/{id}/stats
// serves, which match the attempts themselves; bar heights follow the counts; the list shows the
// webhook's success rate.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { createWebhook } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { addAdmin, goToWebhooks, openPage, openWebhook, row, signIn } from './support/web.js';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver((req) => {
    if (req.path === '/broken') return { status: 503 };
    return { status: 200, delayMs: Number(/\/slow\/(\d+)/.exec(req.path)?.[1] ?? 0) };
  });
  server = await startServer({ env: receiverEnv() });
  await addAdmin(server);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

interface Bar {
  start: string;
  succeeded: number;
  failed: number;
  title: string;
  okHeight: number;
  failedHeight: number;
}

const bars = (page: Page): Promise<Bar[]> =>
  page.locator('svg.chart g.bar').evaluateAll((els) =>
    els.map((g) => ({
      start: g.getAttribute('data-start')!,
      succeeded: Number(g.getAttribute('data-succeeded')),
      failed: Number(g.getAttribute('data-failed')),
      title: g.querySelector('title')!.textContent!,
      okHeight: Number(g.querySelector('rect.ok')!.getAttribute('height')),
      failedHeight: Number(g.querySelector('rect.failed')!.getAttribute('height')),
    })),
  );

describe("a webhook's charts", () => {
  it('draw the figures of the stats endpoint, which match the attempts made', async () => {
    const hook = await createWebhook(server, 'Charted', `${receiver.url}/slow/30`, ['booking']);
    for (const delay of [30, 60, 90, 120]) {
      await server.api('PATCH', `/v2/webhooks/${hook.id}`, { url: `${receiver.url}/slow/${delay}` });
      expect((await server.api('POST', `/v2/webhooks/${hook.id}/test`, { type: 'booking.scheduled' })).body.success).toBe(true);
    }
    await server.api('PATCH', `/v2/webhooks/${hook.id}`, { url: `${receiver.url}/broken` });
    for (let i = 0; i < 2; i++) expect((await server.api('POST', `/v2/webhooks/${hook.id}/test`, { type: 'booking.canceled' })).body.success).toBe(false);
    // Two of the successes were made three hours ago: a second bar.
    const successes = (await server.api('GET', `/v2/webhooks/${hook.id}/deliveries?state=succeeded`)).body.data.map((d: { attempts: { id: string }[] }) => d.attempts[0]!.id);
    await server.running.ctx.db.run('UPDATE attempts SET attempted_at = attempted_at - 10800000 WHERE id IN (?, ?)', successes.slice(0, 2));
    const attempts = (await server.api('GET', `/v2/webhooks/${hook.id}/deliveries?limit=100`)).body.data.flatMap((d: { attempts: unknown[] }) => d.attempts) as {
      duration_ms: number;
    }[];
    const sorted = attempts.map((a) => a.duration_ms).sort((a, b) => a - b);
    const stats = (await server.api('GET', `/v2/webhooks/${hook.id}/stats`)).body;
    expect(stats.totals).toMatchObject({ attempts: 6, succeeded: 4, failed: 2, p50_ms: nearestRank(sorted, 0.5), p95_ms: nearestRank(sorted, 0.95) });

    const healthy = await createWebhook(server, 'Healthy', `${receiver.url}/fine`, ['conversation']);
    await server.api('POST', `/v2/webhooks/${healthy.id}/test`, { type: 'conversation.started' });
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);
    await row(page, 'Charted').getByText(/66\.7% of 6 attempts succeeded in the last 24 hours/).waitFor();
    await row(page, 'Healthy').getByText(/^Enabled · 100% of 1 attempts succeeded in the last 24 hours$/).waitFor();
    await screenshot(page, '22-webhooks-condition');
    await openWebhook(page, 'Charted');
    await page.locator('svg.chart g.bar').first().waitFor({ state: 'attached' });

    const drawn = await bars(page);
    expect(drawn.map((b) => [b.start, b.succeeded, b.failed])).toEqual(stats.intervals.map((i: { start_time: string; succeeded: number; failed: number }) => [i.start_time, i.succeeded, i.failed]));
    const busy = drawn.filter((b) => b.succeeded + b.failed > 0);
    expect(busy.length).toBeGreaterThanOrEqual(2);
    expect(busy.reduce((n, b) => n + b.succeeded, 0)).toBe(4);
    expect(busy.reduce((n, b) => n + b.failed, 0)).toBe(2);
    // Heights follow the counts: the same height per attempt in every bar, and none for none.
    const perAttempt = busy[0]!.okHeight / Math.max(busy[0]!.succeeded, 1) || busy[0]!.failedHeight / busy[0]!.failed;
    for (const b of drawn) {
      expect(b.okHeight).toBeCloseTo(b.succeeded * perAttempt, 3);
      expect(b.failedHeight).toBeCloseTo(b.failed * perAttempt, 3);
    }
    for (const b of busy) expect(b.title).toMatch(new RegExp(`: ${b.succeeded} succeeded, ${b.failed} failed$`));

    // The latency points are the intervals' p50 and p95.
    const points = await page.locator('svg.chart circle').evaluateAll((els) =>
      els.map((c) => [c.closest('g')!.getAttribute('class'), c.getAttribute('data-start'), Number(c.getAttribute('data-ms'))]),
    );
    const expected = stats.intervals.flatMap((i: { start_time: string; p50_ms: number | null; p95_ms: number | null }) =>
      i.p50_ms === null ? [] : [['line p95_ms', i.start_time, i.p95_ms], ['line p50_ms', i.start_time, i.p50_ms]],
    );
    expect([...points].sort()).toEqual([...expected].sort());
    await expect(page.locator('p.figures').textContent()).resolves.toBe(
      `6 attempts in the last 24 hours: 4 succeeded, 2 failed (66.7% succeeded). Latency p50 ${stats.totals.p50_ms} ms, p95 ${stats.totals.p95_ms} ms.`,
    );
    await screenshot(page, '18-webhook-charts', { fullPage: true });

    // The last 7 days: 28 bars of 6 hours, in the address.
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.waitForFunction(() => document.querySelectorAll('svg.chart g.bar').length === 28);
    expect(new URL(page.url()).searchParams.get('range')).toBe('7d');
    const week = (await server.api('GET', `/v2/webhooks/${hook.id}/stats?range=7d`)).body;
    expect((await bars(page)).map((b) => [b.start, b.succeeded, b.failed])).toEqual(week.intervals.map((i: { start_time: string; succeeded: number; failed: number }) => [i.start_time, i.succeeded, i.failed]));
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('svg.chart g.bar').length === 28);
    await expect(page.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await context.close();
  });
});
