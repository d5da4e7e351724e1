// The per-account rate limit (HOOKLINE_RATE_LIMIT requests per second; OnceHub allows 5): beyond it,
// 429 rate_limit_error with Retry-After; accounts do not share a budget; the limit resets each second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from './support/cli.js';
import { REQUEST_ID, sleep } from './support/expect-api.js';
import { call, startServer, type ApiResponse, type TestServer } from './support/hookline.js';

const LIMIT = 5;
let server: TestServer;
let otherKey: string;

beforeAll(async () => {
  server = await startServer({ env: { HOOKLINE_RATE_LIMIT: String(LIMIT) } });
  otherKey = (await createAccount(server.env, 'other@example.com')).key;
  await sleep(1100); // let any window opened while starting up close
});
afterAll(() => server.stop());

/** Sends n requests at once with the first account's key. */
const burst = (n: number, path = '/v2/test'): Promise<ApiResponse[]> => Promise.all(Array.from({ length: n }, () => server.api('GET', path)));

describe('rate limit', () => {
  it('answers 429 rate_limit_error with Retry-After once the budget is spent', async () => {
    const responses = await burst(LIMIT + 5);
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(ok.length + limited.length).toBe(responses.length);
    expect(ok.length).toBeLessThanOrEqual(LIMIT);
    expect(ok.length).toBeGreaterThan(0);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    for (const r of limited) {
      expect(r.body).toEqual({ type: 'rate_limit_error', message: 'Request rate limit exceeded' });
      const retryAfter = r.headers.get('retry-after');
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(1);
      expect(r.headers.get('request-id')).toMatch(REQUEST_ID);
    }
  });

  it('counts every route of the account, and a limited POST creates nothing', async () => {
    await sleep(1100);
    const responses = await Promise.all(
      Array.from({ length: LIMIT + 3 }, (_, i) =>
        server.api('POST', '/v2/webhooks', { name: `burst ${i}`, url: 'https://example.com', events: ['booking'] }),
      ),
    );
    const created = responses.filter((r) => r.status === 200).length;
    expect(responses.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(3);
    await sleep(1100);
    const list = await server.api('GET', '/v2/webhooks?limit=100');
    expect(list.body.data.filter((w: { name: string }) => w.name.startsWith('burst '))).toHaveLength(created);
  });

  it("does not limit another account by the first one's usage", async () => {
    const first = await burst(LIMIT + 3);
    expect(first.some((r) => r.status === 429)).toBe(true);
    const other = await Promise.all(
      Array.from({ length: LIMIT - 1 }, () => call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': otherKey })),
    );
    expect(other.map((r) => r.status)).toEqual(Array(LIMIT - 1).fill(200));
    expect(other[0]!.body).toEqual({ message: 'The API key is valid for account: other@example.com' });
    // The first account is still limited in the same second.
    expect((await server.api('GET', '/v2/test')).status).toBe(429);
  });

  it('does not limit the public OpenAPI document', async () => {
    await burst(LIMIT + 1);
    const docs = await Promise.all(Array.from({ length: LIMIT + 3 }, () => call(server.url, 'GET', '/v2/openapi.json')));
    expect(docs.map((r) => r.status)).toEqual(Array(LIMIT + 3).fill(200));
  });

  it('lets requests through again after the window (~1 s)', async () => {
    const spent = await burst(LIMIT + 3);
    expect(spent.some((r) => r.status === 429)).toBe(true);
    await sleep(1100);
    const again = await burst(LIMIT);
    expect(again.map((r) => r.status)).toEqual(Array(LIMIT).fill(200));
  });
});
