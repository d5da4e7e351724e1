// Webhook secrets are kept encrypted at rest with AES-256-GCM under a key that lives outside the
// database (an environment variable or a key file), so a copy of the database alone reveals no
// secret. The row's id is bound as associated data: a ciphertext moved to another row fails to open.
// The same key also keys the hashes of API keys (HMAC under a subkey derived for that use alone),
// so a copy of the database cannot test a single guess of a key without it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
  /** HMAC-SHA256 (hex) of `value` under a subkey of the secret key derived for `purpose` (HKDF). */
  keyedHash(purpose: string, value: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  const subkeys = new Map<string, Buffer>();
  const subkey = (purpose: string) => {
    let k = subkeys.get(purpose);
    if (k === undefined) subkeys.set(purpose, (k = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `hookline ${purpose}`, 32))));
    return k;
  };
  return {
    keyedHash: (purpose, value) => createHmac('sha256', subkey(purpose)).update(value, 'utf8').digest('hex'),
    seal(plaintext, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, boundTo) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unreadable sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * The key from HOOKLINE_SECRET_KEY (base64 of 32 bytes) when given, else from the key file,
 * which is created with fresh random bytes (mode 0600) when it does not exist yet.
 */
export function loadSecretKey(fromEnv: string | undefined, file: string): Buffer {
  if (fromEnv !== undefined) return decodeKey(fromEnv, 'HOOKLINE_SECRET_KEY');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // Written aside, then linked into place: a process starting beside this one never reads a
    // half-written file, and if it made the file first, its key stands.
    const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(aside, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(aside, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.unlinkSync(aside);
    }
  }
  return decodeKey(fs.readFileSync(file, 'utf8').trim(), `the key file ${file}`);
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes encoded in base64 (e.g. \`openssl rand -base64 32\`)`);
  return key;
}

/** A sealed known value kept in the database: opening it at start proves the key is the right one. */
export const KEY_CHECK = { metaKey: 'secret_key_check', plaintext: 'hookline', boundTo: 'meta' };
