// Global setup of the `postgres` project. It names this run (the time it started, then a random
// part) so that every schema the run's tests create shares the prefix `hl_<run>_`; at the end it
// drops them. Schemas left by runs that were interrupted more than a day ago are dropped too;
// the schemas of another run going on at the same time are left alone.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { connectPostgres, TEST_POSTGRES_URL } from './database.js';

const DAY_SECONDS = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Schemas dropped per statement: one statement for all of them could run out of lock slots. */
const DROP_BATCH = 10;

async function dropSchemas(which: (run: string) => boolean): Promise<void> {
  const client = await connectPostgres();
  try {
    const { rows } = await client.query<{ nspname: string }>(String.raw`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hl\_%\_%'`);
    const doomed = rows.map((r) => r.nspname).filter((name) => which(name.split('_')[1]!)); // schemaPrefix() in database.ts: hl_<run>_...
    for (let i = 0; i < doomed.length; i += DROP_BATCH) {
      await client.query(`DROP SCHEMA IF EXISTS ${doomed.slice(i, i + DROP_BATCH).join(', ')} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/** A run's start time in seconds, from its name (NaN for a schema that is not a test run's). */
const startedAt = (run: string) => parseInt(run.slice(0, -4), 36);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    await dropSchemas((run) => startedAt(run) < nowSeconds() - DAY_SECONDS);
  } catch (err) {
    throw new Error(`The postgres test project needs PostgreSQL at ${TEST_POSTGRES_URL}: ${(err as Error).message}`);
  }
  const run = nowSeconds().toString(36) + randomBytes(2).toString('hex');
  project.provide('postgresRun', run);
  return () => dropSchemas((r) => r === run);
}
