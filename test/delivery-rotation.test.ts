// Secret rotation: the new secret, the overlap window during which both secrets sign Standard
// Webhooks signatures (OnceHub's signature uses only the new one), and the window's end.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/clock.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Received, type Receiver } from './support/receiver.js';
import { createWebhook } from './support/delivery.js';

const standardSig = (secret: string, r: Received) =>
  createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`)
    .digest('base64');

const oncehubSig = (secret: string, t: string, body: string) =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.${body}`).digest('hex');

const whsec = (secret: string) => `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`;

function signatures(r: Received): string[] {
  const header = r.headers['webhook-signature'] ?? '';
  return header.split(' ');
}

function oncehubParts(r: Received): { t: string; s: string } {
  const match = /^t=(\d+),s=([0-9a-f]{64})$/.exec(r.headers['oncehub-signature'] ?? '');
  expect(match).not.toBeNull();
  return { t: match![1]!, s: match![2]! };
}

async function testSend(server: TestServer, receiver: Receiver, webhookId: string): Promise<Received> {
  const before = receiver.received.length;
  const res = await server.api('POST', `/v2/webhooks/${webhookId}/test`, { type: 'booking.scheduled' });
  expect(res.status).toBe(200);
  expect(res.body.success).toBe(true);
  const [received] = (await receiver.waitFor(before + 1)).slice(before);
  expect(JSON.parse(received!.body).id).toBe(res.body.event.id);
  return received!;
}

describe('secret rotation with the default overlap', () => {
  const clock = manualClock(Date.now());
  let receiver: Receiver;
  let server: TestServer;
  let webhook: { id: string; secret: string };
  let newSecret: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ env: receiverEnv(), clock });
    webhook = await createWebhook(server, 'rotating', `${receiver.url}/hook`);
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  it('signs with one secret before any rotation', async () => {
    const r = await testSend(server, receiver, webhook.id);
    expect(signatures(r)).toEqual([`v1,${standardSig(webhook.secret, r)}`]);
    const { t, s } = oncehubParts(r);
    expect(t).toBe(r.headers['webhook-timestamp']);
    expect(s).toBe(oncehubSig(webhook.secret, t, r.body));
  });

  it('issues a new secret, valid for reading, with the previous one expiring in 24 h', async () => {
    const res = await server.api('POST', `/v2/webhooks/${webhook.id}/rotate-secret`);
    expect(res.status).toBe(200);
    newSecret = res.body.secret;
    expect(res.body).toEqual({
      object: 'webhook_secret',
      id: webhook.id,
      secret: expect.stringMatching(/^[0-9a-f]{32}$/),
      standard_webhooks_secret: whsec(newSecret),
      previous_secret_expires_time: new Date(clock.now() + 86_400_000).toISOString(),
    });
    expect(newSecret).not.toBe(webhook.secret);
    const read = await server.api('GET', `/v2/webhooks/${webhook.id}/secret`);
    expect(read.body).toEqual(res.body);
    const unknown = await server.api('POST', '/v2/webhooks/WHK-AAAAAAAAAA/rotate-secret');
    expect(unknown.status).toBe(404);
  });

  it('signs with both secrets during the overlap; OnceHub signature with the new one only', async () => {
    const r = await testSend(server, receiver, webhook.id);
    const sigs = signatures(r);
    expect(sigs).toHaveLength(2);
    for (const sig of sigs) expect(sig).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(sigs).toContain(`v1,${standardSig(newSecret, r)}`);
    expect(sigs).toContain(`v1,${standardSig(webhook.secret, r)}`);
    const { t, s } = oncehubParts(r);
    expect(s).toBe(oncehubSig(newSecret, t, r.body));
    expect(s).not.toBe(oncehubSig(webhook.secret, t, r.body));
    for (const secret of [webhook.secret, newSecret]) {
      expect(() => new Webhook(whsec(secret)).verify(r.body, r.headers)).not.toThrow();
    }
    expect(() => new Webhook(whsec('0'.repeat(32))).verify(r.body, r.headers)).toThrow();
  });

  it('still signs with both one second before the overlap ends', async () => {
    clock.advance(86_400_000 - 1_000);
    const r = await testSend(server, receiver, webhook.id);
    expect(signatures(r)).toHaveLength(2);
  });

  it('signs with the new secret only once the overlap is over', async () => {
    clock.advance(2_000);
    const r = await testSend(server, receiver, webhook.id);
    expect(signatures(r)).toEqual([`v1,${standardSig(newSecret, r)}`]);
    const { t, s } = oncehubParts(r);
    expect(s).toBe(oncehubSig(newSecret, t, r.body));
    expect(Number(t)).toBe(Math.floor(clock.now() / 1000));
    const read = await server.api('GET', `/v2/webhooks/${webhook.id}/secret`);
    expect(read.body).toMatchObject({ secret: newSecret, previous_secret_expires_time: null });
  });

  it('a second rotation overlaps the latest two secrets only', async () => {
    const res = await server.api('POST', `/v2/webhooks/${webhook.id}/rotate-secret`);
    const third = res.body.secret as string;
    const r = await testSend(server, receiver, webhook.id);
    const sigs = signatures(r);
    expect(sigs).toHaveLength(2);
    expect(sigs).toContain(`v1,${standardSig(third, r)}`);
    expect(sigs).toContain(`v1,${standardSig(newSecret, r)}`);
    expect(sigs).not.toContain(`v1,${standardSig(webhook.secret, r)}`);
  });
});

describe('secret rotation with no overlap', () => {
  let receiver: Receiver;
  let server: TestServer;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ env: { ...receiverEnv(), HOOKLINE_ROTATION_OVERLAP_SECONDS: '0' } });
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  it('signs with the new secret alone at once', async () => {
    const webhook = await createWebhook(server, 'no overlap', receiver.url);
    const res = await server.api('POST', `/v2/webhooks/${webhook.id}/rotate-secret`);
    expect(res.status).toBe(200);
    expect(res.body.previous_secret_expires_time).toBeNull();
    const r = await testSend(server, receiver, webhook.id);
    expect(signatures(r)).toEqual([`v1,${standardSig(res.body.secret, r)}`]);
    expect(() => new Webhook(res.body.standard_webhooks_secret).verify(r.body, r.headers)).not.toThrow();
    expect(() => new Webhook(whsec(webhook.secret)).verify(r.body, r.headers)).toThrow();
  });
});
