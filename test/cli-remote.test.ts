// `hookline events list`, `events resend` and `webhooks recover`: the command line working on a
// running hookline through its API with an API key (no database), printing what it found or queued.
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../src/clock.js';
import { runCli } from './support/cli.js';
import { createWebhook, publish } from './support/delivery.js';
import { startServer, TEST_API_KEY, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const HOUR = 3_600_000;

// Each command is a process of its own (through tsx): on a loaded machine that takes a while.
describe('the commands that use the API', { timeout: 120_000 }, () => {
  let server: TestServer;
  let rx: Receiver;
  let clock: ManualClock;
  const cli = (args: string[]) => runCli([...args, '--api-base', server.url], { HOOKLINE_API_KEY: TEST_API_KEY });

  beforeAll(async () => {
    rx = await startReceiver();
    clock = manualClock(Date.now() - 3 * HOUR);
    server = await startServer({ env: { ...receiverEnv(), HOOKLINE_POLL_INTERVAL_MS: '100' }, clock });
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it('events list: newest first, by type (composites too), since a time, at most --limit', async () => {
    const old = await publish(server, 'booking.scheduled'); // three hours ago
    clock.advance(3 * HOUR);
    const recent = [
      await publish(server, 'booking.scheduled'),
      await publish(server, 'conversation.started'),
      await publish(server, 'booking.canceled'),
      await publish(server, 'conversation.closed'),
    ];
    const all = await cli(['events', 'list']);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[2])).toEqual([...recent].reverse().concat(old));
    expect(rows[0]).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), 'conversation.closed', recent[3], expect.stringMatching(/^CVR-/)]);

    const since = await cli(['events', 'list', '--since', '2h']);
    expect(since.stdout.trim().split('\n').map((l) => l.split('\t')[2])).toEqual([...recent].reverse());
    const canceled = await cli(['events', 'list', '--type', 'booking.canceled']);
    expect(canceled.stdout.trim().split('\n').map((l) => l.split('\t')[2])).toEqual([recent[2]]);
    const conversations = await cli(['events', 'list', '--type', 'conversation']);
    expect(conversations.stdout.trim().split('\n').map((l) => l.split('\t')[2])).toEqual([recent[3], recent[1]]);
    const two = await cli(['events', 'list', '--limit', '2']);
    expect(two.stdout.trim().split('\n')).toHaveLength(2);

    const badSince = await cli(['events', 'list', '--since', 'last tuesday']);
    expect(badSince.code).toBe(1);
    expect(badSince.stderr).toMatch(/Invalid --since 'last tuesday'/);
    const badType = await cli(['events', 'list', '--type', 'booking.exploded']);
    expect(badType.code).toBe(1);
    expect(badType.stderr).toMatch(/Invalid --type 'booking\.exploded'/);
  });

  it('events resend: to every webhook the event went to, or to one, printing what was queued', async () => {
    const first = await createWebhook(server, 'resend one', `${rx.url}/one`, ['booking']);
    const second = await createWebhook(server, 'resend two', `${rx.url}/two`, ['booking']);
    const event = await publish(server, 'booking.rescheduled');
    const arrivals = (path: string) => rx.received.filter((r) => r.headers['webhook-id'] === event && r.path === path).length;
    await expect.poll(() => arrivals('/one') + arrivals('/two'), { timeout: 10_000 }).toBe(2);
    // The deliveries have settled once both receivers answered: wait for them to be recorded.
    await expect.poll(async () => (await server.api('GET', `/v2/events/${event}`)).body.deliveries.every((d: { state: string }) => d.state === 'succeeded')).toBe(true);

    const toAll = await cli(['events', 'resend', event]);
    expect(toAll.code, toAll.stderr).toBe(0);
    expect(toAll.stdout).toBe(`Queued ${event} again: 2 deliveries.\n`);
    await expect.poll(() => arrivals('/one') + arrivals('/two'), { timeout: 10_000 }).toBe(4);
    await expect.poll(async () => (await server.api('GET', `/v2/events/${event}`)).body.deliveries.every((d: { state: string }) => d.state === 'succeeded')).toBe(true);

    const toOne = await cli(['events', 'resend', event, '--webhook', second.id]);
    expect(toOne.stdout).toBe(`Queued ${event} to ${second.id} again: 1 delivery.\n`);
    await expect.poll(() => arrivals('/two'), { timeout: 10_000 }).toBe(3);
    expect(arrivals('/one')).toBe(2);
    await server.api('DELETE', `/v2/webhooks/${first.id}`);
    await server.api('DELETE', `/v2/webhooks/${second.id}`);

    const unknown = await cli(['events', 'resend', 'EVNT-NOSUCH0000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("No such event: 'EVNT-NOSUCH0000' (HTTP 404)\n");
  });

  it('webhooks recover: what failed or was skipped since a time goes again', async () => {
    const webhook = await createWebhook(server, 'recovering', `${rx.url}/recover`, ['booking']);
    await server.api('PATCH', `/v2/webhooks/${webhook.id}`, { status: 'disabled' });
    const skipped = [await publish(server, 'booking.scheduled'), await publish(server, 'booking.canceled')];
    const refused = await cli(['webhooks', 'recover', webhook.id, '--since', '1h']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is disabled: enable it before recovering its deliveries\. \(HTTP 400\)/);

    await server.api('PATCH', `/v2/webhooks/${webhook.id}`, { status: 'enabled' });
    const res = await cli(['webhooks', 'recover', webhook.id, '--since', '1h']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Queued 2 failed or skipped deliveries of ${webhook.id} since \\d{4}-\\d\\d-\\d\\dT\\S+Z again\\.\\n$`));
    await expect.poll(() => rx.received.filter((r) => r.path === '/recover').map((r) => r.headers['webhook-id']).sort(), { timeout: 10_000 }).toEqual([...skipped].sort());
  });

  it('needs an API key, and says which hookline it could not reach', async () => {
    const noKey = await runCli(['events', 'list', '--api-base', server.url], {});
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe('No API key: pass --api-key or set HOOKLINE_API_KEY.\n');
    const wrongKey = await runCli(['events', 'list', '--api-base', server.url, '--api-key', 'hkl_wrong_key_0123456789abcdef'], {});
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/\(HTTP 401\)\n$/);
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve)); // a port nothing listens on
    const nowhere = await runCli(['events', 'list', '--api-base', `http://127.0.0.1:${port}`], { HOOKLINE_API_KEY: TEST_API_KEY });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toBe(`Could not reach hookline at http://127.0.0.1:${port} (ECONNREFUSED).\n`);
  });
});
