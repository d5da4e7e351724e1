// SQLite's group commit (storage/sqlite/connection.ts): transactions begun in the same turn of the
// event loop, as requests read in one turn begin them, share one COMMIT; each still stands or falls
// alone, and none is reported done (nor its afterCommit run) before its rows are committed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation, type Db } from '../src/storage/db.js';
import { openSqlite } from '../src/storage/sqlite/connection.js';

let dir: string;
let file: string;
let db: Db;
/** A second connection to the same file: what it sees is what is committed. */
let other: Database.Database;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-group-'));
  file = path.join(dir, 'group.db');
  db = openSqlite(file);
  await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  other = new Database(file, { readonly: true });
});
afterEach(async () => {
  other.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const committedNames = () => (other.prepare('SELECT name FROM t ORDER BY id').all() as { name: string }[]).map((r) => r.name);
/** Frames in the write-ahead log: each commit appends the pages it changed. */
const walFrames = () => (fs.statSync(`${file}-wal`).size - 32) / (4096 + 24);
const insert = (name: string) => db.transaction(async (tx) => void (await tx.run('INSERT INTO t (name) VALUES (?)', [name])));
/** Begins each in its own I/O-like callback of one event-loop turn, as requests read together would. */
const inOneTurn = <T>(fns: (() => Promise<T>)[]) =>
  Promise.allSettled(fns.map((fn) => new Promise<T>((resolve, reject) => setImmediate(() => fn().then(resolve, reject)))));

describe('SQLite group commit', () => {
  it('commits transactions begun in one turn of the event loop once, and one by one those begun after each other', async () => {
    await insert('warm-up');
    const start = walFrames();
    await insert('one');
    const perCommit = walFrames() - start; // the table's page and its index's
    expect(perCommit).toBeGreaterThan(0);

    const before = walFrames();
    const together = await inOneTurn(Array.from({ length: 8 }, (_, i) => () => insert(`together-${i}`)));
    expect(together.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(walFrames() - before).toBe(perCommit);

    const beforeApart = walFrames();
    for (let i = 0; i < 4; i++) await insert(`apart-${i}`);
    expect(walFrames() - beforeApart).toBe(4 * perCommit);
    expect(committedNames()).toHaveLength(14);
  });

  it('rolls back a failing transaction alone: its writes go, the others in its commit stay', async () => {
    const hooks: string[] = [];
    const [a, b, c, d] = await inOneTurn<void>([
      () => insert('a'),
      () =>
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (name) VALUES (?)', ['b']);
          tx.afterCommit(() => hooks.push('b'));
          throw new Error('b gives up');
        }),
      () =>
        db.transaction(async (tx) => {
          tx.afterCommit(() => hooks.push('c'));
          await tx.run('INSERT INTO t (name) VALUES (?)', ['c']);
        }),
      () =>
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (name) VALUES (?)', ['d']);
          await tx.run('INSERT INTO t (name) VALUES (?)', ['a']); // taken by the first, in the same commit
        }),
    ]);
    expect(a!.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'b gives up' } });
    expect(c!.status).toBe('fulfilled');
    expect(d!.status).toBe('rejected');
    expect((d as PromiseRejectedResult).reason).toBeInstanceOf(UniqueViolation);
    expect(committedNames()).toEqual(['a', 'c']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(hooks).toEqual(['c']);
  });

  it('answers each transaction, and runs its afterCommit, only once its rows are committed', async () => {
    const seen: Record<string, string[]> = {};
    await inOneTurn(
      ['first', 'second', 'third'].map((name) => async () => {
        await db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (name) VALUES (?)', [name]);
          tx.afterCommit(() => (seen[`${name} hook`] = committedNames()));
        });
        seen[name] = committedNames();
      }),
    );
    for (const name of ['first', 'second', 'third']) {
      expect(seen[name], name).toContain(name);
      expect(seen[`${name} hook`], `${name} hook`).toContain(name);
    }
  });

  it('lets a statement outside any transaction wait for the open one, then see what it committed', async () => {
    const order: string[] = [];
    await inOneTurn([
      () => insert('x').then(() => void order.push('insert answered')),
      () => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t').then((row) => void order.push(`count ${row!.n}`)),
    ]);
    expect(order).toEqual(['insert answered', 'count 1']);
  });
});
