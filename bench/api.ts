// API benchmark, black-box: guests book over HTTP (`POST /v2/booking-calendars/{id}/schedule`) and
// the signed webhooks arrive at an HTTPS receiver, as users see it. `npm run bench:api -- [--quick]
// [--setups sqlite,postgres,postgres:split] [--rates 100,200,500] [--seconds S] [--warmup S] [--clients N]
// [--webhooks N] [--history 100,100000] [--only bare,max,rates,history] [--log-level L] [--node-options "..."] [--out FILE]`
// hookline runs as `hookline start` processes (split: `--role api` and `--role worker`) over a fresh
// database; their CPU time comes from /proc/<pid>/stat. Phases, bounded in count and time:
//   bare     a bare undici POST loop to the same receiver (16 in flight): CPU per request, the yardstick,
//            back to back and at each held rate's request rate (rate x webhooks, each at its time);
//   max      N clients booking back to back for S seconds: bookings/s the API takes, then its deliveries;
//   rates    bookings offered at each held rate (each at its time, up to 64 open) after a warm-up:
//            booking-to-arrival p50/p99 (from the booking's planned send time to each webhook's arrival),
//            API answer times, and hookline's CPU per booking and per delivery (and its ratio to the bare loop's);
//   history  the same host given 100 and then 100,000 past bookings: API answer times and CPU per booking
//            at a held rate, so a cost that grows with history shows.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../src/config.js';
import { apiClient, cpuMsOf, loadHistory, machineCpuMs, startProcesses, type HooklineProcesses } from './api-processes.js';
import { API_KEY, atHeldRate, bareLoop, dropSchemas, hooklineEnv, makeCertificate, now, startReceiver, tempDir } from './harness.js';
import { percentile, printTable, round } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    setups: { type: 'string', default: 'sqlite,postgres,postgres:split' },
    rates: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    clients: { type: 'string', default: '16' },
    webhooks: { type: 'string', default: '4' },
    history: { type: 'string' },
    only: { type: 'string', default: 'bare,max,rates,history' },
    'log-level': { type: 'string', default: 'info' },
    'node-options': { type: 'string' },
    'postgres-url': { type: 'string' },
    out: { type: 'string', default: 'bench-api-results.json' },
  },
});
const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);
const positive = (raw: string) => {
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`expected a positive number, got '${raw}'`);
  return n;
};
const opts = {
  rates: list(flags.rates ?? (flags.quick ? '100' : '100,200,500')).map(positive),
  seconds: positive(flags.seconds ?? (flags.quick ? '2' : '10')),
  warmup: Number(flags.warmup ?? (flags.quick ? '1' : '2')),
  clients: positive(flags.clients),
  webhooks: positive(flags.webhooks),
  history: list(flags.history ?? (flags.quick ? '100,5000' : '100,100000')).map(positive),
  logLevel: flags['log-level'],
};
const phases = new Set(list(flags.only));
const setups = list(flags.setups).map((name) => {
  if (!/^(sqlite|postgres|postgres:split)$/.test(name)) throw new Error(`--setups: sqlite, postgres or postgres:split, got '${name}'`);
  return { name, database: name === 'sqlite' ? 'sqlite' : (flags['postgres-url'] ?? 'postgres'), split: name === 'postgres:split' };
});
/** Bookings open at once at most in a held-rate run: more than an API server would hold. */
const OPEN = 64;
/** Bookings per second of the history phase: well below what the API takes, so queueing does not hide the cost. */
const HISTORY_RATE = 50;
const MINUTES = 15;

const work = tempDir('hookline-bench-api-');
const { keyFile, certFile } = makeCertificate(work);
const rx = await startReceiver(keyFile, certFile);
const results: Record<string, unknown> = {
  when: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  options: { ...opts, setups: flags.setups },
};
const configs: Config[] = [];

/** The bare loop, 16 in flight (as many as the clients) for `seconds`, back to back or at `perSecond`: CPU of this process per request. */
/** The bare phase's figures, what hookline's CPU per delivery is compared with: by booking rate for the paced runs. */
const yardstick: { backToBack?: { cpuMsPerRequest: number }; atRate: Map<number, { cpuMsPerRequest: number }> } = { atRate: new Map() };
const bare = (seconds: number, perSecond?: number) =>
  bareLoop(rx, certFile, { inFlight: 16, untilMs: now() + seconds * 1000, ...(perSecond !== undefined && { perSecond }) });

interface Bench {
  hookline: HooklineProcesses;
  api: ReturnType<typeof apiClient>;
  accountId: string;
  calendars: { id: string; hostId: string }[];
  /** The next free start time of each calendar's host. */
  next: number[];
}

/** A fresh hookline: hosts with a calendar each (`hosts`), and `webhooks` webhooks subscribed to `booking`. */
async function freshBench(setup: (typeof setups)[number], hosts: number): Promise<Bench> {
  const env = { ...hooklineEnv(work, certFile, setup.database), HOOKLINE_LOG_LEVEL: opts.logLevel };
  configs.push(loadConfig(env));
  const hookline = await startProcesses(env, setup.split, flags['node-options'] ? list(flags['node-options'].replace(/ /g, ',')) : []);
  const api = apiClient(hookline.url, API_KEY, opts.clients);
  const calendars: Bench['calendars'] = [];
  for (let i = 0; i < hosts; i++) {
    const user = await api.call('POST', '/v2/users', { email: `host${i}@example.com`, first_name: `Host ${i}` });
    const cal = await api.call('POST', '/v2/booking-calendars', { host: user.body.id, name: `Calendar ${i}`, duration_minutes: MINUTES });
    if (cal.status !== 200) throw new Error(`creating a calendar answered ${cal.status}: ${JSON.stringify(cal.body)}`);
    calendars.push({ id: String(cal.body.id), hostId: String(user.body.id) });
  }
  for (let i = 0; i < opts.webhooks; i++) {
    const res = await api.call('POST', '/v2/webhooks', { name: `bench ${i}`, url: `${rx.url}/w${i}`, events: ['booking'] });
    if (res.status !== 200) throw new Error(`creating a webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  const account = await hookline.ctx.db.get<{ id: string }>('SELECT id FROM accounts LIMIT 1');
  const firstStart = Math.ceil((Date.now() + 86_400_000) / 3_600_000) * 3_600_000;
  return { hookline, api, accountId: account!.id, calendars, next: calendars.map(() => firstStart) };
}

/** Books the next free slot of calendar i; resolves with the booking id and the API's answer time. */
async function book(b: Bench, i: number): Promise<{ id: string; ms: number }> {
  const start = b.next[i]!;
  b.next[i] = start + MINUTES * 60_000;
  const t0 = now();
  const res = await b.api.call('POST', `/v2/booking-calendars/${b.calendars[i]!.id}/schedule`, {
    start_time: new Date(start).toISOString(),
    timezone: 'Europe/London',
    booking_form: { name: 'Ada Guest', email: 'ada@example.com', note: 'benchmark' },
  });
  if (res.status !== 200) throw new Error(`schedule answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: String(res.body.id), ms: now() - t0 };
}

/** Waits until `n` requests have reached the receiver since its last collect (or 60 s pass). */
async function drained(n: number): Promise<boolean> {
  return (await rx.wait(n, 60_000)) !== undefined;
}

async function maxRate(b: Bench, seconds: number) {
  await rx.collect(false);
  const cpu0 = b.hookline.cpuMs();
  const t0 = now();
  const answers: number[] = [];
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, c) => {
      while (now() - t0 < seconds * 1000) answers.push((await book(b, c % b.calendars.length)).ms);
    }),
  );
  const ms = now() - t0;
  const apiCpu = b.hookline.cpuMs() - cpu0;
  const allArrived = await drained(answers.length * opts.webhooks);
  const cpu = b.hookline.cpuMs() - cpu0;
  answers.sort((x, y) => x - y);
  return {
    bookings: answers.length,
    perSecond: round((answers.length / ms) * 1000),
    answerP50: round(percentile(answers, 50)),
    answerP99: round(percentile(answers, 99)),
    cpuMsPerBookingWhileBooking: round(apiCpu / answers.length, 3),
    cpuMsPerDelivery: round(cpu / (answers.length * opts.webhooks), 3),
    allArrived,
  };
}

/** Bookings at a held rate, each at its planned time (or as soon as fewer than OPEN are open); warm-up first. */
async function heldRate(b: Bench, rate: number, seconds: number, warmup: number, calendars: number[]) {
  const sent: { planned: number; id: string; ms: number }[] = [];
  let late = 0;
  let k = 0;
  let booked = 0;
  const run = async (secs: number, keep: boolean) => {
    const total = Math.round(rate * secs);
    booked += total;
    const paced = await atHeldRate(rate, OPEN, (n) => n < total, (_, planned) =>
      book(b, calendars[k++ % calendars.length]!).then((r) => {
        if (keep) sent.push({ planned, ...r });
      }),
    );
    late += paced.late;
  };
  await rx.collect(false);
  if (warmup > 0) {
    await run(warmup, false);
    await drained(booked * opts.webhooks); // the warm-up's deliveries are in before the measured run
    await rx.collect(false);
  }
  late = 0;
  await eventLoopDelay(b.hookline.url); // a scrape resets the delay histogram: the next one covers this run
  const cpu0 = b.hookline.cpuMs();
  const machine0 = machineCpuMs();
  const own0 = process.cpuUsage();
  const receiver0 = rx.pid ? cpuMsOf(rx.pid) : 0;
  const t0 = now();
  await run(seconds, true);
  const offeredMs = now() - t0;
  const allArrived = await drained(sent.length * opts.webhooks);
  const cpu = b.hookline.cpuMs() - cpu0;
  // The rest of the machine's CPU: the database server's when it is PostgreSQL, and any neighbour's.
  const ownCpu = process.cpuUsage(own0);
  const others = machineCpuMs() - machine0 - cpu - (ownCpu.user + ownCpu.system) / 1000 - (rx.pid ? cpuMsOf(rx.pid) - receiver0 : 0);
  // Arrivals carry the event id (webhook-id); the events table says which booking each event is of.
  const got = await rx.collect(true);
  const loop = await eventLoopDelay(b.hookline.url);
  const events = await b.hookline.ctx.db.all<{ id: string; body: string }>(
    "SELECT id, body FROM events WHERE type = 'booking.scheduled' AND created_at >= ?",
    [Math.floor(t0) - 1000],
  );
  const bookingOf = new Map(events.map((e) => [e.id, (JSON.parse(e.body) as { data: { id: string } }).data.id]));
  const plannedOf = new Map(sent.map((s) => [s.id, s.planned]));
  const toArrival: number[] = [];
  got.ids!.forEach((eventId, n) => {
    const planned = plannedOf.get(bookingOf.get(eventId) ?? '');
    if (planned !== undefined) toArrival.push(got.times![n]! - planned);
  });
  toArrival.sort((x, y) => x - y);
  const answers = sent.map((s) => s.ms).sort((x, y) => x - y);
  return {
    rate,
    offered: round((sent.length / offeredMs) * 1000),
    bookings: sent.length,
    deliveries: toArrival.length,
    /** TLS connections hookline opened to the receiver during the run. */
    connections: got.connections,
    late,
    answerP50: round(percentile(answers, 50)),
    answerP99: round(percentile(answers, 99)),
    arrivalP50: round(percentile(toArrival, 50)),
    arrivalP90: round(percentile(toArrival, 90)),
    arrivalP99: round(percentile(toArrival, 99)),
    arrivalMax: round(toArrival[toArrival.length - 1] ?? NaN),
    cpuMsPerBooking: round(cpu / sent.length, 3),
    cpuMsPerDelivery: round(cpu / (sent.length * opts.webhooks), 3),
    /** CPU of every other process on the machine per booking: PostgreSQL's backends (and whatever else ran). */
    otherCpuMsPerBooking: round(others / sent.length, 3),
    /** The API process's event-loop delay p99 and max (ms), from its /metrics (since the previous scrape). */
    loopP99: loop.p99,
    loopMax: loop.max,
    allArrived,
  };
}

/**
 * nodejs_eventloop_lag_p99_seconds and _max_seconds of the process serving `url`, in ms (prom-client
 * samples the delay at a 10 ms resolution, so read it for stalls, not for small delays).
 */
async function eventLoopDelay(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000);
  return { p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
}

async function history(b: Bench) {
  const out = [];
  const cal = { ...b.calendars[0]!, accountId: b.accountId, minutes: MINUTES };
  for (const size of opts.history) {
    await loadHistory(b.hookline.ctx, cal, size, Date.now() - 86_400_000);
    const run = await heldRate(b, HISTORY_RATE, opts.seconds, opts.warmup, [0]);
    out.push({ pastBookings: size, answerP50: run.answerP50, answerP99: run.answerP99, arrivalP99: run.arrivalP99, cpuMsPerBooking: run.cpuMsPerBooking });
  }
  return out;
}

try {
  if (phases.has('bare')) {
    const r = await bare(flags.quick ? 2 : 5);
    results.bare = yardstick.backToBack = r;
    // And at each held rate's request rate (a delivery per webhook per booking): a wake-up then carries few requests.
    const paced = [];
    for (const rate of opts.rates) {
      const p = { perSecondPlanned: rate * opts.webhooks, ...(await bare(flags.quick ? 2 : 5, rate * opts.webhooks)) };
      paced.push(p);
      yardstick.atRate.set(rate, p);
    }
    results.barePaced = paced;
    printTable('bare undici POST loop, 16 in flight', [
      ['sent', 'req/s', 'CPU ms per request'],
      ['back to back', r.perSecond, r.cpuMsPerRequest],
      ...paced.map((p) => [`at ${p.perSecondPlanned}/s`, p.perSecond, p.cpuMsPerRequest]),
    ]);
  }
  for (const setup of setups) {
    const b = await freshBench(setup, 8);
    const res: Record<string, unknown> = { pids: b.hookline.pids.length };
    try {
      if (phases.has('max')) {
        const m = await maxRate(b, opts.seconds);
        res.max = m;
        printTable(`${setup.name}: ${opts.clients} clients booking back to back, fan-out ${opts.webhooks}`, [
          ['bookings/s', 'answer p50 / p99 ms', 'CPU ms/booking while booking', 'CPU ms/delivery (all)', 'all arrived'],
          [m.perSecond, `${m.answerP50} / ${m.answerP99}`, m.cpuMsPerBookingWhileBooking, m.cpuMsPerDelivery, String(m.allArrived)],
        ]);
      }
      if (phases.has('rates')) {
        const rows = [];
        for (const rate of opts.rates) rows.push(await heldRate(b, rate, opts.seconds, opts.warmup, b.calendars.map((_, i) => i)));
        res.rates = rows;
        // CPU per delivery against the bare loop's per request, sent at the same rate and back to back (when the bare phase ran).
        const yardsticks = (rate: number, ms: number) => {
          const x = (y: { cpuMsPerRequest: number } | undefined) => (y ? `${Math.round((ms / y.cpuMsPerRequest) * 10) / 10}×` : '-');
          return `${x(yardstick.atRate.get(rate))} / ${x(yardstick.backToBack)}`;
        };
        printTable(`${setup.name}: held rates, fan-out ${opts.webhooks}`, [
          ['offered/s', 'bookings', 'late', 'TLS conns', 'answer p50/p99 ms', 'to arrival p50/p90/p99/max ms', 'loop delay p99/max ms', 'CPU ms/booking', 'CPU ms/delivery', 'x bare same rate / back to back', 'others\' CPU ms/booking', 'all arrived'],
          ...rows.map((r) => [r.offered, r.bookings, r.late, r.connections, `${r.answerP50} / ${r.answerP99}`, `${r.arrivalP50} / ${r.arrivalP90} / ${r.arrivalP99} / ${r.arrivalMax}`, `${r.loopP99} / ${r.loopMax}`, r.cpuMsPerBooking, r.cpuMsPerDelivery, yardsticks(r.rate, r.cpuMsPerDelivery), r.otherCpuMsPerBooking, String(r.allArrived)]),
        ]);
      }
      if (phases.has('history')) {
        const rows = await history(b);
        res.history = rows;
        printTable(`${setup.name}: one host's past bookings, ${HISTORY_RATE} bookings/s to it`, [
          ['past bookings', 'answer p50 / p99 ms', 'to arrival p99 ms', 'CPU ms/booking'],
          ...rows.map((r) => [r.pastBookings, `${r.answerP50} / ${r.answerP99}`, r.arrivalP99, r.cpuMsPerBooking]),
        ]);
      }
    } finally {
      await b.api.close();
      await b.hookline.stop();
    }
    results[setup.name] = res;
  }
} finally {
  rx.close();
  await dropSchemas(configs);
  fs.rmSync(work, { recursive: true, force: true });
  fs.writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nfigures written to ${flags.out}`);
}
