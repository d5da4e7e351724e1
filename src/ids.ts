// Object ids in OnceHub's style: a type prefix and upper-case letters and digits from a
// cryptographic random source, e.g. WHK-7JD9LBVZTQ.
import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export type IdPrefix = 'WHK' | 'EVNT' | 'ACC' | 'KEY' | 'BKNG' | 'CVR' | 'DLV' | 'ATT';

export function newId(prefix: IdPrefix, length = 10): string {
  let out = `${prefix}-`;
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** 32 lower-case hex characters (128 random bits): a webhook signing secret as OnceHub issues them. */
export function newWebhookSecret(): string {
  return randomBytes(16).toString('hex');
}

/** An API key: a recognisable prefix and 256 random bits. */
export function newApiKey(): string {
  return `hkl_${randomBytes(32).toString('base64url')}`;
}

/** Request ids as OnceHub formats them: req_ and 16 hex characters. */
export function newRequestId(): string {
  return `req_${randomBytes(8).toString('hex')}`;
}
