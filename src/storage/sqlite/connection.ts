// SQLite backend of the Db port, on better-sqlite3. One connection per process, WAL journal.
// better-sqlite3 is synchronous, while transactions are async callbacks: a mutex makes every other
// caller wait while a transaction is open, so no statement slips into somebody else's transaction.
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Db, SqlValue } from '../db.js';
import { UniqueViolation } from '../db.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';

type Statement = Database.Statement<unknown[], unknown>;

/** SQLite's own checkpoint size (pages of 4 KiB), before the checkpointer thread runs and once it does. */
const AUTOCHECKPOINT_PAGES = 1000;
const BACKSTOP_CHECKPOINT_PAGES = 10_000;
/** Commits after which the connection starts its checkpointer thread. */
const CHECKPOINTER_AFTER_COMMITS = 64;

/** Transactions in one BEGIN ... COMMIT at most: the first one's answer waits for the others to run. */
const GROUP_MAX = 64;

export function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // The WAL is checkpointed by a thread of its own (checkpointer.ts), started once the connection
  // has committed a few times, in transactions or by statements run on their own (a short-lived
  // connection, a CLI command's, never needs it). Until then, and should the thread fall behind,
  // SQLite checkpoints inside a commit, on the event loop: every ~4 MB, its default (at ~40 MB each
  // one stalled every request for tens of ms), then every ~40 MB.
  raw.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  /** null: no thread could be had, SQLite's own checkpoints go on as before. */
  let checkpointer: Checkpointer | null | undefined;
  let commits = 0;
  const committed = () => {
    if (checkpointer !== undefined || file === ':memory:' || ++commits < CHECKPOINTER_AFTER_COMMITS) return;
    try {
      checkpointer = startCheckpointer(path.resolve(file), () => {
        if (raw.open) raw.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`); // the thread failed: SQLite's own again
      });
      raw.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    } catch {
      checkpointer = null;
    }
  };

  const statements = new Map<string, Statement>();
  const begin = raw.prepare('BEGIN IMMEDIATE');
  const commit = raw.prepare('COMMIT');
  const prepare = (sql: string): Statement => {
    let st = statements.get(sql);
    if (!st) {
      st = raw.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };

  const direct = {
    all: <T>(sql: string, params: readonly SqlValue[] = []) => wrap(() => prepare(sql).all(...params) as T[]),
    get: <T>(sql: string, params: readonly SqlValue[] = []) => wrap(() => prepare(sql).get(...params) as T | undefined),
    run: (sql: string, params: readonly SqlValue[] = []) =>
      wrap(() => {
        const { changes } = prepare(sql).run(...params);
        if (!raw.inTransaction) committed(); // a statement on its own commits by itself
        return { changes };
      }),
    exec: (sql: string) => wrap(() => void raw.exec(sql)),
  };

  // The mutex: a promise chain; `busy` is true while a transaction holds the connection.
  let tail: Promise<void> = Promise.resolve();
  let busy = false;
  const withLock = async <T>(fn: () => Promise<T>): Promise<T> => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
      release();
    }
  };
  const locked = <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => (busy ? withLock(() => op(...args)) : op(...args));

  // Group commit: transactions that arrive while one runs join its BEGIN ... COMMIT, each in a
  // savepoint of its own (a failing one rolls back alone), and all resolve once the one COMMIT is
  // done. Before committing, a batch waits once for the event loop's current turn to end
  // (setImmediate), so the requests that turn reads join it: a commit (its WAL pages, about 100 to
  // 140 µs of CPU) was the costliest statement, and requests arrive one per I/O callback, never in
  // the same microtask queue. The wait is at most that turn, and nobody is told of a commit early.
  type Job = { fn: (tx: Db) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };
  const queue: Job[] = [];
  let running = false;
  /** What runs after the transaction being run now commits: its own list, dropped if it rolls back. */
  let onCommit: (() => void)[] = [];
  const tx: Db = {
    dialect: 'sqlite',
    rowLocks: false,
    ...direct,
    transaction: (fn) => fn(tx),
    afterCommit: (fn) => void onCommit.push(fn),
    close: async () => {},
  };
  const savepointStart = raw.prepare('SAVEPOINT job');
  const savepointRelease = raw.prepare('RELEASE job');
  const savepointUndo = raw.prepare('ROLLBACK TO job');

  const runBatch = () =>
    withLock(async () => {
      const done: { job: Job; result: unknown; hooks: (() => void)[] }[] = [];
      let failure: unknown;
      try {
        begin.run();
      } catch (err) {
        for (const job of queue.splice(0)) job.reject(translate(err)); // another process holds the database past busy_timeout
        return;
      }
      try {
        for (let waited = false; done.length < GROUP_MAX; ) {
          if (queue.length === 0) {
            if (waited) break;
            waited = true;
            await setImmediate(); // the turn's other requests may begin transactions: they join this one
            continue;
          }
          const job = queue.shift()!;
          savepointStart.run();
          onCommit = [];
          try {
            const result = await job.fn(tx);
            savepointRelease.run();
            done.push({ job, result, hooks: onCommit });
          } catch (err) {
            job.reject(err);
            if (!raw.inTransaction) throw err; // SQLite gave up the whole transaction: nothing in it stands
            savepointUndo.run();
            savepointRelease.run();
          }
        }
        commit.run();
      } catch (err) {
        failure = err;
        if (raw.inTransaction) raw.exec('ROLLBACK');
      } finally {
        onCommit = [];
      }
      if (failure === undefined) committed();
      for (const { job, result, hooks } of done) {
        if (failure !== undefined) job.reject(failure);
        else {
          for (const hook of hooks) queueMicrotask(hook);
          job.resolve(result);
        }
      }
    });
  const drain = async () => {
    running = true;
    try {
      while (queue.length > 0) await runBatch();
    } finally {
      running = false;
    }
  };

  return {
    dialect: 'sqlite',
    rowLocks: false,
    all: locked(direct.all) as Db['all'],
    get: locked(direct.get) as Db['get'],
    run: locked(direct.run),
    exec: locked(direct.exec),
    afterCommit: (fn) => queueMicrotask(fn),
    transaction: <T>(fn: (tx: Db) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (!running) void drain();
      }),
    close: () =>
      withLock(async () => {
        await checkpointer?.close();
        raw.close();
      }),
  };
}

function wrap<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(translate(err));
  }
}

function translate(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const match = /UNIQUE constraint failed: (.+)$/.exec(e.message ?? '');
    return new UniqueViolation(match?.[1] ?? 'unknown', err);
  }
  return err;
}
