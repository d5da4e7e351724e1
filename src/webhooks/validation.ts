// The rules for a webhook's name, URL and events, as the product page and OnceHub state them.
// Each returns the normalised value or throws an invalid_request error naming the parameter.
import { invalid } from '../errors.js';
import { SUBSCRIBABLE } from './event-types.js';

export const NAME_MAX_LENGTH = 100;
export const URL_MAX_LENGTH = 2048;

/**
 * Names are trimmed and NFC-normalised; they must keep at least one letter or digit (any script)
 * and at most 100 characters, with no control characters. Uniqueness ignores case (nameKey).
 */
export function validateName(input: unknown): string {
  if (typeof input !== 'string') throw invalid('Invalid name: it must be a string.', 'name');
  const name = input.normalize('NFC').trim();
  if (!/[\p{L}\p{N}]/u.test(name)) {
    throw invalid('Invalid name: it must contain at least one alphanumeric character.', 'name');
  }
  if (/\p{Cc}/u.test(name)) throw invalid('Invalid name: it must not contain control characters.', 'name');
  if ([...name].length > NAME_MAX_LENGTH) {
    throw invalid(`Invalid name: it must be at most ${NAME_MAX_LENGTH} characters long.`, 'name');
  }
  return name;
}

/** The key that makes names unique within an account: the same name in any letter case collides. */
export function nameKey(name: string): string {
  return name.toLocaleLowerCase('und');
}

/** URLs are trimmed and must be absolute https:// URLs with a host and no embedded credentials. */
export function validateUrl(input: unknown): string {
  if (typeof input !== 'string') throw invalid('Invalid url: it must be a string.', 'url');
  const url = input.trim();
  if (!/^https:\/\//i.test(url)) throw invalid('Invalid url: it must start with https://', 'url');
  if (/[\s\p{Cc}]/u.test(url)) throw invalid('Invalid url: it must not contain spaces or control characters.', 'url');
  if (url.length > URL_MAX_LENGTH) throw invalid(`Invalid url: it must be at most ${URL_MAX_LENGTH} characters long.`, 'url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`Invalid url: '${url}' is not a valid absolute URL.`, 'url');
  }
  if (!parsed.hostname) throw invalid('Invalid url: it must name a host.', 'url');
  if (parsed.username || parsed.password) {
    throw invalid('Invalid url: it must not contain a user name or password.', 'url');
  }
  return url;
}

/**
 * Events must be a non-empty list of known types or the composites `booking` and `conversation`.
 * The list is kept as given, in its order, with exact repeats dropped: a client that compares what it
 * reads back with what it sent (OnceHub's n8n node does) finds the same list. A type that a composite
 * beside it already covers stays listed; it changes nothing of what is delivered (each event is
 * delivered once per webhook).
 */
export function validateEvents(input: unknown): string[] {
  if (!Array.isArray(input)) throw invalid('Invalid events: it must be an array of event types.', 'events');
  if (input.length === 0) throw invalid('Invalid events: provide at least one event type.', 'events');
  for (const value of input) {
    if (typeof value !== 'string' || !(SUBSCRIBABLE as readonly string[]).includes(value)) {
      throw invalid(
        `Invalid event type: '${String(value)}'. Valid values are: ${SUBSCRIBABLE.join(', ')}.`,
        'events',
      );
    }
  }
  return [...new Set(input as string[])];
}

export type WebhookStatus = 'enabled' | 'disabled';

export function validateStatus(input: unknown): WebhookStatus {
  if (input !== 'enabled' && input !== 'disabled') {
    throw invalid("Invalid status: it must be 'enabled' or 'disabled'.", 'status');
  }
  return input;
}
