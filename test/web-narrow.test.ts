// Details, in Chromium: on a 390 px wide phone the secret (both forms) shows whole and the attempts
// table keeps every column on screen; where the browser refuses the clipboard (the page served over
// plain http under a host name, not localhost), the secret dialog says so, selects the text, and
// still closes, with focus back on the button that opened it.
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { createWebhook } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { addAdmin, fitsWidth, goToWebhooks, openPage, openWebhook, row, signIn } from './support/web.js';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: 500, body: `{"error":"${'x'.repeat(300)}"}` }));
  server = await startServer({ env: receiverEnv() });
  await addAdmin(server);
  // hookline.test reaches the test server: a plain-http origin that is not localhost, as in production without TLS.
  browser = await launchChromium(['--host-resolver-rules=MAP hookline.test 127.0.0.1']);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

/** Whether the element's content shows whole: nothing scrolled away inside it, nothing off either side of the window. */
const showsWhole = (l: Locator) =>
  l.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1 && box.left >= 0 && box.right <= window.innerWidth;
  });

describe('on a 390 px wide screen', () => {
  it('shows the secret whole and keeps every column of the attempts on screen', async () => {
    await createWebhook(server, 'Phone view', `${receiver.url}/a/rather/long/path/for/a/phone/screen?with=query&and=more`, ['booking']);
    const { context, page } = await openPage(browser, server.url, { width: 390, height: 844 });
    await signIn(page);
    await goToWebhooks(page);
    await row(page, 'Phone view').getByRole('button', { name: 'View Secret Phone view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Webhook Secret' });
    for (const field of ['Webhook Secret', 'Standard Webhooks form']) await expect(showsWhole(dialog.getByLabel(field))).resolves.toBe(true);
    await expect(fitsWidth(page)).resolves.toBe(true);
    await screenshot(page, '07-webhook-secret');
    await dialog.getByRole('button', { name: 'Copy & close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await openWebhook(page, 'Phone view');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: /failed \(HTTP 500/ }).waitFor();
    const attempt = page.getByRole('list', { name: 'Delivery log' }).getByRole('listitem').first().getByRole('row').last();
    await attempt.getByText("Receiver's answer").click();
    for (const column of ['Attempt', 'Outcome', 'Duration', 'Then', 'Answer']) {
      const cell = attempt.locator(`td[data-label="${column}"]`);
      await expect(cell.isVisible()).resolves.toBe(true);
      await expect(showsWhole(cell), column).resolves.toBe(true);
    }
    await expect(attempt.locator('td[data-label="Outcome"]').textContent()).resolves.toBe('Failed: HTTP 500');
    await expect(showsWhole(page.locator('table.attempts').first())).resolves.toBe(true); // no sideways scrolling inside the table
    await expect(fitsWidth(page)).resolves.toBe(true);
    await screenshot(page, '15-failing-webhook', { fullPage: true });
    await context.close();
  });
});

describe('where the browser refuses the clipboard', () => {
  it('says so, selects the secret for copying by hand, and closes with Close, focus back where it was', async () => {
    await createWebhook(server, 'Plain http', `${receiver.url}/plain`, ['booking']);
    const port = new URL(server.url).port;
    const { context, page } = await openPage(browser, `http://hookline.test:${port}/`, { clipboard: false });
    await expect(page.evaluate(() => window.isSecureContext)).resolves.toBe(false); // no clipboard API here
    await signIn(page);
    await goToWebhooks(page);
    const opener = row(page, 'Plain http').getByRole('button', { name: 'View Secret Plain http' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Webhook Secret' });
    const secret = await dialog.getByLabel('Webhook Secret').inputValue();
    await dialog.getByRole('button', { name: 'Copy & close' }).click();
    await dialog.getByRole('alert').filter({ hasText: /The browser did not allow copying .* copy it yourself \(Ctrl\+C or ⌘C\), then choose Close\./ }).waitFor();
    const selection = await page.evaluate(() => {
      const el = document.activeElement as HTMLTextAreaElement;
      return { label: el.labels?.[0]?.textContent, selected: el.value.slice(el.selectionStart, el.selectionEnd) };
    });
    expect(selection).toEqual({ label: 'Webhook Secret', selected: secret });
    await screenshot(page, '21-clipboard-refused');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect(opener.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await context.close();
  });
});
