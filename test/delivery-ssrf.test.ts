// The SSRF guard: which addresses deliveries may reach, and how refused and failed connections are
// classified on attempts (refused_address, dns, tls, connection).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressPolicy, parseCidrList } from '../src/delivery/ssrf.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, testCertificate, type Receiver } from './support/receiver.js';
import { createWebhook, publish, waitUntil } from './support/delivery.js';

describe('addressPolicy', () => {
  const strict = addressPolicy(parseCidrList(''));
  const refused = [
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
  ];

  it.each(refused)('refuses %s', (address) => {
    expect(strict.refusal(address)).toEqual(expect.stringContaining(address));
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('allows public %s', (address) => {
    expect(strict.refusal(address)).toBeUndefined();
  });

  it('names the kind of range it refuses', () => {
    expect(strict.refusal('127.0.0.1')).toMatch(/loopback/);
    expect(strict.refusal('169.254.169.254')).toMatch(/link-local/);
    expect(strict.refusal('::ffff:10.0.0.1')).toMatch(/IPv4-mapped.*private/);
    expect(strict.refusal('not-an-ip')).toMatch(/not an IP address/);
  });

  it('lets an allowlisted range through, in IPv4 and IPv4-mapped form, and nothing else', () => {
    const loopback = addressPolicy(parseCidrList('127.0.0.0/8'));
    expect(loopback.refusal('127.0.0.1')).toBeUndefined();
    expect(loopback.refusal('127.255.0.9')).toBeUndefined();
    expect(loopback.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(loopback.refusal('10.0.0.1')).toMatch(/private/);
    expect(loopback.refusal('::1')).toMatch(/loopback/);
  });

  it('accepts a list with spaces and IPv6 ranges, and rejects garbage', () => {
    const policy = addressPolicy(parseCidrList(' 10.1.0.0/16 , fd00::/8 '));
    expect(policy.refusal('10.1.200.3')).toBeUndefined();
    expect(policy.refusal('10.2.0.1')).toBeDefined();
    expect(policy.refusal('fd12::1')).toBeUndefined();
    expect(() => parseCidrList('nonsense')).toThrow(/nonsense/);
    expect(() => parseCidrList('10.0.0.0/8,300.1.1.1/8')).toThrow();
  });
});

async function testSend(server: TestServer, webhookId: string) {
  const res = await server.api('POST', `/v2/webhooks/${webhookId}/test`, { type: 'booking.scheduled' });
  expect(res.status).toBe(200);
  return res.body as { success: boolean; delivery: { state: string; attempts: { error_kind: string | null; error_message: string | null; status_code: number | null }[] } };
}

describe('deliveries to non-public addresses', () => {
  let receiver: Receiver;
  let server: TestServer;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ env: { HOOKLINE_DELIVERY_CA_FILE: testCertificate().certFile } });
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  it('refuses a host name that resolves to loopback and a loopback literal, with a reason', async () => {
    const byName = await createWebhook(server, 'by name', receiver.url);
    const byIp = await createWebhook(server, 'by ip', `https://127.0.0.1:${receiver.port}/hook`);
    for (const [webhook, host] of [[byName, 'localhost'], [byIp, '127.0.0.1']] as const) {
      const result = await testSend(server, webhook.id);
      expect(result.success).toBe(false);
      expect(result.delivery.state).toBe('failed');
      const attempt = result.delivery.attempts[0]!;
      expect(attempt.error_kind).toBe('refused_address');
      expect(attempt.status_code).toBeNull();
      expect(attempt.error_message).toContain(host);
      expect(attempt.error_message).toMatch(/loopback/);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('keeps retrying a published event whose receiver is refused', async () => {
    const eventId = await publish(server, 'booking.canceled');
    const event = await waitUntil(async () => {
      const res = await server.api('GET', `/v2/events/${eventId}`);
      const deliveries = res.body.deliveries as { attempts: unknown[] }[];
      return deliveries.length === 2 && deliveries.every((d) => d.attempts.length >= 1) ? res.body : undefined;
    }, 10_000, 'refused attempts');
    for (const d of event.deliveries) {
      expect(d.state).toBe('pending');
      expect(d.next_attempt_time).not.toBeNull();
      expect(d.attempts[0].error_kind).toBe('refused_address');
      expect(d.attempts[0].error_message).toMatch(/loopback/);
      const retryAt = Date.parse(d.attempts[0].next_retry_time);
      expect(retryAt - Date.parse(d.attempts[0].attempt_time)).toBeGreaterThanOrEqual(3_000);
    }
    expect(receiver.received).toHaveLength(0);
  });
});

describe('deliveries with loopback allowlisted', () => {
  let receiver: Receiver;
  let server: TestServer;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ env: receiverEnv() });
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  it('reaches the receiver by name and by literal', async () => {
    const byName = await createWebhook(server, 'by name', receiver.url);
    const byIp = await createWebhook(server, 'by ip', `https://127.0.0.1:${receiver.port}/hook`);
    for (const webhook of [byName, byIp]) {
      const result = await testSend(server, webhook.id);
      expect(result.success).toBe(true);
      expect(result.delivery.state).toBe('succeeded');
      expect(result.delivery.attempts[0]).toMatchObject({ status_code: 200, error_kind: null });
    }
    expect(receiver.received.map((r) => r.path)).toEqual(['/', '/hook']);
  });

  it('classifies an unresolvable host as dns', async () => {
    const webhook = await createWebhook(server, 'nowhere', 'https://no-such-host.invalid/');
    const result = await testSend(server, webhook.id);
    expect(result.success).toBe(false);
    expect(result.delivery.attempts[0]!.error_kind).toBe('dns');
  });

  it('classifies a closed port as connection', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const webhook = await createWebhook(server, 'closed', `https://127.0.0.1:${port}/`);
    const result = await testSend(server, webhook.id);
    expect(result.success).toBe(false);
    expect(result.delivery.attempts[0]!.error_kind).toBe('connection');
    expect(result.delivery.attempts[0]!.error_message).toMatch(/ECONNREFUSED/);
  });
});

describe('deliveries to an untrusted certificate', () => {
  it('classifies the failure as tls', async () => {
    const receiver = await startReceiver();
    const server = await startServer({ env: { HOOKLINE_SSRF_ALLOW: receiverEnv().HOOKLINE_SSRF_ALLOW! } });
    try {
      const webhook = await createWebhook(server, 'self-signed', receiver.url);
      const result = await testSend(server, webhook.id);
      expect(result.success).toBe(false);
      expect(result.delivery.attempts[0]!.error_kind).toBe('tls');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});

describe('HOOKLINE_SSRF_ALLOW entries', () => {
  it('accepts a single address as its own /32 or /128', () => {
    const policy = addressPolicy(parseCidrList('10.0.0.7, ::1'));
    expect(policy.refusal('10.0.0.7')).toBeUndefined();
    expect(policy.refusal('10.0.0.8')).toMatch(/private/);
    expect(policy.refusal('::1')).toBeUndefined();
  });
});
