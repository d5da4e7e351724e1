import { defineConfig } from 'vitest/config';

// Every test file runs once per database: the `sqlite` project on fresh SQLite files, the
// `postgres` project on fresh schemas of the PostgreSQL at 127.0.0.1:5432 (test/support/database.ts).
// HOOKLINE_TEST_DBS=sqlite (or postgres) runs one of them.
const DATABASES = ['sqlite', 'postgres'] as const;
const chosen = (process.env.HOOKLINE_TEST_DBS ?? DATABASES.join(',')).split(',').map((s) => s.trim());
for (const name of chosen) {
  if (!(DATABASES as readonly string[]).includes(name)) throw new Error(`HOOKLINE_TEST_DBS: unknown database '${name}' (sqlite, postgres)`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Test files start real servers and child processes; two at a time suits a 2-core machine.
    maxWorkers: 2,
    projects: DATABASES.filter((name) => chosen.includes(name)).map((name) => ({
      extends: true as const,
      test: {
        name,
        env: { HOOKLINE_TEST_DB: name },
        ...(name === 'postgres'
          ? { globalSetup: ['test/support/postgres-setup.ts'], exclude: ['test/sqlite-*.test.ts'] } // tests of the SQLite backend itself
          : { exclude: ['test/postgres-*.test.ts'] }), // tests of the PostgreSQL backend itself
      },
    })),
  },
});
