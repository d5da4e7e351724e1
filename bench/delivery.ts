// Delivery benchmark: `npm run bench -- [--quick] [--events N] [--rate R] [--seconds S] [--warmup S] [--backlog N]
// [--hang-rate R] [--hang-webhooks N] [--ceiling N] [--webhooks N] [--publishers N] [--only ceiling,throughput,latency,memory,hang] [--timeout S] [--out FILE]
// [--setups sqlite,postgres,postgres:N,...] [--postgres-url URL] [--worker-node-options "--cpu-prof ..."]`.
// Setups: `sqlite` and `postgres` run hookline whole in this process; `postgres:N` runs N
// `hookline start --role worker` processes delivering while this process publishes as an API
// process does. PostgreSQL is the local server unless --postgres-url; a fresh schema per phase.
// The ceiling is measured once; each setup runs throughput and latency (and memory, in-process ones).
// Phases, each against an HTTPS receiver in a child process and bounded in count and time:
//   ceiling    a bare undici loop at hookline's concurrency: the most this machine can push;
//   throughput hookline delivering N events × W webhooks published as fast as possible;
//   latency    publish-to-arrival at a fixed offered rate, one webhook, after a warm-up at that rate;
//   memory     hookline draining a backlog built while it was stopped, memory sampled every 500 ms;
//   hang       events at a held rate (--hang-rate) to 2 × N webhooks (--hang-webhooks), twice: all answering, then
//              half never answering (4 s attempt timeout in both): the healthy half's throughput and p99 as
//              ratios of the two runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldLoop, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openContext } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { publishEvent } from '../src/events/publish.js';
import { createWebhook } from '../src/webhooks/service.js';
import { sampleData } from '../src/events/samples.js';
import { atHeldRate, bareLoop, createWebhooks, dropSchemas, hooklineEnv, makeCertificate, now, startHookline, startReceiver, tempDir, waitSucceeded, watchEventLoop } from './harness.js';
import { mb, percentile, printTable, round } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    events: { type: 'string' },
    webhooks: { type: 'string' },
    ceiling: { type: 'string' },
    rate: { type: 'string' },
    'hang-rate': { type: 'string' },
    'hang-webhooks': { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    backlog: { type: 'string' },
    only: { type: 'string' },
    timeout: { type: 'string' },
    publishers: { type: 'string' },
    out: { type: 'string', default: 'bench-results.json' },
    setups: { type: 'string', default: 'sqlite' },
    'postgres-url': { type: 'string' },
    /** Node.js options for the worker processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them. */
    'worker-node-options': { type: 'string' },
  },
});
const num = (raw: string | undefined, full: number, quick: number) => {
  const n = raw !== undefined ? Number(raw) : flags.quick ? quick : full;
  if (!(n > 0)) throw new Error(`expected a positive number, got '${raw}'`);
  return n;
};
const opts = {
  events: num(flags.events, 5_000, 300),
  webhooks: num(flags.webhooks, 4, 4),
  ceiling: num(flags.ceiling, 20_000, 2_000),
  rate: num(flags.rate, 1_000, 200),
  /** Events/s of the hang phase (each to 2 × webhooks): below what the machine sustains, so the unimpaired run is not a backlog. */
  hangRate: num(flags['hang-rate'], 25, 25),
  /** Webhooks in each half of the hang phase: by default enough hanging ones (8 × 32) to fill the 256 slots alone. */
  hangWebhooks: num(flags['hang-webhooks'], 8, 8),
  seconds: num(flags.seconds, 10, 2),
  warmup: flags.warmup !== undefined ? Number(flags.warmup) : flags.quick ? 1 : 3,
  backlog: num(flags.backlog, 100_000, 4_000),
  timeoutMs: num(flags.timeout, 120, 30) * 1000,
  publishers: num(flags.publishers, 8, 8),
};
/** One way of running hookline: its database, and 0 (hookline whole in this process) or N worker processes. */
interface Setup {
  name: string;
  database: string;
  workers: number;
}
const setups: Setup[] = flags.setups.split(',').map((item) => {
  const m = /^(sqlite|postgres)(?::(\d+))?$/.exec(item.trim());
  if (!m) throw new Error(`--setups: expected sqlite, postgres or postgres:N (N worker processes), got '${item}'`);
  const workers = Number(m[2] ?? 0);
  const database = m[1] === 'sqlite' ? 'sqlite' : (flags['postgres-url'] ?? 'postgres');
  return { name: workers > 0 ? `${m[1]}, ${workers} worker process${workers > 1 ? 'es' : ''}` : `${m[1]}, one process`, database, workers };
});
const phases = new Set((flags.only ?? 'ceiling,throughput,latency,memory,hang').split(','));
const defaults = loadConfig({});
/** Hookline's cap on attempts in flight when every delivery goes to one of `webhooks` webhooks. */
const concurrency = Math.min(defaults.deliveryConcurrency, opts.webhooks * defaults.webhookConcurrency);
const TYPE = 'booking.scheduled';
/** Publishes open at once in the latency phase at most: requests an API server would hold at 1,000/s. */
const LATENCY_OPEN = 64;
v8.setFlagsFromString('--expose-gc');
/** A full garbage collection, without having to start node with --expose-gc. */
const gc = vm.runInNewContext('gc') as () => void;

const work = tempDir('hookline-bench-');
const { keyFile, certFile } = makeCertificate(work);
const rx = await startReceiver(keyFile, certFile);
const results: Record<string, unknown> = {
  when: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  options: { ...opts, concurrency, setups: flags.setups },
};
/** Every hookline started, so that PostgreSQL schemas can be dropped at the end. */
const configs: Config[] = [];

const ceiling = (total: number) => bareLoop(rx, certFile, { inFlight: concurrency, total, untilMs: now() + opts.timeoutMs });

/** Starts hookline over a fresh database with `webhooks` webhooks at the receiver. */
async function freshHookline(setup: Setup, webhooks: number, workers = setup.workers, extraEnv: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(work, 'db-'));
  const env = { ...hooklineEnv(dir, certFile, setup.database), ...extraEnv };
  const config = loadConfig(env);
  configs.push(config);
  const running = await startHookline(env, workers, flags['worker-node-options']?.split(' ').filter(Boolean));
  const accountId = await createWebhooks(running.ctx, rx.url, webhooks);
  return { dir, env, config, running, accountId };
}

async function throughput(setup: Setup, events: number) {
  const { running, accountId } = await freshHookline(setup, opts.webhooks);
  const total = events * opts.webhooks;
  const data = Array.from({ length: events }, () => sampleData(TYPE, Date.now()));
  const deadline = now() + opts.timeoutMs;
  const loop = watchEventLoop();
  const t0 = now();
  // Several producers at once, as an API server serves several requests at once.
  let next = 0;
  const producer = async () => {
    for (let i = next++; i < events && now() < deadline; i = next++) {
      await publishEvent(running.ctx, { accountId, type: TYPE, data: data[i]! });
      if (i % 50 === 49) await yieldLoop(); // lets I/O in, as an API server would
    }
  };
  await Promise.all(Array.from({ length: opts.publishers }, producer));
  const published = now();
  const lastArrival = await rx.wait(total, deadline - now());
  const end = lastArrival ?? now();
  const allSucceeded = await waitSucceeded(running, total, deadline);
  const eventLoopDelayMs = loop();
  const { count, connections } = await rx.collect(false);
  await running.stop();
  return {
    events,
    deliveries: total,
    received: count,
    connections,
    publishMs: round(published - t0),
    /** First publish → last arrival (or → the deadline, counting what arrived, when timed out). */
    ms: round(end - t0),
    perSecond: round((count * 1000) / (end - t0)),
    /** First publish → the database has every delivery 'succeeded'. */
    perSecondDb: allSucceeded ? round((total * 1000) / (allSucceeded - t0)) : null,
    timedOut: !allSucceeded,
    eventLoopDelayMs,
  };
}

async function latency(setup: Setup, rate: number, measured: number) {
  // The first `warmup` seconds run at the same rate but are not counted: connections open, code warms up.
  const seconds = opts.warmup + measured;
  const { running, accountId } = await freshHookline(setup, 1);
  const total = Math.round(rate * seconds);
  const publishedAt = new Map<string, number>();
  const deadline = now() + opts.timeoutMs;
  const loop = watchEventLoop();
  const t0 = now();
  // Each event is published at its time, whether or not earlier publishes have returned (as
  // requests to an API server come), with at most LATENCY_OPEN publishes open at once.
  await atHeldRate(rate, LATENCY_OPEN, (n) => n < total && now() < deadline, () => {
    const t = now();
    return publishEvent(running.ctx, { accountId, type: TYPE, data: sampleData(TYPE, Date.now()) }).then(({ id }) => void publishedAt.set(id, t));
  });
  const offeredRate = (publishedAt.size * 1000) / (now() - t0);
  await rx.wait(publishedAt.size, deadline - now());
  await waitSucceeded(running, publishedAt.size, deadline);
  const eventLoopDelayMs = loop();
  const claims = await running.claims();
  const { ids = [], times = [], connections } = await rx.collect(true);
  await running.stop();
  const pairs = ids.flatMap((id, i) => (publishedAt.has(id) ? [{ at: publishedAt.get(id)! - t0, ms: times[i]! - publishedAt.get(id)! }] : []));
  const all = pairs.map((p) => p.ms).sort((a, b) => a - b);
  const lat = pairs.filter((p) => p.at >= opts.warmup * 1000).map((p) => p.ms).sort((a, b) => a - b);
  const bySecond = Array.from({ length: Math.ceil(seconds) }, (_, s) => {
    const l = pairs.filter((p) => p.at >= s * 1000 && p.at < (s + 1) * 1000).map((p) => p.ms).sort((a, b) => a - b);
    return { second: s, events: l.length, p50: round(percentile(l, 50), 2), p99: round(percentile(l, 99), 2), max: round(l.at(-1) ?? NaN, 2) };
  });
  return {
    offeredRate: round(offeredRate),
    published: publishedAt.size,
    received: ids.length,
    p50: round(percentile(lat, 50), 2),
    p90: round(percentile(lat, 90), 2),
    p99: round(percentile(lat, 99), 2),
    max: round(lat.at(-1) ?? NaN, 2),
    connections,
    eventLoopDelayMs,
    /** Claims by every delivering process: the ones that found nothing were wasted round trips. */
    claims,
    /** Over every event, the warm-up's too. */
    p99WithWarmup: round(percentile(all, 99), 2),
    bySecond,
  };
}

async function memory(setup: Setup, backlog: number) {
  const events = Math.ceil(backlog / opts.webhooks);
  const total = events * opts.webhooks;
  const first = await freshHookline(setup, opts.webhooks, 0); // memory is this process's: hookline runs in it
  await first.running.stop();
  const buildStart = now();
  const ctx = await openContext(first.config);
  for (let done = 0; done < events; ) {
    const n = Math.min(500, events - done);
    await ctx.db.transaction(async (tx) => {
      for (let i = 0; i < n; i++) await publishEvent(ctx, { accountId: first.accountId, type: TYPE, data: sampleData(TYPE, Date.now()) }, tx);
    });
    done += n;
  }
  await ctx.db.close();
  const buildMs = now() - buildStart;

  // heapUsed counts garbage not yet collected; every 4th sample (2 s) also forces a full GC and
  // records the live heap, which is what tells a leak from the collector's sawtooth.
  const samples: { t: number; rss: number; heapUsed: number; external: number; liveHeap?: number; received: number }[] = [];
  let n = 0;
  const sample = async (t0: number, forceGc = false) => {
    const { rss, heapUsed, external } = process.memoryUsage();
    const liveHeap = n++ % 4 === 0 || forceGc ? (gc(), process.memoryUsage().heapUsed) : undefined;
    const t = now() - t0;
    samples.push({ t: round(t), rss, heapUsed, external, ...(liveHeap !== undefined && { liveHeap }), received: await rx.count() });
  };
  const t0 = now();
  await sample(t0);
  const deadline = t0 + opts.timeoutMs;
  const loop = watchEventLoop();
  const timer = setInterval(() => void sample(t0), 500);
  const running = await startHookline(first.env, 0);
  const lastArrival = await rx.wait(total, deadline - now());
  const end = lastArrival ?? now();
  const allSucceeded = await waitSucceeded(running, total, deadline);
  clearInterval(timer);
  const eventLoopDelayMs = loop();
  await sample(t0, true);
  const { count, connections } = await rx.collect(false);
  await running.stop();
  samples.sort((a, b) => a.t - b.t);

  // Progress is measured against what drained, so a timed-out drain is judged on its own part.
  const live = samples.filter((s) => s.liveHeap !== undefined);
  const liveAt = (fraction: number) =>
    live.reduce((best, s) => (Math.abs(s.received - fraction * count) < Math.abs(best.received - fraction * count) ? s : best)).liveHeap!;
  const peakOf = (from: number, to: number) =>
    Math.max(...live.filter((s) => s.received >= from * count && s.received <= to * count).map((s) => s.liveHeap!), 0);
  const firstHalf = peakOf(0.01, 0.5);
  const secondHalf = peakOf(0.5, 1);
  const [startS, endS] = [samples[0]!, samples.at(-1)!];
  const span = (key: 'rss' | 'heapUsed' | 'external') => ({ start: mb(startS[key]), peak: mb(Math.max(...samples.map((s) => s[key]))), end: mb(endS[key]) });
  return {
    deliveries: total,
    received: count,
    connections,
    buildMs: round(buildMs),
    /** Restart → last arrival (or → the deadline, counting what arrived, when timed out). */
    ms: round(end - t0),
    perSecond: round((count * 1000) / (end - t0)),
    perSecondDb: allSucceeded ? round((total * 1000) / (allSucceeded - t0)) : null,
    timedOut: !allSucceeded,
    eventLoopDelayMs,
    rssMb: span('rss'),
    heapMb: span('heapUsed'),
    externalMb: span('external'),
    liveHeapAt10pctMb: mb(liveAt(0.1)),
    liveHeapAt90pctMb: mb(liveAt(0.9)),
    peakLiveHeapFirstHalfMb: mb(firstHalf),
    peakLiveHeapSecondHalfMb: mb(secondHalf),
    flat: secondHalf <= firstHalf * 1.2 + 8 * 1_048_576,
    samples: samples.map((s) => ({ ...s, rss: mb(s.rss), heapUsed: mb(s.heapUsed), external: mb(s.external), ...(s.liveHeap && { liveHeap: mb(s.liveHeap) }) })),
  };
}

/** Attempt timeout of the hang phase: short enough that hanging attempts time out (and are cut down) within the run. */
const HANG_TIMEOUT_MS = 4_000;

/** One run of the hang phase: N healthy webhooks and as many more, answering or hanging, at `rate` events/s. */
async function hangRun(setup: Setup, rate: number, seconds: number, hang: boolean) {
  const n = opts.hangWebhooks;
  const { running, accountId } = await freshHookline(setup, n, setup.workers, { HOOKLINE_DELIVERY_TIMEOUT_MS: String(HANG_TIMEOUT_MS), HOOKLINE_SHUTDOWN_GRACE_MS: '200' });
  for (let i = 0; i < n; i++) {
    await createWebhook(running.ctx, accountId, { name: `other ${i}`, url: `${rx.url}/${hang ? 'hang' : 'ok'}${i}`, events: ['booking'] });
  }
  const total = Math.round(rate * seconds);
  const publishedAt = new Map<string, number>();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    if (due > now()) await sleep(due - now());
    const t = now();
    const { id } = await publishEvent(running.ctx, { accountId, type: TYPE, data: sampleData(TYPE, Date.now()) });
    publishedAt.set(id, t);
  }
  const deadline = now() + opts.timeoutMs;
  // The healthy half: every event to each of the first N webhooks (plus, unimpaired, the others').
  const expected = publishedAt.size * n * (hang ? 1 : 2);
  await rx.wait(expected, deadline - now());
  const end = now();
  const cpu = process.cpuUsage(cpu0);
  const claims = await running.claims();
  const { ids = [], times = [] } = await rx.collect(true);
  await running.stop();
  const pairs = ids.flatMap((id, i) => (publishedAt.has(id) ? [{ at: publishedAt.get(id)! - t0, ms: times[i]! - publishedAt.get(id)! }] : []));
  const lat = pairs.map((p) => p.ms).sort((a, b) => a - b);
  const bySecond = Array.from({ length: Math.ceil(seconds) }, (_, sec) => {
    const l = pairs.filter((p) => p.at >= sec * 1000 && p.at < (sec + 1) * 1000).map((p) => p.ms).sort((a, b) => a - b);
    return { second: sec, p99: round(percentile(l, 99), 2), max: round(l.at(-1) ?? NaN, 2) };
  });
  const healthyPerSecond = ((hang ? ids.length : ids.length / 2) * 1000) / (end - t0);
  return {
    received: ids.length,
    expected,
    healthyPerSecond: round(healthyPerSecond),
    p50: round(percentile(lat, 50), 2),
    p99: round(percentile(lat, 99), 2),
    max: round(lat.at(-1) ?? NaN, 2),
    /** CPU of this process (hookline runs in it for the one-process setups) per delivery received. */
    cpuMsPerDelivery: round((cpu.user + cpu.system) / 1000 / Math.max(1, ids.length), 3),
    claims,
    bySecond,
  };
}

async function hangPhase(setup: Setup, rate: number, seconds: number) {
  const unimpaired = await hangRun(setup, rate, seconds, false);
  const impaired = await hangRun(setup, rate, seconds, true);
  return { rate, seconds, timeoutMs: HANG_TIMEOUT_MS, unimpaired, impaired, throughputRatio: round(impaired.healthyPerSecond / unimpaired.healthyPerSecond, 2), p99Ratio: round(impaired.p99 / unimpaired.p99, 2) };
}

try {
  console.log(`hookline delivery benchmark: ${os.cpus().length} CPUs, node ${process.version}, options ${JSON.stringify(opts)}, concurrency ${concurrency}`);
  const run = async <T>(name: string, setup: Setup | undefined, fn: () => Promise<T>) => {
    if (!phases.has(name)) return undefined;
    console.log(`- ${name}${setup ? ` (${setup.name})` : ''}...`);
    return fn();
  };
  const c = await run('ceiling', undefined, () => ceiling(opts.ceiling));
  results.ceiling = c;
  const rows: (string | number)[][] = [['phase', 'figure', 'value']];
  if (c) rows.push(['ceiling', `bare undici, ${c.concurrency} in flight, ${c.bodyBytes} B body`, `${c.perSecond} req/s (${c.requests} in ${c.ms} ms, ${c.connections} TLS connections)`]);
  const perSetup: Record<string, unknown>[] = [];
  let sqliteRate: number | undefined;
  for (const setup of setups) {
    const t = await run('throughput', setup, () => throughput(setup, opts.events));
    const l = await run('latency', setup, () => latency(setup, opts.rate, opts.seconds));
    // Memory is this process's, so it is measured with hookline whole in it.
    const m = setup.workers === 0 ? await run('memory', setup, () => memory(setup, opts.backlog)) : undefined;
    const h = await run('hang', setup, () => hangPhase(setup, opts.hangRate, Math.max(opts.seconds, 8)));
    const postgres = setup.database !== 'sqlite';
    const ratio = c && t ? round(t.perSecond / c.perSecond, 2) : null;
    if (!postgres && t && sqliteRate === undefined) sqliteRate = t.perSecond;
    const toSqlite = postgres && t && sqliteRate ? round(t.perSecond / sqliteRate, 2) : null;
    const p99Target = postgres ? 50 : 25;
    const ratioTarget = 0.6; // of the ceiling, on SQLite (issue 13; an earlier goal was 0.5)
    const targets = {
      throughputRatio: ratio,
      ...(!postgres && { throughputRatioOk: ratio !== null && ratio >= ratioTarget }),
      ...(postgres && { ratioToSqlite: toSqlite, ratioToSqliteOk: toSqlite === null ? null : toSqlite >= 0.6 }),
      p99Ok: l ? l.p99 < p99Target : null,
      memoryFlat: m?.flat ?? null,
    };
    perSetup.push({ setup, throughput: t, latency: l, memory: m, hang: h, targets });

    rows.push([`— ${setup.name}`, '', '']);
    if (t) {
      const late = t.timedOut ? ` — TIMED OUT after ${opts.timeoutMs / 1000} s` : '';
      rows.push(['throughput', `${t.events} events × ${opts.webhooks} webhooks, publish took`, `${t.publishMs} ms`]);
      rows.push(['', 'first publish → last arrival', `${t.perSecond} deliveries/s (${t.received}/${t.deliveries} in ${t.ms} ms${late})`]);
      rows.push(['', "first publish → DB all 'succeeded'", `${t.perSecondDb ?? '-'} deliveries/s`]);
      rows.push(['', 'event-loop delay p99 / max (bench process)', `${t.eventLoopDelayMs.p99} / ${t.eventLoopDelayMs.max} ms`]);
      if (ratio !== null) rows.push(['', postgres ? 'ratio to ceiling' : `ratio to ceiling (target ≥ ${ratioTarget})`, `${ratio}${postgres ? '' : ratio >= ratioTarget ? ' OK' : ' BELOW TARGET'}`]);
      if (toSqlite !== null) rows.push(['', 'ratio to SQLite (target ≥ 0.6)', `${toSqlite} ${toSqlite >= 0.6 ? 'OK' : 'BELOW TARGET'}`]);
    }
    if (l) {
      rows.push(['latency', `offered ${l.offeredRate} ev/s, ${l.received}/${l.published} received`, `p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max} ms`]);
      rows.push(['', `p99 < ${p99Target} ms`, l.p99 < p99Target ? 'OK' : 'ABOVE TARGET']);
      rows.push(['', `p99 counting the ${opts.warmup} s warm-up`, `${l.p99WithWarmup} ms`]);
      rows.push(['', 'event-loop delay p99 / max (bench process)', `${l.eventLoopDelayMs.p99} / ${l.eventLoopDelayMs.max} ms`]);
      rows.push(['', 'claims that took deliveries / found none', `${l.claims.found} / ${l.claims.empty} (${round(l.claims.found / Math.max(1, l.received), 2)} per delivery)`]);
    }
    if (m) {
      const late = m.timedOut ? ` — TIMED OUT after ${opts.timeoutMs / 1000} s` : '';
      rows.push(['memory', `backlog ${m.deliveries} deliveries (built in ${m.buildMs} ms), drain`, `${m.perSecond} deliveries/s (${m.received}/${m.deliveries} in ${m.ms} ms${late})`]);
      rows.push(['', 'event-loop delay p99 / max', `${m.eventLoopDelayMs.p99} / ${m.eventLoopDelayMs.max} ms`]);
      rows.push(['', 'rss start / peak / end', `${m.rssMb.start} / ${m.rssMb.peak} / ${m.rssMb.end} MB`]);
      rows.push(['', 'heapUsed start / peak / end', `${m.heapMb.start} / ${m.heapMb.peak} / ${m.heapMb.end} MB`]);
      rows.push(['', 'live heap (after GC) at 10% / 90% of what drained', `${m.liveHeapAt10pctMb} / ${m.liveHeapAt90pctMb} MB`]);
      rows.push(['', 'peak live heap 1st half / 2nd half', `${m.peakLiveHeapFirstHalfMb} / ${m.peakLiveHeapSecondHalfMb} MB → ${m.flat ? 'flat' : 'GROWING'}`]);
    }
    if (h) {
      const f = (r: typeof h.unimpaired) => `${r.healthyPerSecond} healthy deliveries/s, p50 ${r.p50}  p99 ${r.p99}  max ${r.max} ms, ${r.cpuMsPerDelivery} ms CPU each (${r.received}/${r.expected})`;
      rows.push(['hang', `${h.rate} ev/s × ${2 * opts.hangWebhooks} webhooks, all answering`, f(h.unimpaired)]);
      rows.push(['', `half never answering (${h.timeoutMs / 1000} s timeout)`, f(h.impaired)]);
      rows.push(['', 'healthy half, impaired / unimpaired', `throughput ${h.throughputRatio}, p99 ${h.p99Ratio}`]);
    }
  }
  results.setups = perSetup;
  printTable('Results', rows);
  fs.writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${flags.out}`);
} finally {
  rx.close();
  await dropSchemas(configs);
  fs.rmSync(work, { recursive: true, force: true });
}
