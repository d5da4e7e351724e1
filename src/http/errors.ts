// The one place where errors become OnceHub's error body {type, message, param?} and a status code:
// typed errors from the features, schema-validation failures, and Fastify's own request errors.
// Anything else is a 500 api_error whose details go to the log only.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HooklineError, type ErrorKind } from '../errors.js';
import { isUnavailable } from '../storage/db.js';

export interface ErrorBody {
  type: 'authentication_error' | 'invalid_request_error' | 'rate_limit_error' | 'api_error';
  message: string;
  param?: string;
}

const BY_KIND: Record<ErrorKind, { status: number; type: ErrorBody['type'] }> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  authentication: { status: 401, type: 'authentication_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  rate_limit: { status: 429, type: 'rate_limit_error' },
};

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Invalid Content-Type: send the request body as application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Invalid Content-Length header.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty: send a JSON object, or no Content-Type header.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
};

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  data?: unknown;
  message?: string;
}

export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HooklineError) {
    const { status, type } = BY_KIND[err.kind];
    return { status, body: err.param === undefined ? { type, message: err.message } : { type, message: err.message, param: err.param } };
  }
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) return { status: 400, body: fromValidation(fe.validation[0]!, fe.validationContext) };
  if (fe.statusCode === 429) return { status: 429, body: { type: 'rate_limit_error', message: 'Request rate limit exceeded' } };
  if (fe.code && FASTIFY_MESSAGES[fe.code]) return { status: 400, body: { type: 'invalid_request_error', message: FASTIFY_MESSAGES[fe.code]! } };
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return { status: 400, body: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: 400, body: { type: 'invalid_request_error', message: fe.message } };
  }
  // The database is unreachable (an outage, a failover): the request may succeed when sent again.
  if (isUnavailable(err)) return { status: 503, body: { type: 'api_error', message: 'The database is unavailable; try again shortly.' } };
  return { status: 500, body: { type: 'api_error', message: 'An internal error occurred. Quote the Request-Id header when reporting it.' } };
}

function fromValidation(e: AjvError, context: string | undefined): ErrorBody {
  const path = e.instancePath.split('/').filter(Boolean);
  // The parameter an error is about, dotted when nested (`booking_form.custom_fields.0.name`); an
  // item of a webhook's `events` is reported as `events`, as OnceHub names it.
  const at = (...more: string[]) => (path[0] === 'events' ? 'events' : [...path, ...more].join('.') || undefined);
  const invalidRequest = (message: string, p = at()): ErrorBody =>
    p === undefined ? { type: 'invalid_request_error', message } : { type: 'invalid_request_error', message, param: p };
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = at(String(e.params.additionalProperty))!;
      return invalidRequest(`Received unknown parameter: ${name}`, name);
    }
    case 'required': {
      const name = at(String(e.params.missingProperty))!;
      return invalidRequest(`Missing required param: ${name}.`, name);
    }
    case 'minimum':
    case 'maximum':
      if (context === 'querystring') {
        return invalidRequest(`Out of range value: ${String(e.data)}. Please provide a number between 1 and 100.`);
      }
      return invalidRequest(`Invalid ${at()}: ${e.message ?? 'out of range'}.`);
    case 'type':
      if (path.length === 0) return invalidRequest('The request body must be a JSON object.');
      if (e.params.type === 'integer') return invalidRequest(`Invalid integer: ${String(e.data)}`);
      return invalidRequest(`Invalid ${at()}: it must be ${article(String(e.params.type).replace(',', ' or '))}.`);
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).join(', ');
      const what = path[0] === 'events' ? 'event type' : at();
      return invalidRequest(`Invalid ${what}: '${String(e.data)}'. Valid values are: ${allowed}.`);
    }
    case 'minItems':
      return invalidRequest(`Invalid ${at()}: provide at least one ${path[0] === 'events' ? 'event type' : 'value'}.`);
    case 'maxItems':
      return invalidRequest(`Invalid ${at()}: at most ${String(e.params.limit)} items.`);
    case 'anyOf':
      return invalidRequest(`Invalid ${at()}: it must be a string or a list of strings.`);
    default:
      return invalidRequest(`Invalid ${at() ?? 'request'}: ${e.message ?? 'failed validation'}.`);
  }
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) request.log.error({ err }, 'request failed');
  return reply.status(status).send(body);
}
