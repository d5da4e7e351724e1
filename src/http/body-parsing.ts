// How request bodies are read. The API takes JSON only, but a request that carries no body is a
// request without parameters whatever its Content-Type says: OnceHub's own n8n node sends
// `Content-Type: application/json` on every call, its bodyless DELETE and GET included. So:
// - no body (no Content-Length or `0`, no Transfer-Encoding): the Content-Type is not looked at;
// - an empty or blank body, of any type: no parameters, as an empty JSON object would be;
// - a JSON body: parsed (prototype poisoning refused), malformed JSON answers 400;
// - any other non-empty body: 400, send JSON.
// Handlers see `{}` for a request without a body (the preValidation hook in server.ts).
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';

/** Whether the request announces no body at all. */
function hasNoBody(request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers;
  return encoding === undefined && (length === undefined || length === '0');
}

const isBlank = (body: string | Buffer) => body.length === 0 || String(body).trim() === '';

export function registerBodyParsing(app: FastifyInstance): void {
  // Runs before Fastify picks a parser: without a Content-Type header it parses nothing.
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type'] !== undefined && hasNoBody(request)) delete request.raw.headers['content-type'];
  });

  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (isBlank(body)) done(null, undefined);
    else json(request, body as string, done);
  });
  // Every other type: accepted only when there is nothing in it.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if (isBlank(body)) done(null, undefined);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
}
