// SQLite's WAL checkpoints run on a thread of their own (storage/sqlite/checkpointer.ts) once a
// connection is busy: its commits never copy the log into the database file themselves, yet the
// file takes in what was committed and the log stops growing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../src/storage/sqlite/checkpointer.js';
import { openSqlite } from '../src/storage/sqlite/connection.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const PAGE = 4096;
/** 2,400 commits of a row of a page each, 100 at a time with a pause between: about 10 MB of log, over 1.2 s. */
async function busyWriting(file: string) {
  const db = openSqlite(file);
  await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, filler TEXT NOT NULL)');
  const filler = 'x'.repeat(PAGE);
  const walSizes: number[] = [];
  for (let round = 0; round < 24; round++) {
    for (let i = 0; i < 100; i++) await db.transaction((tx) => tx.run('INSERT INTO t (filler) VALUES (?)', [filler]));
    walSizes.push(fs.statSync(`${file}-wal`).size);
    await sleep(50);
  }
  const fileSize = fs.statSync(file).size;
  const autocheckpoint = await db.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint');
  await db.close();
  return { walSizes, fileSize, autocheckpoint: autocheckpoint!.wal_autocheckpoint };
}

describe('SQLite checkpoints', () => {
  it('stay SQLite\'s own, inside commits, for a connection that commits a few times (no thread)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-ckpt-'));
    const db = openSqlite(path.join(dir, 'short.db'));
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    for (let i = 0; i < 10; i++) await db.transaction((tx) => tx.run('INSERT INTO t DEFAULT VALUES'));
    expect(await db.get('PRAGMA wal_autocheckpoint')).toEqual({ wal_autocheckpoint: 1000 });
    await db.close();
  });

  it('are handed to the thread as well by a connection whose writes are statements on their own', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-ckpt-'));
    const db = openSqlite(path.join(dir, 'plain.db'));
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    for (let i = 0; i < 100; i++) await db.run('INSERT INTO t DEFAULT VALUES');
    expect(await db.get('PRAGMA wal_autocheckpoint')).toEqual({ wal_autocheckpoint: 10_000 });
    await db.close();
  });

  it("are a busy connection's thread's work: the database file takes in the log while commits go on, and the log stays small", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-ckpt-'));
    const file = path.join(dir, 'busy.db');
    const { walSizes, fileSize, autocheckpoint } = await busyWriting(file);
    // Once the thread runs, the connection's own checkpoint waits for 10,000 pages of log, and this
    // run writes about 4,800 (each row a page and its overflow): had the thread not checkpointed,
    // the database file would still be nearly empty and the log would hold every row.
    expect(autocheckpoint).toBe(10_000);
    expect(fileSize).toBeGreaterThan(2_400 * PAGE);
    expect(Math.max(...walSizes)).toBeLessThan(10_000 * PAGE);

    const reader = new Database(file, { readonly: true });
    expect((reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(2_400);
    reader.close();
  });

  it('tell the connection when their thread fails (it then checkpoints itself again), and not when it is closed', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-ckpt-'));
    // A file that is not there: the thread's connection cannot open, and the thread ends.
    const lost = await new Promise<boolean>((resolve) => {
      startCheckpointer(path.join(dir!, 'missing.db'), () => resolve(true), 20);
      setTimeout(() => resolve(false), 10_000);
    });
    expect(lost).toBe(true);

    const file = path.join(dir, 'there.db');
    const db = openSqlite(file);
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    let lostAfterClose = false;
    const checkpointer = startCheckpointer(file, () => (lostAfterClose = true), 20);
    await sleep(500); // the thread is up and has checkpointed a few times
    await checkpointer.close();
    expect(lostAfterClose).toBe(false);
    await db.close();
  });
});
