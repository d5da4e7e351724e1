// Editing a webhook and rotating its secret from the page, in Chromium: Edit checks what Create
// checks with the same messages (before sending and after the server answers), keeps the webhook's
// id, secret and log; focus moves into each step and to the first invalid field, and returns to
// the button that opened the dialog. Rotate secret shows both forms of the new secret, and a real
// delivery verifies with each. The list's buttons are named for their webhook.
import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { createWebhook } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { addAdmin, goToWebhooks, openPage, openWebhook, row, signIn } from './support/web.js';
import { MESSAGES } from '../web/src/validation.js';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver();
  server = await startServer({ env: receiverEnv() });
  await addAdmin(server);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');

describe('Edit', () => {
  it('changes name, URL and events with the checks and messages of Create, moving focus step by step and to the first invalid field', async () => {
    const hook = await createWebhook(server, 'Edit me', `${receiver.url}/before`, ['booking.scheduled']);
    await createWebhook(server, 'Taken name', `${receiver.url}/taken`, ['booking.scheduled']);
    expect((await server.api('POST', `/v2/webhooks/${hook.id}/test`, { type: 'booking.scheduled' })).body.success).toBe(true);
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);

    await row(page, 'Edit me').waitFor();
    const buttons = await row(page, 'Edit me').getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(buttons).toEqual(['Edit Edit me', 'View Secret Edit me', 'Send test event Edit me', 'Delete Edit me']);

    const opener = page.getByRole('button', { name: 'Edit Edit me', exact: true });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Edit Edit me' });
    await expect(focusedId(page)).resolves.toBe('webhook-name');
    const name = dialog.getByLabel('Webhook Name');
    const url = dialog.getByLabel('Webhook URL');
    await expect(name.inputValue()).resolves.toBe('Edit me');
    await expect(url.inputValue()).resolves.toBe(`${receiver.url}/before`);

    await name.fill('');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await expect(page.locator('#webhook-name-error').textContent()).resolves.toBe(MESSAGES.nameEmpty);
    await expect(focusedId(page)).resolves.toBe('webhook-name');
    await name.fill('Edited');
    await url.fill('http://example.com/plain');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await expect(page.locator('#webhook-url-error').textContent()).resolves.toBe(MESSAGES.urlHttps);
    await expect(focusedId(page)).resolves.toBe('webhook-url'); // the name is fine: focus goes to the URL
    await name.fill('taken NAME');
    await url.fill(`${receiver.url}/after`);
    await dialog.getByRole('button', { name: 'Next' }).click();
    await expect(page.locator('#webhook-name-error').textContent()).resolves.toBe(MESSAGES.nameTaken);
    await expect(focusedId(page)).resolves.toBe('webhook-name');

    await name.fill('Edited');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await expect(focusedId(page)).resolves.toBe('event-booking-scheduled'); // into the events step
    await expect(dialog.getByRole('checkbox', { name: 'Booking Scheduled Event' }).isChecked()).resolves.toBe(true);
    await dialog.getByRole('checkbox', { name: 'Booking Scheduled Event' }).uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#events-error').textContent()).resolves.toBe(MESSAGES.events);
    await expect(focusedId(page)).resolves.toBe('event-booking-scheduled');
    await dialog.getByRole('checkbox', { name: 'Booking Canceled Event' }).check();
    await screenshot(page, '13-edit-events');

    // The server's own check: a URL with a password in it, refused on save, back on the URL field.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await expect(focusedId(page)).resolves.toBe('webhook-name');
    await url.fill('https://user:pw@example.com/hook');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.locator('#webhook-url-error').filter({ hasText: /.+/ }).waitFor();
    const serverMessage = (await server.api('PATCH', `/v2/webhooks/${hook.id}`, { url: 'https://user:pw@example.com/hook' })).body.message as string;
    await expect(page.locator('#webhook-url-error').textContent()).resolves.toBe(serverMessage);
    await expect(focusedId(page)).resolves.toBe('webhook-url');
    await url.fill(`${receiver.url}/after`);
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Back on the button that opened it, which the list then renames.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Edit Edited');

    const after = (await server.api('GET', `/v2/webhooks/${hook.id}`)).body;
    expect(after).toMatchObject({ id: hook.id, name: 'Edited', url: `${receiver.url}/after`, events: ['booking.canceled'] });
    expect((await server.api('GET', `/v2/webhooks/${hook.id}/secret`)).body.secret).toBe(hook.secret);
    expect((await server.api('GET', `/v2/webhooks/${hook.id}/deliveries`)).body.data).toHaveLength(1);
    await row(page, 'Edited').waitFor();
    await context.close();
  });
});

describe('Rotate secret', () => {
  it('shows the new secret in both forms; a delivery verifies with each', async () => {
    const hook = await createWebhook(server, 'Rotating', `${receiver.url}/rotating`, ['booking']);
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);
    await openWebhook(page, 'Rotating');
    const opener = page.getByRole('button', { name: 'Rotate secret' });
    await opener.click();
    const confirm = page.getByRole('alertdialog', { name: 'Rotate secret' });
    await expect(focusedName(page)).resolves.toBe('Cancel');
    await confirm.getByRole('button', { name: 'Rotate secret' }).click();

    const shown = page.getByRole('dialog', { name: 'New webhook secret' });
    const secret = await shown.getByLabel('Webhook Secret').inputValue();
    const standard = await shown.getByLabel('Standard Webhooks form').inputValue();
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(secret).not.toBe(hook.secret);
    expect(standard).toBe(`whsec_${Buffer.from(secret).toString('base64')}`);
    await expect(shown.textContent()).resolves.toMatch(/previous secret also signs until/);
    await screenshot(page, '14-rotated-secret');
    await shown.getByRole('button', { name: 'Copy & close' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expect(opener.evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: /delivered \(HTTP 200/ }).waitFor();
    const delivery = (await receiver.waitFor(before + 1))[before]!;
    const [, t, s] = /^t=(\d+),s=([0-9a-f]{64})$/.exec(delivery.headers['oncehub-signature']!)!;
    expect(s).toBe(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex'));
    expect(() => new StandardWebhook(standard).verify(delivery.body, delivery.headers)).not.toThrow();
    expect(() => new StandardWebhook(`whsec_${Buffer.from('0'.repeat(32)).toString('base64')}`).verify(delivery.body, delivery.headers)).toThrow();

    await page.getByRole('button', { name: 'View Secret' }).click();
    await expect(page.getByRole('dialog', { name: 'Webhook Secret' }).getByLabel('Webhook Secret').inputValue()).resolves.toBe(secret);
    await context.close();
  });
});
