// One attempt of one delivery: open the webhook's secrets, sign the stored body, POST it.
import type { SecretBox } from '../crypto/secretbox.js';
import { USER_AGENT } from '../version.js';
import type { AttemptOutcome, HttpClient } from './http-client.js';
import { signedHeaders } from './signing.js';

export interface Target {
  id: string;
  url: string;
  secret_enc: string;
  prev_secret_enc: string | null;
  prev_secret_expires_at: number | null;
}

/**
 * Opened secrets, per secret key, by webhook and sealed value: each claim reads the webhook's row anew, and opening
 * (AES-GCM) on every delivery cost more than signing it. A rotation seals a new value, so a stale
 * entry is never used; the map is emptied when it grows past what a worker's webhooks need.
 */
const openedBy = new WeakMap<SecretBox, Map<string, { current: string; previous: string | null }>>();
const OPENED_MAX = 10_000;

/** The secrets that sign now: the current one first, then the previous one while its overlap lasts. */
export function signingSecrets(secrets: SecretBox, w: Target, now: number): string[] {
  let opened = openedBy.get(secrets);
  if (!opened) openedBy.set(secrets, (opened = new Map()));
  const cacheKey = `${w.id} ${w.secret_enc} ${w.prev_secret_enc ?? ''}`;
  let keys = opened.get(cacheKey);
  if (!keys) {
    keys = {
      current: secrets.open(w.secret_enc, w.id),
      previous: w.prev_secret_enc === null ? null : secrets.open(w.prev_secret_enc, `${w.id}:previous`),
    };
    if (opened.size >= OPENED_MAX) opened.clear();
    opened.set(cacheKey, keys);
  }
  const overlapping = keys.previous !== null && w.prev_secret_expires_at !== null && w.prev_secret_expires_at > now;
  return overlapping ? [keys.current, keys.previous!] : [keys.current];
}

export function sendAttempt(http: HttpClient, secrets: SecretBox, d: { event_id: string; body: string; target: Target }, now: number): Promise<AttemptOutcome> {
  const headers = signedHeaders(signingSecrets(secrets, d.target, now), d.event_id, d.body, now, USER_AGENT);
  return http.post(d.target.url, { ...headers }, d.body);
}
