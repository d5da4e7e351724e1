// Behind a load balancer (HOOKLINE_TRUST_PROXY): requests without an API key are limited per client
// as X-Forwarded-For names it, not per balancer, and a client cannot pick its own address by
// sending the header; Link headers follow X-Forwarded-Proto and -Host. Without the setting, those
// headers change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from './support/expect-api.js';
import { call, startServer, type TestServer } from './support/hookline.js';

const LIMIT = 3;
const GUEST = '/v2/guest/bookings/no-such-token';

let behindProxy: TestServer;
let direct: TestServer;

beforeAll(async () => {
  // The test connects from 127.0.0.1: to the first server, that is the balancer.
  behindProxy = await startServer({ env: { HOOKLINE_RATE_LIMIT: String(LIMIT), HOOKLINE_TRUST_PROXY: '127.0.0.1' } });
  direct = await startServer({ env: { HOOKLINE_RATE_LIMIT: String(LIMIT) } });
});
afterAll(async () => {
  await behindProxy.stop();
  await direct.stop();
});

/** Sends, all at once, `n` unauthenticated requests from each client, named by X-Forwarded-For. */
async function burst(server: TestServer, clients: Record<string, number>): Promise<Record<string, number[]>> {
  await sleep(1100); // a fresh rate-limit window
  const sent = Object.entries(clients).flatMap(([forwardedFor, n]) =>
    Array.from({ length: n }, async () => [forwardedFor, (await call(server.url, 'GET', GUEST, undefined, { 'X-Forwarded-For': forwardedFor })).status] as const),
  );
  const statuses: Record<string, number[]> = {};
  for (const [client, status] of await Promise.all(sent)) (statuses[client] ??= []).push(status);
  return statuses;
}

describe('HOOKLINE_TRUST_PROXY', () => {
  it('limits each forwarded client on its own', async () => {
    const got = await burst(behindProxy, { '203.0.113.1': LIMIT + 3, '203.0.113.2': LIMIT });
    expect(got['203.0.113.1']!.filter((s) => s === 429)).toHaveLength(3);
    expect(got['203.0.113.2']).toEqual(Array(LIMIT).fill(404));
  });

  it('takes the nearest address that is not a trusted proxy, so a client cannot choose its own', async () => {
    // The client put 198.51.100.x in front; the balancer appended the address it saw: 203.0.113.1.
    const got = await burst(behindProxy, { '198.51.100.1, 203.0.113.1': LIMIT, '198.51.100.2, 203.0.113.1': LIMIT });
    const all = [...got['198.51.100.1, 203.0.113.1']!, ...got['198.51.100.2, 203.0.113.1']!];
    expect(all.filter((s) => s === 404)).toHaveLength(LIMIT);
    expect(all.filter((s) => s === 429)).toHaveLength(LIMIT);
  });

  it('ignores X-Forwarded-For when unset: everything from one address shares one budget', async () => {
    const got = await burst(direct, { '203.0.113.1': LIMIT, '203.0.113.2': LIMIT });
    const all = [...got['203.0.113.1']!, ...got['203.0.113.2']!];
    expect(all.filter((s) => s === 404)).toHaveLength(LIMIT);
    expect(all.filter((s) => s === 429)).toHaveLength(LIMIT);
  });

  it('builds Link headers from X-Forwarded-Proto and -Host only behind a trusted proxy', async () => {
    for (const server of [behindProxy, direct]) {
      await sleep(1100);
      for (const name of ['first', 'second']) {
        expect((await server.api('POST', '/v2/webhooks', { name, url: 'https://example.com/h', events: ['booking'] })).status).toBe(200);
      }
    }
    await sleep(1100);
    const headers = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'hooks.example.com' };
    const proxied = await behindProxy.api('GET', '/v2/webhooks?limit=1', undefined, headers);
    expect(proxied.headers.get('link')).toMatch(/^<https:\/\/hooks\.example\.com\/v2\/webhooks\?after=WHK-/);
    const unproxied = await direct.api('GET', '/v2/webhooks?limit=1', undefined, headers);
    expect(unproxied.headers.get('link')).toMatch(new RegExp(`^<${direct.url.replace(/[.]/g, '\\.')}/v2/webhooks\\?after=WHK-`));
  });
});
