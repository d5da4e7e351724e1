// Plumbing for the API benchmark: hookline as its users run it (`hookline start` processes from
// source, over a fresh database), their CPU time read from /proc, an HTTP client for its API, and
// a bulk loader of a host's past bookings.
import fs from 'node:fs';
import { Pool } from 'undici';
import { startProcess, stopChild } from './harness.js';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { newId } from '../src/ids.js';
import { jsonRows } from '../src/storage/db.js';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time (ms) the whole machine's processes have used so far, from /proc/stat: user, nice, system,
 * irq and softirq, without idle, iowait and steal (time other machines' guests took). With
 * PostgreSQL on the same machine, it holds the database's work that the hookline processes' own
 * figure leaves out (and the benchmark's clients and receiver, which its caller subtracts).
 */
export function machineCpuMs(): number {
  const [, user, nice, system, , , irq, softirq] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return ((user! + nice! + system! + irq! + softirq!) * 1000) / TICKS_PER_SECOND;
}

export interface HooklineProcesses {
  /** The API's base URL (the process with role all or api). */
  url: string;
  pids: number[];
  /** CPU time (ms) of all of hookline's processes so far. */
  cpuMs(): number;
  /** A context on the same database, for reading what the processes wrote (and loading history). */
  ctx: AppContext;
  stop(): Promise<void>;
}

/** split = false: one `hookline start` (API and worker); true: an API process and a worker process. */
export async function startProcesses(env: Record<string, string>, split: boolean, nodeOptions: string[] = []): Promise<HooklineProcesses> {
  // The first process migrates and creates the account; a second one starts on the migrated database.
  const first = await startProcess(env, split ? 'api' : 'all', nodeOptions);
  const children = [first.child];
  if (split) children.push((await startProcess(env, 'worker', nodeOptions)).child);
  const ctx = await openContext(loadConfig({ ...env, HOOKLINE_LOG_LEVEL: 'warn' }));
  const pids = children.map((c) => c.pid!);
  return {
    url: first.url,
    pids,
    cpuMs: () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    ctx,
    async stop() {
      await Promise.all(children.map(stopChild));
      await ctx.db.close();
    },
  };
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
}

/** A client of hookline's API holding `connections` keep-alive connections, as that many integrations would. */
export function apiClient(url: string, apiKey: string, connections: number) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  return {
    async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
      const res = await pool.request({
        method,
        path,
        headers: { 'api-key': apiKey, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    },
    close: () => pool.close(),
  };
}

/**
 * Adds past bookings to a host's booking calendar, straight into the database (as years of use
 * would have left them): completed, one after the other back from `before`, none of them in the way
 * of a new booking, until the host has `count`.
 */
export async function loadHistory(ctx: AppContext, calendar: { id: string; accountId: string; hostId: string; minutes: number }, count: number, before: number): Promise<void> {
  const step = calendar.minutes * 60_000;
  const existing = (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM bookings WHERE owner_id = ?', [calendar.hostId]))!.n;
  const form = JSON.stringify({ name: 'Past guest', email: 'past@example.com', phone: '', mobile_phone: '', note: '', company: '', guests: [], custom_fields: [] });
  for (let done = Number(existing); done < count; ) {
    const batch = Math.min(5_000, count - done);
    const rows = Array.from({ length: batch }, (_, i) => {
      const startsAt = before - (done + i + 1) * step;
      return { id: newId('BKNG', 12), starts: startsAt, ends: startsAt + step, guest: newId('BKNG', 24), ics: newId('BKNG', 24) };
    });
    await ctx.db.run(
      `INSERT INTO bookings (id, account_id, booking_calendar_id, owner_id, status, subject, starts_at, ends_at, duration_minutes,
         customer_timezone, location_description, form_submission, guest_token, ics_token, created_at, updated_at)
       SELECT value->>'id', ?, ?, ?, 'completed', 'Past meeting', CAST(value->>'starts' AS BIGINT), CAST(value->>'ends' AS BIGINT), ?,
              'UTC', NULL, ?, value->>'guest', value->>'ics', CAST(value->>'starts' AS BIGINT), CAST(value->>'ends' AS BIGINT)
         FROM ${jsonRows(ctx.db)}`,
      [calendar.accountId, calendar.id, calendar.hostId, calendar.minutes, form, JSON.stringify(rows)],
    );
    done += batch;
  }
}
