// GET /v2/webhooks pagination as OnceHub does it: newest first, limit 1-100 (default 10), `after`
// and `before` cursors, has_more, and a Link header naming the next and previous pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from './support/expect-api.js';
import { startServer, type ApiResponse, type TestServer } from './support/hookline.js';

let server: TestServer;
/** Ids in creation order: created[0] is the oldest. */
const created: string[] = [];
/** Ids newest first: the order the API lists them in. */
let newestFirst: string[] = [];

beforeAll(async () => {
  server = await startServer();
  for (let i = 0; i < 25; i++) {
    const res = await server.api('POST', '/v2/webhooks', { name: `hook ${String(i).padStart(2, '0')}`, url: `https://example.com/${i}`, events: ['booking'] });
    expect(res.status).toBe(200);
    created.push(res.body.id);
  }
  newestFirst = [...created].reverse();
});
afterAll(() => server.stop());

const ids = (res: ApiResponse): string[] => res.body.data.map((w: { id: string }) => w.id);

/** The Link header as {rel: url}. */
function links(res: ApiResponse): Record<string, URL> {
  const header = res.headers.get('link');
  if (header === null) return {};
  const out: Record<string, URL> = {};
  for (const part of header.split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>;\s*rel="(next|previous)"$/.exec(part.trim());
    expect(m, `malformed Link part: ${part}`).not.toBeNull();
    out[m![2]!] = new URL(m![1]!);
  }
  return out;
}

function expectLink(url: URL | undefined, cursor: 'after' | 'before', id: string, limit: number) {
  expect(url).toBeDefined();
  expect(`${url!.origin}${url!.pathname}`).toBe(`${server.url}/v2/webhooks`);
  expect([...url!.searchParams.keys()].sort()).toEqual([cursor, 'limit'].sort());
  expect(url!.searchParams.get(cursor)).toBe(id);
  expect(url!.searchParams.get('limit')).toBe(String(limit));
}

describe('listing', () => {
  it('returns the 10 newest by default, newest first, in the list envelope', async () => {
    const res = await server.api('GET', '/v2/webhooks');
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.has_more).toBe(true);
    expect(ids(res)).toEqual(newestFirst.slice(0, 10));
    expect(Object.keys(res.body).sort()).toEqual(['data', 'has_more', 'object']);
  });

  it('returns everything in reverse creation order, with has_more false and no Link header, when it fits', async () => {
    const res = await server.api('GET', '/v2/webhooks?limit=100');
    expect(ids(res)).toEqual(newestFirst);
    expect(res.body.has_more).toBe(false);
    expect(res.headers.get('link')).toBeNull();
  });

  it('reports has_more false when the page ends exactly at the oldest', async () => {
    const res = await server.api('GET', '/v2/webhooks?limit=25');
    expect(ids(res)).toHaveLength(25);
    expect(res.body.has_more).toBe(false);
    expect(res.headers.get('link')).toBeNull();
  });

  it.each([1, 100])('accepts limit=%i', async (limit) => {
    const res = await server.api('GET', `/v2/webhooks?limit=${limit}`);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(newestFirst.slice(0, limit));
  });
});

describe('cursors', () => {
  it('visits all 25 exactly once, walking forward with after = the last id of each page', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let query = '?limit=10';
    for (let page = 0; page < 10; page++) {
      const res = await server.api('GET', `/v2/webhooks${query}`);
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      sizes.push(ids(res).length);
      if (!res.body.has_more) break;
      query = `?limit=10&after=${seen[seen.length - 1]}`;
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(newestFirst);
    expect(new Set(seen).size).toBe(25);
  });

  it('walks back with before = the first id of a page', async () => {
    const back1 = await server.api('GET', `/v2/webhooks?limit=10&before=${newestFirst[20]}`);
    expect(ids(back1)).toEqual(newestFirst.slice(10, 20));
    expect(back1.body.has_more).toBe(true);
    const back2 = await server.api('GET', `/v2/webhooks?limit=10&before=${newestFirst[10]}`);
    expect(ids(back2)).toEqual(newestFirst.slice(0, 10));
    expect(back2.body.has_more).toBe(false);
    const none = await server.api('GET', `/v2/webhooks?before=${newestFirst[0]}`);
    expect(ids(none)).toEqual([]);
    expect(none.body.has_more).toBe(false);
  });

  it('returns the objects just newer than the cursor when fewer than limit remain before it', async () => {
    const res = await server.api('GET', `/v2/webhooks?limit=10&before=${newestFirst[3]}`);
    expect(ids(res)).toEqual(newestFirst.slice(0, 3));
    expect(res.body.has_more).toBe(false);
  });

  it('returns an empty last page after the oldest', async () => {
    const res = await server.api('GET', `/v2/webhooks?after=${created[0]}`);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([]);
    expect(res.body.has_more).toBe(false);
  });
});

describe('the Link header', () => {
  it('names only the next page on the first page', async () => {
    const res = await server.api('GET', '/v2/webhooks?limit=7');
    const l = links(res);
    expect(Object.keys(l)).toEqual(['next']);
    expectLink(l.next, 'after', newestFirst[6]!, 7);
  });

  it('names the next and the previous page in the middle', async () => {
    const res = await server.api('GET', `/v2/webhooks?limit=10&after=${newestFirst[9]}`);
    expect(ids(res)).toEqual(newestFirst.slice(10, 20));
    const l = links(res);
    expect(Object.keys(l).sort()).toEqual(['next', 'previous']);
    expectLink(l.next, 'after', newestFirst[19]!, 10);
    expectLink(l.previous, 'before', newestFirst[10]!, 10);
  });

  it('names only the previous page on the last page', async () => {
    const res = await server.api('GET', `/v2/webhooks?after=${newestFirst[19]}`);
    expect(ids(res)).toEqual(newestFirst.slice(20));
    const l = links(res);
    expect(Object.keys(l)).toEqual(['previous']);
    expectLink(l.previous, 'before', newestFirst[20]!, 10);
  });

  it('leads through the whole list when followed, forward and back', async () => {
    const forward: string[] = [];
    let next: string | undefined = `${server.url}/v2/webhooks?limit=9`;
    let last: ApiResponse | undefined;
    while (next) {
      last = await server.api('GET', next.slice(server.url.length));
      forward.push(...ids(last));
      next = links(last).next?.toString();
    }
    expect(forward).toEqual(newestFirst);
    const backward: string[][] = [];
    let previous = links(last!).previous?.toString();
    while (previous) {
      const res = await server.api('GET', previous.slice(server.url.length));
      backward.unshift(ids(res));
      previous = links(res).previous?.toString();
    }
    expect([...backward.flat(), ...ids(last!)]).toEqual(newestFirst);
  });
});

describe('HOOKLINE_PUBLIC_URL', () => {
  it('is the base of the Link URLs instead of the request host', async () => {
    const s = await startServer({ env: { HOOKLINE_PUBLIC_URL: 'https://hooks.example.com/' } });
    try {
      for (const name of ['a', 'b', 'c']) await s.api('POST', '/v2/webhooks', { name, url: 'https://example.com', events: ['booking'] });
      const res = await s.api('GET', '/v2/webhooks?limit=2');
      const next = links(res).next!;
      expect(`${next.origin}${next.pathname}`).toBe('https://hooks.example.com/v2/webhooks');
      expect(next.searchParams.get('after')).toBe(ids(res)[1]);
    } finally {
      await s.stop();
    }
  });
});

describe('invalid list queries', () => {
  it.each(['0', '101', '500', '-1'])('rejects limit=%s as out of range', async (limit) => {
    const res = await server.api('GET', `/v2/webhooks?limit=${limit}`);
    expectApiError(res, 400, { param: 'limit', message: `Out of range value: ${limit}. Please provide a number between 1 and 100.` });
  });

  it.each(['abc', '2.5', ''])('rejects limit=%j as not an integer', async (limit) => {
    expectApiError(await server.api('GET', `/v2/webhooks?limit=${limit}`), 400, { param: 'limit' });
  });

  it('rejects after and before together, without a param', async () => {
    const res = await server.api('GET', `/v2/webhooks?after=${created[5]}&before=${created[10]}`);
    expectApiError(res, 400, { param: null, message: 'Received both before and after parameters. Please provide only one.' });
  });

  it.each(['starting_after', 'page', 'Limit'])('rejects the unknown query param %s', async (name) => {
    expectApiError(await server.api('GET', `/v2/webhooks?${name}=1`), 400, { param: name, message: `Received unknown parameter: ${name}` });
  });

  it.each(['after', 'before'])('rejects %s=<an unknown id>', async (cursor) => {
    const res = await server.api('GET', `/v2/webhooks?${cursor}=WHK-ZZZZZZZZZZ`);
    expectApiError(res, 400, { param: cursor, message: "No such webhook: 'WHK-ZZZZZZZZZZ'" });
  });
});

describe('stability while webhooks are added', () => {
  it('continues after a cursor without repeats when newer webhooks appear between pages', async () => {
    const s = await startServer();
    try {
      const mine: string[] = [];
      const add = async (name: string) => {
        const res = await s.api('POST', '/v2/webhooks', { name, url: 'https://example.com', events: ['booking'] });
        mine.push(res.body.id);
      };
      for (let i = 0; i < 6; i++) await add(`old ${i}`);
      const page1 = await s.api('GET', '/v2/webhooks?limit=3');
      await add('new one');
      const page2 = await s.api('GET', `/v2/webhooks?limit=3&after=${ids(page1)[2]}`);
      expect([...ids(page1), ...ids(page2)]).toEqual(mine.slice(0, 6).reverse());
      expect(page2.body.has_more).toBe(false);
      const fresh = await s.api('GET', `/v2/webhooks?before=${ids(page1)[0]}`);
      expect(ids(fresh)).toEqual([mine[6]]);
    } finally {
      await s.stop();
    }
  });
});
