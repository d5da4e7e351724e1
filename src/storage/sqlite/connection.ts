// SQLite backend of the Db port, on better-sqlite3. One connection per process, WAL journal.
// better-sqlite3 is synchronous, while transactions are async callbacks: a mutex makes every other
// caller wait while a transaction is open, so no statement slips into somebody else's transaction.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db, SqlValue } from '../db.js';
import { UniqueViolation } from '../db.js';

type Statement = Database.Statement<unknown[], unknown>;

export function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Checkpoint the WAL every ~4 MB (SQLite's default). A checkpoint runs inside a commit, on the event
  // loop: at ~40 MB each one stalled every request for tens of ms (booking-to-arrival p99 29 ms against
  // 8 to 10 ms at 200 bookings/s, bench:api), for no throughput measurably gained.
  raw.pragma('wal_autocheckpoint = 1000');

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
    run: (sql: string, params: readonly SqlValue[] = []) => wrap(() => ({ changes: prepare(sql).run(...params).changes })),
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

  /** What runs after the open transaction commits (one at a time is open: the mutex). */
  let onCommit: (() => void)[] = [];
  const tx: Db = {
    dialect: 'sqlite',
    rowLocks: false,
    ...direct,
    transaction: (fn) => fn(tx),
    afterCommit: (fn) => void onCommit.push(fn),
    close: async () => {},
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
      withLock(async () => {
        begin.run();
        onCommit = [];
        try {
          const result = await fn(tx);
          commit.run();
          for (const hook of onCommit.splice(0)) queueMicrotask(hook);
          return result;
        } catch (err) {
          onCommit = [];
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () => withLock(async () => void raw.close()),
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
