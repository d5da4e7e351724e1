// One attempt of one delivery: open the webhook's secrets, sign the stored body, POST it.
import type { SecretBox } from '../crypto/secretbox.js';
import { USER_AGENT } from '../version.js';
import type { AttemptOutcome, HttpClient } from './http-client.js';
import { signedHeaders } from './signing.js';

export interface Sendable {
  event_id: string;
  webhook_id: string;
  body: string;
  url: string;
  secret_enc: string;
  prev_secret_enc: string | null;
  prev_secret_expires_at: number | null;
}

/** The secrets that sign now: the current one first, then the previous one while its overlap lasts. */
export function signingSecrets(secrets: SecretBox, w: Sendable, now: number): string[] {
  const current = secrets.open(w.secret_enc, w.webhook_id);
  if (w.prev_secret_enc === null || w.prev_secret_expires_at === null || w.prev_secret_expires_at <= now) return [current];
  return [current, secrets.open(w.prev_secret_enc, `${w.webhook_id}:previous`)];
}

export function sendAttempt(http: HttpClient, secrets: SecretBox, d: Sendable, now: number): Promise<AttemptOutcome> {
  const headers = signedHeaders(signingSecrets(secrets, d, now), d.event_id, d.body, now, USER_AGENT);
  return http.post(d.url, { ...headers }, d.body);
}
