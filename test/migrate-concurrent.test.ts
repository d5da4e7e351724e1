// Several processes starting together on an empty database apply each migration once and all come up.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMigrations } from '../src/storage/migrate.js';
import { runCli } from './support/cli.js';
import { testDatabase } from './support/database.js';
import { tempDir } from './support/hookline.js';

describe('migrations started together', () => {
  it('four `hookline migrate` processes at once on a fresh database all succeed, each migration recorded once', async () => {
    const dir = tempDir();
    const env = { HOOKLINE_DATABASE: testDatabase(dir), HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key') };
    const results = await Promise.all(Array.from({ length: 4 }, () => runCli(['migrate'], env)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const all = readMigrations('sqlite').map((m) => m.name).join(', ');
    for (const r of results) expect(r.stdout.trim()).toBe(`database schema is up to date: ${all}`);
  });
});
