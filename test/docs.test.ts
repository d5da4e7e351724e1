// The README's configuration table lists exactly the settings the code reads, with their defaults.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';

describe('README', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `(HOOKLINE_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]!.trim()]);

  it('documents every setting once, with its default', () => {
    const expected = SETTINGS.map((s) => [s.env, s.default === undefined ? '(unset)' : s.default === '' ? '(empty)' : `\`${s.default}\``]);
    expect(rows).toEqual(expected);
  });
});
