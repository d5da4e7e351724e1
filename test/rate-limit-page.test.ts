// The web page's own rate budget: requests made with a signed-in session are counted per session
// (HOOKLINE_PAGE_RATE_LIMIT per second), apart from the account's API budget, so the account's
// integrations cannot throttle the page, the page cannot throttle them, and one session's bursts
// leave another's alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../src/accounts/store.js';
import { createAdmin } from '../src/admins/service.js';
import { sleep } from './support/expect-api.js';
import { call, startServer, type ApiResponse, type TestServer } from './support/hookline.js';

const API_LIMIT = 5;
const PAGE_LIMIT = 8;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { HOOKLINE_RATE_LIMIT: String(API_LIMIT), HOOKLINE_PAGE_RATE_LIMIT: String(PAGE_LIMIT) } });
  await createAdmin(server.running.ctx, (await listAccounts(server.running.ctx.db))[0]!.id, 'page@example.com', 'a long enough password');
});
afterAll(() => server.stop());

async function session(): Promise<string> {
  const res = await call(server.url, 'POST', '/v2/session', { email: 'page@example.com', password: 'a long enough password' });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const statuses = (rs: ApiResponse[]) => rs.map((r) => r.status);
const burst = (n: number, send: () => Promise<ApiResponse>) => Promise.all(Array.from({ length: n }, send));

describe('the page has a budget of its own', () => {
  it("answers the page while the account's API budget is spent, and the other way round", async () => {
    const cookie = await session();
    await sleep(1100);
    const api = await burst(API_LIMIT + 5, () => server.api('GET', '/v2/webhooks'));
    expect(statuses(api)).toContain(429);
    const page = await burst(PAGE_LIMIT - 1, () => call(server.url, 'GET', '/v2/webhooks', undefined, { cookie }));
    expect(statuses(page)).toEqual(Array(PAGE_LIMIT - 1).fill(200));

    await sleep(1100);
    const pageSpent = await burst(PAGE_LIMIT + 6, () => call(server.url, 'GET', '/v2/webhooks', undefined, { cookie }));
    const refused = pageSpent.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused[0]!.body).toEqual({ type: 'rate_limit_error', message: 'Request rate limit exceeded' });
    expect(refused[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    const apiAfter = await burst(API_LIMIT - 1, () => server.api('GET', '/v2/webhooks'));
    expect(statuses(apiAfter)).toEqual(Array(API_LIMIT - 1).fill(200));
  });

  it("counts each session apart: one session's burst leaves another's budget alone", async () => {
    const [first, second] = [await session(), await session()];
    await sleep(1100);
    const spent = await burst(PAGE_LIMIT + 4, () => call(server.url, 'GET', '/v2/test', undefined, { cookie: first }));
    expect(statuses(spent)).toContain(429);
    const other = await burst(PAGE_LIMIT - 1, () => call(server.url, 'GET', '/v2/test', undefined, { cookie: second }));
    expect(statuses(other)).toEqual(Array(PAGE_LIMIT - 1).fill(200));
  });
});
