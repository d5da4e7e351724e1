// Errors the features raise, as typed values. http/errors.ts is the one place that turns them into
// OnceHub's error body {type, message, param} and a status code.
export type ErrorKind =
  | 'invalid_request' // 400
  | 'authentication' // 401
  | 'not_found' // 404
  | 'conflict' // 409
  | 'rate_limit'; // 429

export class HooklineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string, param?: string) => new HooklineError('invalid_request', message, param);
export const notFound = (message: string, param?: string) => new HooklineError('not_found', message, param);
export const conflict = (message: string, param?: string) => new HooklineError('conflict', message, param);
