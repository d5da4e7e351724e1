// The page checks a webhook's name and URL before sending, with the server's rules: it never refuses
// what the server accepts, and it refuses the product page's two troubleshooting cases itself
// (a URL not starting with https://, a name without an alphanumeric character).
import { describe, expect, it } from 'vitest';
import { validateName, validateUrl } from '../src/webhooks/validation.js';
import { MESSAGES, checkDetails } from '../web/src/validation.js';

const accepts = (fn: () => unknown) => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

const NAMES = ['New bookings', '  padded  ', 'Ünïcödé', '日本語', '42', '!!! ---', '   ', '', '<img src=x onerror=alert(1)>', '_', 'a'.repeat(100)];
const URLS = [
  'https://example.com/hooks',
  'HTTPS://EXAMPLE.COM',
  ' https://example.com ',
  'https://127.0.0.1:8443/x?y=1',
  'http://example.com',
  'ftp://example.com',
  'example.com',
  'https://',
  'https://exa mple.com',
  'https://user:pw@example.com',
  'https://example.com/a b',
];

describe('the page checks a webhook before sending', () => {
  it.each(NAMES)('never refuses a name the server accepts: %j', (name) => {
    if (accepts(() => validateName(name))) expect(checkDetails({ name, url: 'https://example.com' }, []).name).toBeUndefined();
  });

  it.each(URLS)('never refuses a URL the server accepts: %j', (url) => {
    if (accepts(() => validateUrl(url))) expect(checkDetails({ name: 'n', url }, []).url).toBeUndefined();
  });

  it('refuses, as the server does, a URL that does not start with https:// and a name without a letter or digit', () => {
    for (const url of ['http://example.com', 'ftp://example.com', 'example.com']) {
      expect(accepts(() => validateUrl(url))).toBe(false);
      expect(checkDetails({ name: 'n', url }, []).url).toBe(MESSAGES.urlHttps);
    }
    for (const name of ['!!! ---', '_', '<>']) {
      expect(accepts(() => validateName(name))).toBe(false);
      expect(checkDetails({ name, url: 'https://example.com' }, []).name).toBe(MESSAGES.nameAlnum);
    }
  });

  it('refuses a name already in the list, ignoring letter case as the server does', () => {
    expect(checkDetails({ name: ' new BOOKINGS ', url: 'https://example.com' }, ['New bookings']).name).toBe(MESSAGES.nameTaken);
    expect(checkDetails({ name: 'New bookings 2', url: 'https://example.com' }, ['New bookings']).name).toBeUndefined();
  });
});
