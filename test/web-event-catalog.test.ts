// The event catalog in a real browser (Debian's Chromium): Account Integrations → Event types lists
// every type with its description; a type's page shows its JSON Schema and an example payload that
// the schema accepts, both copyable; a webhook's Send test event shows the example of the chosen type,
// and the test send delivers that example's shape. Screenshots go to test-artifacts/screenshots/.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../src/accounts/store.js';
import { createAdmin } from '../src/admins/service.js';
import { launchChromium, screenshot } from './support/browser.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const EMAIL = 'catalog@example.com';
const PASSWORD = 'a long enough password';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;
let catalog: { type: string; kind: string; description: string; schema: object; example: any }[];

beforeAll(async () => {
  receiver = await startReceiver();
  server = await startServer({ env: receiverEnv() });
  await createAdmin(server.running.ctx, (await listAccounts(server.running.ctx.db))[0]!.id, EMAIL, PASSWORD);
  catalog = (await call(server.url, 'GET', '/v2/event-types')).body.data;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

async function signedIn(width = 1280, height = 900): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Settings' }).waitFor();
  return { context, page };
}

async function openCatalog(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('menuitem', { name: 'Account Integrations' }).click();
  await page.getByRole('link', { name: /Event types/ }).click();
  await page.getByRole('heading', { name: 'Event types', level: 1 }).waitFor();
}

const validatorFor = (schema: object) => {
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
};

describe('the Event types page', () => {
  it('lists every type by kind with its description, and gives each a page with its schema and a copyable example', async () => {
    const { context, page } = await signedIn();
    await openCatalog(page);
    for (const [title, kind] of [['Booking events', 'booking'], ['Conversation events', 'conversation']] as const) {
      const section = page.getByRole('region', { name: title });
      const expected = catalog.filter((e) => e.kind === kind);
      await expect(section.getByRole('button').allTextContents()).resolves.toEqual(expected.map((e) => e.type));
      await expect(section.locator('.hint').allTextContents()).resolves.toEqual(expected.map((e) => e.description));
    }
    await screenshot(page, '13-event-types');

    await page.getByRole('button', { name: 'booking.canceled', exact: true }).click();
    await page.getByRole('heading', { name: 'booking.canceled', level: 1 }).waitFor();
    await expect(page.title()).resolves.toBe('booking.canceled · Event types · hookline');
    const entry = catalog.find((e) => e.type === 'booking.canceled')!;
    await page.getByText(entry.description).waitFor();
    const exampleRegion = page.getByRole('region', { name: 'Example payload' });
    const shownExample = JSON.parse((await exampleRegion.locator('pre').textContent())!);
    const shownSchema = JSON.parse((await page.getByRole('region', { name: 'JSON Schema' }).locator('pre').textContent())!);
    expect(shownSchema).toEqual(entry.schema);
    expect(shownExample).toMatchObject({ object: 'event', type: 'booking.canceled', data: { object: 'booking', status: 'canceled' } });
    expect(validatorFor(shownSchema)(shownExample)).toBe(true);
    await screenshot(page, '14-event-type');

    await exampleRegion.getByRole('button', { name: 'Copy example' }).click();
    await exampleRegion.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(shownExample);
    await page.getByRole('region', { name: 'JSON Schema' }).getByRole('button', { name: 'Copy schema' }).click();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(entry.schema);

    // The type's page has an address of its own: reload and Back work.
    expect(new URL(page.url()).pathname).toBe('/integrations/event-types/booking.canceled');
    await page.reload();
    await page.getByRole('heading', { name: 'booking.canceled', level: 1 }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Event types', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'booking.canceled', exact: true }).click();
    await page.getByRole('button', { name: '← Event types' }).click();
    await page.getByRole('heading', { name: 'Event types', level: 1 }).waitFor();
    await context.close();
  });

  it('fits a 390 px wide screen: the code scrolls inside its box, not the page', async () => {
    const { context, page } = await signedIn(390, 844);
    await openCatalog(page);
    await screenshot(page, '13-event-types');
    await page.getByRole('button', { name: 'booking.canceled_reschedule_requested', exact: true }).click();
    await page.getByRole('heading', { name: 'booking.canceled_reschedule_requested', level: 1 }).waitFor();
    await screenshot(page, '14-event-type');
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await context.close();
  });
});

describe("a webhook's Send test event", () => {
  it('shows the example of the chosen type, and sends that example', async () => {
    const created = await server.api('POST', '/v2/webhooks', { name: 'Examples', url: `${receiver.url}/examples`, events: ['conversation'] });
    expect(created.status).toBe(200);
    const { context, page } = await signedIn();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'Account Integrations' }).click();
    await page.getByRole('link', { name: /APIs & Webhooks/ }).click();
    await page.getByRole('link', { name: 'Examples', exact: true }).click();
    await page.getByRole('heading', { name: 'Examples', level: 1 }).waitFor();

    await page.getByText('Example payload of conversation.started').waitFor(); // the first type the webhook takes
    await page.getByLabel('Test event type').selectOption('conversation.abandoned');
    await page.getByText('Example payload of conversation.abandoned').click(); // opens it
    const pre = page.getByLabel('Example payload of conversation.abandoned');
    const shown = JSON.parse((await pre.textContent())!);
    expect(shown).toMatchObject({ type: 'conversation.abandoned', data: { object: 'conversation', status: 'abandoned' } });
    await screenshot(page, '15-test-event-example');

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: /conversation\.abandoned event: delivered/ }).waitFor();
    const delivered = JSON.parse(receiver.received.find((r) => r.path === '/examples')!.body);
    const keys = (v: any): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, keys(v[k])])) : typeof v);
    expect(keys(delivered)).toEqual(keys(shown));
    expect(delivered.data.status).toBe(shown.data.status);
    await context.close();
  });
});
