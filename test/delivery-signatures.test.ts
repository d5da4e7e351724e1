// Both signatures on a real delivery, each checked independently of hookline's own signing code:
// OnceHub's algorithm written out here, and the standardwebhooks and svix verifier packages.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook, publish } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver, type Received } from './support/receiver.js';

/** OnceHub's documented check: split the header on ',' then '=', HMAC-SHA256 "<t>.<body>" with the secret, hex. */
function verifyOncehub(secret: string, header: string, body: string, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = parts.t;
  const s = parts.s;
  if (!t || !s) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(t)) <= toleranceS;
  return fresh && expected.length === s.length && timingSafeEqual(Buffer.from(expected), Buffer.from(s));
}

describe('delivery signatures', () => {
  let rx: Receiver;
  let server: TestServer;
  let webhook: { id: string; secret: string };
  let request: Received;
  let eventId: string;

  beforeAll(async () => {
    rx = await startReceiver();
    server = await startServer({ env: receiverEnv() });
    webhook = await createWebhook(server, 'hook', `${rx.url}/hooks/oncehub?x=1`);
    eventId = await publish(server, 'booking.scheduled');
    request = (await rx.waitFor(1))[0]!;
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it('posts the stored envelope as compact JSON with the expected headers', () => {
    expect(request.path).toBe('/hooks/oncehub?x=1');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^hookline\/\d+\.\d+\.\d+$/);
    const envelope = JSON.parse(request.body);
    expect(Object.keys(envelope)).toEqual(['id', 'object', 'creation_time', 'type', 'api_version', 'data']);
    expect(envelope).toMatchObject({ id: eventId, object: 'event', type: 'booking.scheduled', api_version: 'v2' });
    expect(envelope.data.object).toBe('booking');
    expect(request.body).toBe(JSON.stringify(envelope));
  });

  it('signs Oncehub-Signature as t=<unix s>,s=<hex HMAC of "t.body"> with the webhook secret', () => {
    const header = request.headers['oncehub-signature']!;
    expect(header).toMatch(/^t=\d{10},s=[0-9a-f]{64}$/);
    expect(verifyOncehub(webhook.secret, header, request.body)).toBe(true);
    expect(verifyOncehub(webhook.secret, header, `${request.body} `)).toBe(false);
    expect(verifyOncehub('0'.repeat(32), header, request.body)).toBe(false);
  });

  it('carries Standard Webhooks headers that the standardwebhooks and svix packages verify', async () => {
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.headers['webhook-timestamp']).toBe(/t=(\d+)/.exec(request.headers['oncehub-signature']!)![1]);
    const view = await server.api('GET', `/v2/webhooks/${webhook.id}/secret`);
    const whsec = view.body.standard_webhooks_secret as string;
    expect(whsec).toBe(`whsec_${Buffer.from(webhook.secret, 'utf8').toString('base64')}`);
    const headers = {
      'webhook-id': request.headers['webhook-id']!,
      'webhook-timestamp': request.headers['webhook-timestamp']!,
      'webhook-signature': request.headers['webhook-signature']!,
    };
    expect(new StandardWebhook(whsec).verify(request.body, headers)).toMatchObject({ id: eventId });
    expect(new StandardWebhook(webhook.secret, { format: 'raw' }).verify(request.body, headers)).toMatchObject({ id: eventId });
    expect(new SvixWebhook(whsec).verify(request.body, headers)).toMatchObject({ id: eventId });
    expect(() => new StandardWebhook(whsec).verify(request.body.replace('booking', 'bookinG'), headers)).toThrow();
    const otherSecret = `whsec_${Buffer.from('f'.repeat(32)).toString('base64')}`;
    expect(() => new SvixWebhook(otherSecret).verify(request.body, headers)).toThrow();
  });

  it('keeps the same webhook-id and body on a redelivery, with a fresh signature', async () => {
    await server.running.dispatcher.idle(); // the first attempt is recorded: only a finished delivery is sent again
    const again = await server.api('POST', `/v2/events/${eventId}/redeliver`);
    expect(again.body.requeued).toBe(1);
    const second = (await rx.waitFor(2))[1]!;
    expect(second.headers['webhook-id']).toBe(eventId);
    expect(second.body).toBe(request.body);
    expect(verifyOncehub(webhook.secret, second.headers['oncehub-signature']!, second.body)).toBe(true);
  });
});
