// A sampling profile of a PostgreSQL server: which statements its client backends are running, and
// what they wait on, every 2 ms for a while. Run it beside a benchmark to see where the server's time
// goes (pg_stat_statements needs a preloaded library; this needs nothing):
//   node --import tsx bench/pg-activity.ts [seconds=10] [url=postgres://postgres@127.0.0.1:5432/postgres]
// Each line: samples, their share (100 % = one backend busy all along), state|wait event|statement.
import pg from 'pg';

const seconds = Number(process.argv[2] ?? 10);
const client = new pg.Client({ connectionString: process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
await client.connect();
const counts = new Map<string, number>();
let samples = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const { rows } = await client.query<{ state: string; wait: string; query: string }>(
    `SELECT state, coalesce(wait_event_type || ':' || wait_event, '') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
  );
  samples++;
  for (const r of rows) {
    const key = `${r.state}|${r.wait}|${r.query}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 2));
}
await client.end();
console.log(`${samples} samples in ${seconds} s`);
for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${String(n).padStart(6)} ${((100 * n) / samples).toFixed(1).padStart(6)} %  ${key}`);
}
