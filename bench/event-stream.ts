// Event stream benchmark: `node --import tsx bench/event-stream.ts [--setups sqlite,postgres] [--rate R] [--seconds S]`.
// - stream latency: from a publish's commit to its arrival on an open GET /v2/events/stream, for events
//   recorded by the process serving the stream (woken at once) and by another one (found by polling);
// - frontier look (PostgreSQL): the two statements each API process runs once per HOOKLINE_STREAM_POLL_MS
//   while it has streams open, with 8 writers publishing meanwhile and without.
// Wall time and this process's CPU time are reported side by side; the database server's CPU is not.
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAccount } from '../src/accounts/service.js';
import { openContext, start } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { startEventFeed } from '../src/events/stream.js';
import { API_KEY, dropSchemas, now, tempDir } from './harness.js';
import { percentile, printTable, round } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    setups: { type: 'string', default: 'sqlite,postgres' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
  },
});
const RATE = Number(flags.rate);
const SECONDS = Number(flags.seconds);
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

function envFor(setup: string, dir: string): Record<string, string> {
  const database = setup === 'sqlite' ? path.join(dir, 'hookline.db') : `${POSTGRES}?schema=bench_stream_${process.pid}_${Date.now()}`;
  return { HOOKLINE_DATABASE: database, HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'), HOOKLINE_PORT: '0', HOOKLINE_API_KEY: API_KEY, HOOKLINE_LOG_LEVEL: 'warn', HOOKLINE_RATE_LIMIT: '1000000' };
}

const publishOne = (ctx: AppContext, accountId: string) => publishEvent(ctx, { accountId, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) });

/** Opens the stream and resolves each event's arrival time by id. */
function openStream(url: string): Promise<{ arrivals: Map<string, number>; close(): void }> {
  return new Promise((resolve, reject) => {
    const arrivals = new Map<string, number>();
    const req = http.get(`${url}/v2/events/stream`, { headers: { 'API-Key': API_KEY }, agent: false }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, cut))?.[1];
          buffer = buffer.slice(cut + 2);
          if (data?.startsWith('{"id":"EVNT-')) arrivals.set((JSON.parse(data) as { id: string }).id, now());
        }
      });
      resolve({ arrivals, close: () => res.destroy() });
    });
    req.on('error', reject);
  });
}

async function streamLatency(setup: string, env: Record<string, string>) {
  const running = await start(loadConfig(env));
  const other = await openContext(loadConfig(env)); // another process's worth: its own notifier wakes nobody here
  try {
    const accountId = running.bootstrap?.accountId ?? (await running.ctx.db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    const stream = await openStream(running.url);
    await new Promise((r) => setTimeout(r, 300));
    const rows: (string | number)[][] = [];
    for (const [label, ctx] of [['same process', running.ctx], ['other process', other]] as const) {
      const committed = new Map<string, number>();
      const cpu = process.cpuUsage();
      const t0 = now();
      for (let i = 0; i < RATE * SECONDS; i++) {
        const at = t0 + (i * 1000) / RATE;
        if (at > now()) await new Promise((r) => setTimeout(r, at - now()));
        const { id } = await publishOne(ctx, accountId);
        committed.set(id, now());
      }
      const deadline = now() + 10_000;
      while ([...committed.keys()].some((id) => !stream.arrivals.has(id)) && now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const used = process.cpuUsage(cpu);
      const lat = [...committed].map(([id, t]) => (stream.arrivals.get(id) ?? Number.NaN) - t).sort((a, b) => a - b);
      const missing = lat.filter(Number.isNaN).length;
      const ok = lat.filter((x) => !Number.isNaN(x));
      rows.push([label, ok.length, missing, round(percentile(ok, 50)), round(percentile(ok, 95)), round(ok[ok.length - 1] ?? Number.NaN), round((used.user + used.system) / 1000 / (now() - t0) * 100, 1)]);
    }
    stream.close();
    printTable(`stream latency on ${setup}, commit to arrival (ms), ${RATE}/s for ${SECONDS} s, HOOKLINE_STREAM_POLL_MS ${running.ctx.config.streamPollMs}`, [
      ['published by', 'arrived', 'missing', 'p50', 'p95', 'max', 'CPU % of one core (this process)'],
      ...rows,
    ]);
  } finally {
    await other.db.close();
    await running.stop();
  }
}

type LookMode = 'none' | 'streaming' | 'back to back';

/**
 * `ms` of 8 publishers writing, beside: no feed; a feed as an API process runs it with one stream
 * open (a look per HOOKLINE_STREAM_POLL_MS, sooner when writers held it back); or looks back to back.
 */
async function frontierRound(ctx: AppContext, accountId: string, mode: LookMode, ms: number) {
  let looks = 0;
  const counting: AppContext['db'] = {
    ...ctx.db,
    all: (sql, params) => {
      if (sql.includes('pg_locks')) looks++;
      return ctx.db.all(sql, params);
    },
  };
  const feed = startEventFeed({ ...ctx, db: counting }, { pollMs: mode === 'streaming' ? ctx.config.streamPollMs : 60_000, startTimeoutMs: 10_000 });
  const follower = mode === 'streaming' ? feed.follow({ accountId, from: await feed.start() }, async () => {}) : undefined;
  looks = 0;
  let publishes = 0;
  const cpu = process.cpuUsage();
  const t0 = now();
  const until = t0 + ms;
  await Promise.all([
    ...(mode === 'back to back' ? [(async () => { while (now() < until) await feed.start(); })()] : []),
    ...Array.from({ length: 8 }, async () => { while (now() < until) { await publishOne(ctx, accountId); publishes++; } }),
  ]);
  const wall = now() - t0;
  const used = process.cpuUsage(cpu);
  follower?.stop();
  feed.stop();
  return { looksPerSecond: (looks / wall) * 1000, msPerLook: looks ? wall / looks : Number.NaN, publishesPerSecond: (publishes / wall) * 1000, cpuPct: ((used.user + used.system) / 1000 / wall) * 100 };
}

async function frontierCost(config: Config) {
  const ctx = await openContext(config);
  try {
    const { account } = await createAccount(ctx, 'bench');
    await frontierRound(ctx, account.id, 'streaming', 1_000); // warm-up
    const rows: (string | number)[][] = [];
    const rates: Record<LookMode, number[]> = { none: [], streaming: [], 'back to back': [] };
    for (const mode of ['none', 'streaming', 'back to back', 'none', 'streaming', 'back to back', 'none', 'streaming', 'back to back'] as const) {
      const r = await frontierRound(ctx, account.id, mode, SECONDS * 1000);
      rates[mode].push(r.publishesPerSecond);
      rows.push([mode, round(r.publishesPerSecond, 0), mode === 'none' ? '' : round(r.looksPerSecond, 1), mode === 'back to back' ? round(r.msPerLook, 2) : '', round(r.cpuPct, 1)]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push(['ratio streaming / none', round(mean(rates.streaming) / mean(rates.none), 3), '', '', '']);
    rows.push(['ratio back to back / none', round(mean(rates['back to back']) / mean(rates.none), 3), '', '', '']);
    printTable(`frontier looks on PostgreSQL beside 8 publishers, ${SECONDS} s a round`, [
      ['looks', 'publishes/s', 'looks/s', 'ms a look', 'CPU % of one core (this process)'],
      ...rows,
    ]);
  } finally {
    await ctx.db.close();
  }
}

const configs: Config[] = [];
try {
  for (const setup of (flags.setups ?? '').split(',')) {
    const dir = tempDir(`hookline-bench-stream-${setup}-`);
    if (setup === 'postgres') {
      const frontierConfig = loadConfig(envFor(setup, tempDir('hookline-bench-frontier-')));
      configs.push(frontierConfig);
      await frontierCost(frontierConfig);
    }
    const env = envFor(setup, dir);
    configs.push(loadConfig(env));
    await streamLatency(setup, env);
  }
} finally {
  await dropSchemas(configs);
}
