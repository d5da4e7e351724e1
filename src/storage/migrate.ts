// Applies the numbered .sql files of a backend's migrations folder, each once, in order. The
// migration's row is inserted first, inside the same transaction as its SQL, so two processes
// starting together cannot both apply it: the second one's insert fails and it rolls back.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { UniqueViolation } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dialect: Db['dialect']): Migration[] {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), dialect, 'migrations');
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.split('_')[0]), name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** Returns the names of the migrations this call applied. */
export async function migrate(db: Db, now: number): Promise<string[]> {
  try {
    await db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
  } catch (err) {
    // Two processes starting on an empty PostgreSQL database can both try to create it: the loser's
    // CREATE fails although the table now exists. Go on when it does.
    const exists = await db.get('SELECT 1 AS x FROM schema_migrations LIMIT 1').then(() => true, () => false);
    if (!exists) throw err;
  }
  const applied: string[] = [];
  for (const m of readMigrations(db.dialect)) {
    const done = await db.get('SELECT 1 AS x FROM schema_migrations WHERE version = ?', [m.version]);
    if (done) continue;
    try {
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now]);
        await tx.exec(m.sql);
      });
      applied.push(m.name);
    } catch (err) {
      if (!(err instanceof UniqueViolation)) throw err; // another process applied it meanwhile
    }
  }
  return applied;
}
