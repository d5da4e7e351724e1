import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on standard output. Header values that carry credentials are always redacted, and so
 * are the tokens in request URLs: a guest link (`/m/<token>`, `/v2/guest/bookings/<token>`), an
 * .ics download (`/ics/<token>.ics`), any other path segment that looks like a secret (32 or more
 * URL-safe characters that are not an object id), and query values named like secrets.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: ['req.headers["api-key"]', 'req.headers.authorization', 'req.headers.cookie', '*.secret', 'secret', 'apiKey'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

const REDACTED = '[redacted]';
const TOKEN_PATHS = [/^(\/m\/)[^/?]+/, /^(\/v2\/guest\/bookings\/)[^/?]+/, /^(\/ics\/)[^/?]+?(?=\.ics|$|\?)/];
const SECRET_QUERY = /token|secret|key|password|invite|setup/i;
const looksSecret = (segment: string) => segment.length >= 32 && /^[A-Za-z0-9_.~-]+$/.test(segment) && !/^[A-Z]{2,5}-[A-Z0-9]+$/.test(segment);

/** The URL with every token in it replaced by [redacted]. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  for (const pattern of TOKEN_PATHS) path = path.replace(pattern, `$1${REDACTED}`);
  path = path
    .split('/')
    .map((segment) => (looksSecret(segment) ? REDACTED : segment))
    .join('/');
  if (q === -1) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq !== -1 && SECRET_QUERY.test(decodeURIComponentSafe(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
