import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on standard output. Header values that carry credentials are always redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers["api-key"]', 'req.headers.authorization', 'req.headers.cookie', '*.secret', 'secret', 'apiKey'],
      censor: '[redacted]',
    },
  });
}
