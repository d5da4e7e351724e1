// Split roles as real processes on one database: the API process alone delivers nothing; a worker
// process started beside it delivers what the API recorded. Health checks and metrics (the worker
// serves those alone), and the migrate command.
import { afterEach, describe, expect, it } from 'vitest';
import { processEnv, runCli, startCli, type StartedCli } from './support/cli.js';
import { call, TEST_API_KEY, tempDir } from './support/hookline.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const started: StartedCli[] = [];
let rx: Receiver | undefined;
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
  await rx?.close();
  rx = undefined;
});

const environment = (dir: string) => processEnv(dir, { HOOKLINE_RATE_LIMIT: '1000' });

async function launch(env: Record<string, string>, role: string): Promise<StartedCli> {
  const s = await startCli(env, 20_000, ['--role', role]);
  started.push(s);
  return s;
}

describe('roles', () => {
  it('an api process records events and a separate worker process delivers them', async () => {
    rx = await startReceiver();
    const env = environment(tempDir());
    const api = await launch(env, 'api');
    expect(api.url).toMatch(/^http:\/\//);
    const key = { 'API-Key': TEST_API_KEY };
    await call(api.url, 'POST', '/v2/webhooks', { name: 'split', url: `${rx.url}/h`, events: ['booking'] }, key);
    const host = (await call(api.url, 'POST', '/v2/users', { first_name: 'Ro', email: 'ro@example.com' }, key)).body.id;
    const calendar = (await call(api.url, 'POST', '/v2/booking-calendars', { host, name: 'Split' }, key)).body.id;
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const booking = await call(api.url, 'POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: start, booking_form: { name: 'G', email: 'g@example.com' } }, key);
    expect(booking.status).toBe(200);

    await new Promise((r) => setTimeout(r, 1_000));
    expect(rx.received).toHaveLength(0); // the API role does not deliver

    const worker = await launch(env, 'worker');
    expect(worker.url).toMatch(/^http:\/\//);
    expect(worker.url).not.toBe(api.url);
    const [delivered] = await rx.waitFor(1, 10_000);
    expect(JSON.parse(delivered!.body)).toMatchObject({ type: 'booking.scheduled', data: { id: booking.body.id } });

    // Each process counts what it did, under its role: the API published, the worker delivered.
    expect((await call(api.url, 'GET', '/metrics')).text).toContain('hookline_events_published_total{type="booking.scheduled",role="api"} 1');
    await expect
      .poll(async () => (await call(worker.url, 'GET', '/metrics')).text, { timeout: 5_000 })
      .toContain('hookline_delivery_attempts_total{outcome="success",role="worker"} 1');
  });

  it('a worker serves /healthz, /readyz and /metrics, and nothing else', async () => {
    const worker = await launch(environment(tempDir()), 'worker');
    expect(worker.output()).toContain(`hookline (worker) is listening on ${worker.url}`);
    expect(await call(worker.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(worker.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const metrics = await call(worker.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('hookline_deliveries_pending{role="worker"} 0');
    expect(metrics.text).toMatch(/^process_cpu_user_seconds_total\{role="worker"\} /m);
    const key = { 'API-Key': TEST_API_KEY };
    expect((await call(worker.url, 'GET', '/v2/webhooks', undefined, key)).status).toBe(404);
    expect((await call(worker.url, 'GET', '/v2/test', undefined, key)).status).toBe(404);
    expect((await call(worker.url, 'GET', '/v2/openapi.json')).status).toBe(404);
    expect((await call(worker.url, 'GET', '/')).status).toBe(404);
  });

  it('refuses an unknown role', async () => {
    const res = await runCli(['start', '--role', 'janitor'], environment(tempDir()));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/janitor/);
  });
});

describe('health and migrations', () => {
  it('answers /healthz, /readyz and /metrics without an API key', async () => {
    const api = await launch(environment(tempDir()), 'api');
    expect(await call(api.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(api.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect((await call(api.url, 'GET', '/metrics')).text).toContain('hookline_deliveries_pending{role="api"} 0');
  });

  it('hookline migrate applies the schema and says so', async () => {
    const env = environment(tempDir());
    const res = await runCli(['migrate'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/up to date: 001_accounts_webhooks\.sql, 002_events_deliveries\.sql/);
    const again = await runCli(['migrate'], env);
    expect(again.stdout).toBe(res.stdout);
  });
});
