// Plumbing for the delivery benchmark: a self-signed certificate, the receiver child process and
// its IPC client, and starting hookline over a fresh database (a SQLite file, or a PostgreSQL
// schema) with webhooks pointing at it.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { Agent } from 'undici';
import { bootstrap } from '../src/accounts/service.js';
import { openContext, start, type Running } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { signedHeaders } from '../src/delivery/signing.js';
import { renderEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { newWebhookSecret } from '../src/ids.js';
import { startTelling } from '../src/storage/postgres/wakeups.js';
import { createWebhook } from '../src/webhooks/service.js';
import type { ReceiverCommand, ReceiverReply } from './receiver.js';

export const API_KEY = 'hkl_bench_key_of_the_first_account_0123456789';
export const now = () => performance.timeOrigin + performance.now();

/**
 * Starts `start(n, planned)` for n = 0, 1, ... while `more(n)`, at `perSecond`: each at its planned
 * time (this process's clock), whether or not earlier ones have ended, as requests to a server
 * come, but with at most `maxOpen` open (then as soon as one ends). Resolves once all have ended,
 * with how many started more than 5 ms after their planned time.
 */
export async function atHeldRate(
  perSecond: number,
  maxOpen: number,
  more: (n: number) => boolean,
  start: (n: number, planned: number) => Promise<unknown>,
): Promise<{ late: number }> {
  const t0 = now();
  const open = new Set<Promise<unknown>>();
  let late = 0;
  for (let n = 0; more(n); n++) {
    const planned = t0 + (n * 1000) / perSecond;
    const wait = planned - now();
    if (wait > 1) await sleep(wait);
    while (open.size >= maxOpen) await Promise.race(open);
    if (now() - planned > 5) late++;
    const p: Promise<unknown> = start(n, planned).finally(() => open.delete(p));
    open.add(p);
  }
  await Promise.all(open);
  return { late };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl. */
export function makeCertificate(dir: string): { keyFile: string; certFile: string } {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { keyFile, certFile };
}

export interface ReceiverClient {
  url: string;
  /** The receiver process's id (its CPU time is its own, not hookline's). */
  pid: number | undefined;
  count(): Promise<number>;
  /** Resolves with the n-th arrival's time, or undefined if it has not come within timeoutMs. */
  wait(n: number, timeoutMs: number): Promise<number | undefined>;
  /** Everything recorded since the last collect; the receiver starts afresh. */
  collect(ids: boolean): Promise<ReceiverReply>;
  close(): void;
}

export async function startReceiver(keyFile: string, certFile: string): Promise<ReceiverClient> {
  // Only tsx is passed on, so a --cpu-prof given to the parent profiles the sender alone.
  const child: ChildProcess = fork(new URL('./receiver.ts', import.meta.url), [keyFile, certFile], { execArgv: ['--import', 'tsx'] });
  const pending = new Map<number, (reply: ReceiverReply) => void>();
  let nextId = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    child.on('message', (msg: ReceiverReply | { ready: number }) => {
      if ('ready' in msg) return resolve(msg.ready);
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    });
  });
  type Command = ReceiverCommand extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;
  const ask = (cmd: Command) =>
    new Promise<ReceiverReply>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      child.send({ ...cmd, id });
    });
  return {
    url: `https://127.0.0.1:${port}`,
    pid: child.pid,
    count: async () => (await ask({ cmd: 'count' })).count,
    wait: async (n, timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), Math.max(0, timeoutMs));
      });
      const at = await Promise.race([ask({ cmd: 'wait', n }).then((r) => r.at), late]);
      clearTimeout(timer);
      return at;
    },
    collect: (ids) => ask({ cmd: 'collect', ids }),
    close: () => {
      child.removeAllListeners('exit');
      child.disconnect();
    },
  };
}

/**
 * The yardstick of both benchmarks: a bare undici loop POSTing a 1.3 KB booking.scheduled event,
 * signed anew for each request as hookline signs each delivery, with `inFlight` at once, until
 * `total` are sent or `untilMs` (this process's clock) passes. With `perSecond`, each request is
 * sent at its planned time instead (up to `inFlight` open): the same load as hookline's deliveries
 * at a held booking rate, so a wake-up of the loop carries as few requests as hookline's do. Its
 * CPU is this process's (`process.cpuUsage()`), the receiver being a process of its own.
 */
export async function bareLoop(rx: ReceiverClient, certFile: string, limits: { inFlight: number; total?: number; untilMs: number; perSecond?: number }) {
  const agent = new Agent({ connect: { ca: fs.readFileSync(certFile, 'utf8') }, keepAliveTimeout: 30_000 });
  const type = 'booking.scheduled';
  const body = renderEvent('EVNT-CEILING000', type, Date.now(), sampleData(type, Date.now()));
  const secret = newWebhookSecret();
  await rx.collect(false);
  let sent = 0;
  let failed = 0;
  const post = async () => {
    const headers = signedHeaders([secret], `EVNT-${++sent}`, body, Date.now(), 'hookline-bench');
    const res = await agent.request({ origin: rx.url, path: '/ceiling', method: 'POST', headers: { ...headers }, body });
    await res.body.dump();
    if (res.statusCode !== 200) failed++;
  };
  const more = () => sent < (limits.total ?? Infinity) && now() < limits.untilMs;
  const cpu0 = process.cpuUsage();
  const t0 = now();
  if (limits.perSecond === undefined) {
    await Promise.all(Array.from({ length: limits.inFlight }, async () => {
      while (more()) await post();
    }));
  } else {
    await atHeldRate(limits.perSecond, limits.inFlight, more, post);
  }
  const ms = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await agent.close();
  const { count, connections } = await rx.collect(false);
  return {
    requests: sent,
    received: count,
    connections,
    failed,
    concurrency: limits.inFlight,
    bodyBytes: body.length,
    ms: Math.round(ms * 10) / 10,
    perSecond: Math.round((sent * 10_000) / ms) / 10,
    cpuMsPerRequest: Math.round(((cpu.user + cpu.system) / 1000 / sent) * 1000) / 1000,
  };
}

/** `--database`: sqlite, postgres (the local server), or a PostgreSQL URL. */
const POSTGRES_LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database: a SQLite file in dir, or a new schema in PostgreSQL (dropped by dropSchemas). */
function freshDatabase(dir: string, database: string): string {
  if (database === 'sqlite') return path.join(dir, 'hookline.db');
  const url = database === 'postgres' ? POSTGRES_LOCAL : database;
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`--database takes sqlite, postgres or a postgres:// URL, got '${database}'`);
  // The schema is the benchmark's to create and drop: never one named by the caller.
  if (new URL(url).searchParams.has('schema')) throw new Error('--database: leave the schema out of the URL; each phase gets a fresh one');
  return `${url}${url.includes('?') ? '&' : '?'}schema=hookline_bench_${randomBytes(4).toString('hex')}`;
}

/** Drops the PostgreSQL schemas of these configurations; SQLite files go with the work folder. */
export async function dropSchemas(configs: Config[]): Promise<void> {
  for (const { database } of configs) {
    if (!/^postgres(ql)?:\/\//.test(database)) continue;
    const url = new URL(database);
    const schema = url.searchParams.get('schema')!;
    url.searchParams.delete('schema');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

export function hooklineEnv(dir: string, certFile: string, database: string): Record<string, string> {
  return {
    HOOKLINE_DATABASE: freshDatabase(dir, database),
    HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'),
    HOOKLINE_HOST: '127.0.0.1',
    HOOKLINE_PORT: '0',
    HOOKLINE_API_KEY: API_KEY,
    HOOKLINE_RATE_LIMIT: '1000000',
    HOOKLINE_LOG_LEVEL: 'warn',
    HOOKLINE_SSRF_ALLOW: '127.0.0.0/8,::1/128',
    HOOKLINE_DELIVERY_CA_FILE: certFile,
  };
}

/** What the phases drive: a context to publish with, the delivering processes' claim counts, and stop(). */
export interface Hookline {
  ctx: AppContext;
  /** Claims made so far by every delivering process, from their Prometheus metrics. */
  claims(): Promise<Claims>;
  stop(): Promise<void>;
}

export interface Claims {
  found: number;
  empty: number;
}

/** Sums hookline_delivery_claims_total by result over these /metrics texts. */
function claimsIn(texts: string[]): Claims {
  const sum = (result: string) =>
    texts.reduce((n, text) => n + Number(new RegExp(`^hookline_delivery_claims_total\\{result="${result}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0), 0);
  return { found: sum('found'), empty: sum('empty') };
}

/**
 * workers = 0: hookline whole, in this process (publishing wakes its own worker).
 * workers = N: this process publishes as an API process does (telling others through
 * LISTEN/NOTIFY on PostgreSQL), and N `hookline start --role worker` processes deliver.
 */
export async function startHookline(env: Record<string, string>, workers: number, workerNodeOptions: string[] = []): Promise<Hookline> {
  const config = loadConfig(env);
  if (workers === 0) {
    const running: Running = await start(config);
    return { ctx: running.ctx, claims: async () => claimsIn([await running.ctx.metrics.render()]), stop: () => running.stop() };
  }
  const ctx = await openContext(config);
  await bootstrap(ctx);
  const children = await Promise.all(Array.from({ length: workers }, () => startProcess(env, 'worker', workerNodeOptions)));
  // Told once the workers are registered, it addresses each webhook's wake-ups from the first publish on.
  const wakeups = ctx.db.dialect === 'postgres' ? startTelling(ctx) : undefined;
  return {
    ctx,
    claims: async () => claimsIn(await Promise.all(children.map(async (c) => (await fetch(`${c.url}/metrics`)).text()))),
    async stop() {
      await Promise.all(children.map(({ child }) => stopChild(child)));
      await wakeups?.stop();
      await ctx.db.close();
    },
  };
}

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * `hookline start --role <role>` from source; resolves once it says where it listens (a worker:
 * health and metrics). Its standard output (the logs) is read and dropped from then on.
 */
export async function startProcess(env: Record<string, string>, role: 'all' | 'api' | 'worker', nodeOptions: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'src/cli/index.ts', 'start', '--role', role], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /is listening on (\S+)/.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hookline --role ${role} exited with ${code}: ${out}`)));
  });
  return { child, url };
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Creates `count` webhooks subscribed to 'booking' in the first account; returns the account id. */
export async function createWebhooks(ctx: AppContext, receiverUrl: string, count: number): Promise<string> {
  const row = await ctx.db.get<{ id: string }>('SELECT id FROM accounts LIMIT 1');
  for (let i = 0; i < count; i++) await createWebhook(ctx, row!.id, { name: `bench ${i}`, url: `${receiverUrl}/w${i}`, events: ['booking'] });
  return row!.id;
}

export async function succeededCount(hookline: Hookline): Promise<number> {
  const row = await hookline.ctx.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded'");
  return row?.n ?? 0;
}

/** Polls the database until `n` deliveries succeeded; returns the time, or undefined past the deadline. */
export async function waitSucceeded(hookline: Hookline, n: number, deadline: number): Promise<number | undefined> {
  while (now() < deadline) {
    if ((await succeededCount(hookline)) >= n) return now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

/** Starts watching this process's event-loop delay; the returned function stops and reports it (ms). */
export function watchEventLoop(): () => { p50: number; p99: number; max: number } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    h.disable();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  };
}

