// Failures look like failures, in Chromium: an attempt answered 500 shows as failed with the
// retry time and the receiver's answer; the webhook says at the top of its page and in the list
// that it is failing, why, and what to do; a 410 shows as given up with the webhook disabled and
// why; a failed test send is styled as a failure. Recover failed since… sends again what failed,
// and the open log shows it arrive without a click (live updates).
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { createWebhook, publish } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { addAdmin, goToWebhooks, openPage, openWebhook, row, signIn } from './support/web.js';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver((req) => {
    if (req.path === '/broken') return { status: 500, body: 'database is down' };
    if (req.path === '/gone') return { status: 410, body: 'this endpoint was removed' };
    return { status: 200, body: 'ok' };
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

const DANGER = 'rgb(180, 35, 24)';
const color = (l: Locator, property: 'color' | 'background-color' | 'border-left-color') => l.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);

describe('a failing webhook', () => {
  it('shows each failed attempt as failed, with its retry and the receiver\'s answer, and says at the top and in the list that it is failing', async () => {
    const hook = await createWebhook(server, 'Broken receiver', `${receiver.url}/broken`, ['booking.scheduled']);
    const before = receiver.received.length;
    await publish(server, 'booking.scheduled');
    await receiver.waitFor(before + 1);
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);

    const status = row(page, 'Broken receiver').locator('p.status');
    await status.filter({ hasText: /^Failing: the last attempt \(.+\) failed: HTTP 500; 1 delivery is waiting to be retried \(next at .+\) · 0% of \d attempts? succeeded/ }).waitFor();
    await expect(color(status, 'color')).resolves.toBe(DANGER);

    await openWebhook(page, 'Broken receiver');
    const banner = page.getByRole('region', { name: 'Deliveries to this webhook are failing' });
    await expect(banner.textContent()).resolves.toMatch(/failed: HTTP 500.*waiting to be retried.*What to do: check that https:\/\/localhost:\d+\/broken is reachable and answers 2xx/);
    await expect(color(banner, 'border-left-color')).resolves.toBe(DANGER);

    const entry = page.getByRole('list', { name: 'Delivery log' }).getByRole('listitem').first();
    await expect(entry.locator('.state').textContent()).resolves.toBe('Retrying');
    await expect(color(entry.locator('.state'), 'color')).resolves.toBe(DANGER);
    const first = entry.getByRole('row').nth(1);
    await expect(first.getByRole('cell').nth(1).textContent()).resolves.toBe('Failed: HTTP 500');
    await expect(color(first.getByRole('cell').nth(1), 'color')).resolves.toBe(DANGER);
    await expect(first.getByRole('cell').nth(3).textContent()).resolves.toMatch(/^Retrying at .+|^Sent again later$/);
    await first.getByText("Receiver's answer").click();
    await expect(first.locator('pre.excerpt').textContent()).resolves.toBe('database is down');
    await screenshot(page, '15-failing-webhook', { fullPage: true });

    // A failed test send: the outcome line is styled as a failure.
    await page.getByRole('button', { name: 'Send test event' }).click();
    const notice = page.getByRole('status').filter({ hasText: /^Test booking\.scheduled event: failed \(HTTP 500, \d+ ms\)\.$/ });
    await notice.waitFor();
    await expect(notice.getAttribute('class')).resolves.toContain('failure');
    await expect(color(notice, 'color')).resolves.toBe(DANGER);
    const test = page.getByRole('list', { name: 'Delivery log' }).getByRole('listitem').filter({ hasText: 'Test send' });
    await expect(test.locator('.state').textContent()).resolves.toBe('Failed');
    await expect(test.getByRole('cell').nth(3).textContent()).resolves.toBe('Not retried (test send)');
    await context.close();
    await server.api('DELETE', `/v2/webhooks/${hook.id}`);
  });
});

describe('a webhook disabled by a 410', () => {
  it('shows the delivery as given up and the webhook disabled with why and what to do; Recover failed since… resends it and the open log shows it arrive', async () => {
    const hook = await createWebhook(server, 'Gone receiver', `${receiver.url}/gone`, ['booking.canceled']);
    const before = receiver.received.length;
    await publish(server, 'booking.canceled');
    await receiver.waitFor(before + 1);
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);
    await row(page, 'Gone receiver').getByText(/^Disabled: The receiver answered 410 Gone: it no longer accepts deliveries\.$/).waitFor();

    await openWebhook(page, 'Gone receiver');
    const banner = page.getByRole('region', { name: 'This webhook is disabled' });
    await expect(banner.textContent()).resolves.toMatch(/Reason: The receiver answered 410 Gone: it no longer accepts deliveries\..*What to do: make sure .*\/gone answers 2xx, then choose Enable/);
    const entry = page.getByRole('list', { name: 'Delivery log' }).getByRole('listitem').first();
    await expect(entry.locator('.state').textContent()).resolves.toBe('Failed: gave up');
    await expect(entry.getByRole('cell').nth(1).textContent()).resolves.toBe('Failed: HTTP 410');
    await expect(entry.getByRole('cell').nth(3).textContent()).resolves.toBe('Gave up: 410 Gone, webhook disabled');
    await screenshot(page, '16-disabled-webhook', { fullPage: true });

    // Recovering needs the webhook enabled: the page says so, and nothing is sent.
    await page.getByRole('button', { name: 'Recover failed since…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Recover failed deliveries' });
    await dialog.getByRole('button', { name: 'Recover' }).click();
    await dialog.getByRole('alert').filter({ hasText: /is disabled: enable it before recovering its deliveries/ }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Fixed: a working URL, enabled, then recover; the log (not refreshed by hand) shows the success.
    await server.api('PATCH', `/v2/webhooks/${hook.id}`, { url: `${receiver.url}/fixed` });
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Enabled', { exact: true }).waitFor();
    await expect(page.getByRole('region', { name: 'This webhook is disabled' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Recover failed since…' }).click();
    dialog = page.getByRole('dialog', { name: 'Recover failed deliveries' });
    await dialog.getByRole('button', { name: 'Recover' }).click();
    await page.getByRole('status').filter({ hasText: '1 failed or skipped delivery was queued to be sent again.' }).waitFor();
    await entry.locator('.state').filter({ hasText: /^Succeeded$/ }).waitFor({ timeout: 20_000 });
    expect(receiver.received.filter((r) => r.path === '/fixed')).toHaveLength(1);

    // A new event while the page stays open appears by itself.
    await publish(server, 'booking.canceled');
    await page.getByRole('list', { name: 'Delivery log' }).getByRole('listitem').nth(1).waitFor({ timeout: 20_000 });
    await context.close();
  });
});
