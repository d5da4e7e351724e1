// Object ids in OnceHub's style: a type prefix and upper-case letters and digits from a
// cryptographic random source, e.g. WHK-7JD9LBVZTQ.
import { randomBytes, randomFillSync } from 'node:crypto';

export const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export type IdPrefix = 'WHK' | 'EVNT' | 'ACC' | 'KEY' | 'BKNG' | 'CVR' | 'DLV' | 'ATT' | 'USR' | 'BKC' | 'BOT' | 'WEB' | 'CTC' | 'HUB' | 'RTF' | 'ADM' | 'INT' | 'WRK' | 'INV';

// Random bytes are drawn in blocks: one system call per 4 KiB instead of one per character.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** The next `n` bytes of the pool, drawing a new block when fewer are left (n ≤ 4096). */
function take(n: number): number {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

/** A uniformly random index into ALPHABET (bytes of 252 and above are dropped, so no letter is favoured). */
function randomIndex(): number {
  for (;;) {
    const byte = pool[take(1)]!;
    if (byte < 252) return byte % ALPHABET.length;
  }
}

export function newId(prefix: IdPrefix, length = 10): string {
  let out = `${prefix}-`;
  for (let i = 0; i < length; i++) out += ALPHABET[randomIndex()];
  return out;
}

/**
 * An id whose first 8 characters are the creation time (milliseconds, base 36), then 8 random ones:
 * rows with such ids are appended to their unique index instead of landing on random pages.
 * Used for hookline's own high-volume objects (deliveries, attempts), not for OnceHub's ids.
 */
export function newSortableId(prefix: IdPrefix): string {
  let out = `${prefix}-${Date.now().toString(36).toUpperCase().padStart(8, '0')}`;
  for (let i = 0; i < 8; i++) out += ALPHABET[randomIndex()];
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

/** Request ids as OnceHub formats them: req_ and 16 hex characters (from the pool: one per request, randomBytes(8) each was 2 % of an API process's CPU). */
export function newRequestId(): string {
  const at = take(8);
  return `req_${pool.toString('hex', at, at + 8)}`;
}
