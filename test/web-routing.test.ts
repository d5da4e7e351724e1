// Every view has its own address, in Chromium: a webhook's page and its delivery log's filters and
// page are in the URL, so reload, Back and a link opened elsewhere (after signing in) show the same
// deliveries; paging goes through the whole log; an event's deliveries have their own page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { createWebhook, publish, waitUntil } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { addAdmin, goToWebhooks, openPage, openWebhook, signIn } from './support/web.js';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;
let hookId: string;
/** Every delivery's event id, newest first, as the API lists them. */
let all: { id: string; event_id: string; state: string; event_type: string }[];

beforeAll(async () => {
  receiver = await startReceiver((req) => (req.path === '/broken' ? { status: 500 } : { status: 200 }));
  server = await startServer({ env: receiverEnv() });
  await addAdmin(server);
  browser = await launchChromium();
  // 22 real events that succeed (alternately scheduled and canceled), then 3 test sends that fail.
  hookId = (await createWebhook(server, 'Paged', `${receiver.url}/ok`, ['booking'])).id;
  for (let i = 0; i < 22; i++) await publish(server, i % 2 === 0 ? 'booking.scheduled' : 'booking.canceled');
  await waitUntil(async () => (await server.api('GET', `/v2/webhooks/${hookId}/deliveries?state=succeeded&limit=100`)).body.data.length === 22, 20_000, 'the deliveries');
  await server.api('PATCH', `/v2/webhooks/${hookId}`, { url: `${receiver.url}/broken` });
  for (let i = 0; i < 3; i++) await server.api('POST', `/v2/webhooks/${hookId}/test`, { type: 'booking.no_show' });
  // The real ones were made an hour ago, so a time filter can tell them apart.
  await server.running.ctx.db.run(
    'UPDATE deliveries SET created_at = created_at - 3600000 WHERE webhook_id = ? AND event_id IN (SELECT id FROM events WHERE test = 0)',
    [hookId],
  );
  all = (await server.api('GET', `/v2/webhooks/${hookId}/deliveries?limit=100`)).body.data;
  expect(all).toHaveLength(25);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

/** The event ids the log shows, in order. */
async function shown(page: Page): Promise<string[]> {
  await page.getByRole('list', { name: 'Delivery log' }).waitFor();
  return page.getByRole('list', { name: 'Delivery log' }).locator(':scope > li').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')!.split(' ').pop()!));
}

/** Waits until the log shows exactly these event ids. */
async function expectShown(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('ul[aria-label="Delivery log"] > li')].map((e) => e.getAttribute('aria-label')!.split(' ').pop()).join() === want.join(),
    ids,
  );
  expect(await shown(page)).toEqual(ids);
}

const ids = (list: typeof all) => list.map((d) => d.event_id);

describe("a webhook's page", () => {
  it('has an address; paging goes through the whole log; reload and Back keep the page', async () => {
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);
    await openWebhook(page, 'Paged');
    expect(new URL(page.url()).pathname).toBe(`/integrations/apis/webhooks/${hookId}`);
    await expect(page.title()).resolves.toBe('Paged · hookline');
    await expectShown(page, ids(all.slice(0, 10)));

    await page.getByRole('button', { name: 'Older' }).click();
    await expectShown(page, ids(all.slice(10, 20)));
    expect(new URL(page.url()).searchParams.get('after')).toBe(all[9]!.id);
    await page.getByRole('button', { name: 'Older' }).click();
    await expectShown(page, ids(all.slice(20)));
    await expect(page.getByRole('button', { name: 'Older' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expectShown(page, ids(all.slice(10, 20)));

    await page.goBack();
    await expectShown(page, ids(all.slice(20)));
    await page.reload();
    await expectShown(page, ids(all.slice(20)));
    await page.goBack();
    await page.goBack();
    await expectShown(page, ids(all.slice(0, 10)));
    await page.goBack(); // to the list
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
    await page.goForward();
    await page.getByRole('heading', { name: 'Paged', level: 1 }).waitFor();
    await context.close();
  });

  it('filters by outcome, event type and time; the filters are in the address, for Back and for a link opened elsewhere', async () => {
    const { context, page } = await openPage(browser, `${server.url}/integrations/apis/webhooks/${hookId}`);
    await signIn(page); // the address asked for is shown once signed in
    await expectShown(page, ids(all.slice(0, 10)));

    await page.getByLabel('Outcome').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectShown(page, ids(all.filter((d) => d.state === 'failed')));
    expect(new URL(page.url()).searchParams.get('state')).toBe('failed');

    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Event type', { exact: true }).selectOption('booking.canceled');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const canceled = all.filter((d) => d.event_type === 'booking.canceled');
    expect(canceled).toHaveLength(11);
    await expectShown(page, ids(canceled.slice(0, 10)));
    await page.getByRole('button', { name: 'Older' }).click();
    await expectShown(page, ids(canceled.slice(10)));
    const shared = page.url();
    await screenshot(page, '17-filtered-log', { fullPage: true });

    // Created within the last half hour: only the test sends.
    await page.getByLabel('Event type', { exact: true }).selectOption('');
    const halfHourAgo = new Date(Date.now() - 30 * 60_000);
    await page.getByLabel('Created from').fill(localInput(halfHourAgo));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectShown(page, ids(all.slice(0, 3)));
    await page.getByLabel('Created from').fill('');
    await page.getByLabel('Created before').fill(localInput(halfHourAgo));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectShown(page, ids(all.slice(3, 13)));

    await page.goBack(); // the previous filters
    await expectShown(page, ids(all.slice(0, 3)));
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectShown(page, ids(all.slice(0, 10)));

    // The link of a filtered page, opened in another browser: the same deliveries after sign-in.
    const elsewhere = await openPage(browser, shared);
    await signIn(elsewhere.page);
    await expectShown(elsewhere.page, ids(canceled.slice(10)));
    await expect(elsewhere.page.getByLabel('Event type', { exact: true }).inputValue()).resolves.toBe('booking.canceled');
    await elsewhere.context.close();
    await context.close();
  });

  it("opens an event's deliveries on a page of its own, and says when a webhook does not exist", async () => {
    const { context, page } = await openPage(browser, `${server.url}/integrations/apis/webhooks/${hookId}`);
    await signIn(page);
    const event = all[5]!.event_id;
    await page.getByRole('link', { name: event }).click();
    await page.waitForURL(`**/integrations/apis/events/${event}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: event }).waitFor();
    const delivery = page.getByRole('list', { name: 'Deliveries of this event' }).getByRole('listitem');
    await expect(delivery.count()).resolves.toBe(1);
    await expect(delivery.textContent()).resolves.toContain('To Paged');
    await expect(page.locator('pre.payload').textContent()).resolves.toContain(`"id": "${event}"`);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: event }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Paged', level: 1 }).waitFor();

    await page.goto(`${server.url}/integrations/apis/webhooks/WHK-ZZZZZZZZZZ`);
    await page.getByRole('alert').filter({ hasText: "No such webhook: 'WHK-ZZZZZZZZZZ'" }).waitFor();
    await page.goto(`${server.url}/integrations/nothing-here`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await context.close();
  });
});

/** A datetime-local value (the browser's local time, to the second). */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

