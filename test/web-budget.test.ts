// The page's own rate budget, in Chromium: while the account's integrations keep its API budget
// spent (HOOKLINE_RATE_LIMIT=5, an API-key loop running throughout), the page still refreshes and
// Disable then Enable clicked straight after each other both take effect. When the page's own
// budget is spent, the refused action says so and nothing changes.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { createWebhook } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { addAdmin, goToWebhooks, openPage, openWebhook, signIn } from './support/web.js';

let browser: Browser;
const servers: TestServer[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.stop()));
});

async function serverWith(env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ env });
  servers.push(server);
  await addAdmin(server);
  return server;
}

const statusInDb = async (server: TestServer, id: string) =>
  (await server.running.ctx.db.get<{ status: string }>('SELECT status FROM webhooks WHERE id = ?', [id]))!.status;

/** Keeps the account's API budget spent with API-key requests until stopped; counts the refusals. */
function spendApiBudget(server: TestServer) {
  let running = true;
  let refused = 0;
  const loops = Array.from({ length: 3 }, async () => {
    while (running) if ((await server.api('GET', '/v2/webhooks')).status === 429) refused += 1;
  });
  return {
    refused: () => refused,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe("the page's requests", () => {
  it("are not throttled by the account's integrations: Refresh works, and Disable then Enable both take effect", async () => {
    const server = await serverWith({ HOOKLINE_RATE_LIMIT: '5' });
    const hook = await createWebhook(server, 'Busy account', 'https://receiver.invalid/busy');
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);
    await openWebhook(page, 'Busy account');
    await page.getByText('Enabled', { exact: true }).waitFor();

    const load = spendApiBudget(server);
    try {
      for (let i = 0; i < 3; i++) {
        const answered = page.waitForResponse((r) => r.url().includes(`/v2/webhooks/${hook.id}/deliveries`));
        await page.getByRole('button', { name: 'Refresh' }).click();
        expect((await answered).status()).toBe(200);
      }
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByText('Disabled: Disabled by the account.').waitFor();
      await page.getByRole('button', { name: 'Enable' }).click(); // at once, no pause
      await page.getByText('Enabled', { exact: true }).waitFor();
      await expect(page.getByRole('alert').count()).resolves.toBe(0);
      expect(await statusInDb(server, hook.id)).toBe('enabled');
    } finally {
      await load.stop();
    }
    expect(load.refused()).toBeGreaterThan(10); // the account's budget really was spent meanwhile
    await context.close();
  });

  it("say so when the page's own budget is spent, and change nothing", async () => {
    const server = await serverWith({ HOOKLINE_RATE_LIMIT: '5', HOOKLINE_PAGE_RATE_LIMIT: '4' });
    const hook = await createWebhook(server, 'Refused', 'https://receiver.invalid/refused');
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await goToWebhooks(page);
    await openWebhook(page, 'Refused');
    await page.getByText('Enabled', { exact: true }).waitFor();
    const sends = async () => Number((await server.running.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ?', [hook.id]))!.n);
    // Spend this session's budget from the page itself, then click Send test event at once. On a
    // busy machine the budget's second may end in between and the send go through: then again.
    for (let attempt = 1; ; attempt++) {
      const before = await sends();
      const answered = page.waitForResponse((r) => r.url().endsWith(`/v2/webhooks/${hook.id}/test`));
      await page.evaluate(async () => {
        for (;;) {
          const answers = await Promise.all(Array.from({ length: 8 }, () => fetch('/v2/test', { credentials: 'same-origin' })));
          if (answers.some((a) => a.status === 429)) break;
        }
        [...document.querySelectorAll('button')].find((b) => b.textContent === 'Send test event')!.click();
      });
      if ((await answered).status() === 429) {
        const alert = page.getByRole('alert').filter({ hasText: /^Refused: Request rate limit exceeded\. Nothing was changed; wait \d+ s and try again\.$/ });
        await alert.waitFor();
        expect(await sends()).toBe(before);
        break;
      }
      expect(attempt, 'the send was never refused').toBeLessThan(5);
      await page.getByRole('status').filter({ hasText: /^Test .* event: failed/ }).waitFor();
    }
    await context.close();
  });
});
