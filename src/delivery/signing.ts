// Signatures on every delivery, computed over the exact bytes sent:
// - OnceHub: `Oncehub-Signature: t=<unix s>,s=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the
//   webhook secret's UTF-8 bytes; only the newest secret signs.
// - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256
//   of "<id>.<t>.<body>">` with the same key bytes. During a rotation both secrets sign, space-separated.
//   Verifier libraries take the key as `whsec_` + base64(secret text), see standardWebhooksSecret().
import { createHmac } from 'node:crypto';

export function oncehubSignature(secret: string, timestamp: number, body: string): string {
  const s = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},s=${s}`;
}

export function standardSignature(secrets: readonly string[], msgId: string, timestamp: number, body: string): string {
  const content = `${msgId}.${timestamp}.${body}`;
  return secrets.map((secret) => `v1,${createHmac('sha256', Buffer.from(secret, 'utf8')).update(content).digest('base64')}`).join(' ');
}

/** The secret to hand the `standardwebhooks` and `svix` verifiers for a webhook secret. */
export function standardWebhooksSecret(secret: string): string {
  return `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`;
}

export interface SignedHeaders {
  'content-type': 'application/json';
  'user-agent': string;
  'oncehub-signature': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** secrets[0] is the current secret; any others are older ones still inside their overlap window. */
export function signedHeaders(secrets: readonly string[], eventId: string, body: string, nowMs: number, userAgent: string): SignedHeaders {
  const t = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'oncehub-signature': oncehubSignature(secrets[0]!, t, body),
    'webhook-id': eventId,
    'webhook-timestamp': String(t),
    'webhook-signature': standardSignature(secrets, eventId, t, body),
  };
}
