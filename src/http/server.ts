// Builds the HTTP API: Fastify with OnceHub's conventions (Request-Id header, API-Key auth,
// per-account rate limit, error body) and the routes of each resource; and the worker role's small
// server of health checks and metrics.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifySchema } from 'fastify';
import type { AppContext } from '../context.js';
import { newRequestId } from '../ids.js';
import { registerAuth } from './auth.js';
import { registerBodyParsing } from './body-parsing.js';
import { sendError } from './errors.js';
import { healthRoutes, metaRoutes } from './routes/meta.js';
import type { RouteDeps } from './routes/deps.js';
import { conversationRoutes } from './routes/conversations.js';
import { eventRoutes } from './routes/events.js';
import { eventStreamRoutes } from './routes/event-stream.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { guestRoutes } from './routes/guest.js';
import { routingRoutes } from './routes/routing.js';
import { schedulingRoutes } from './routes/scheduling.js';
import { adminRoutes } from './routes/admins.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { sessionRoutes } from './routes/session.js';
import { statsRoutes } from './routes/stats.js';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.js';
import { webhookRoutes } from './routes/webhooks.js';
import { SCHEDULING_SCHEMAS } from './scheduling-schemas.js';
import { SHARED_SCHEMAS as API_SCHEMAS } from './schemas.js';
import { registerWeb } from './web.js';
import { guestPageRoutes } from './guest-pages/routes.js';
import { openApiWebhooks } from '../events/payload-schemas.js';

const SHARED_SCHEMAS = [...API_SCHEMAS, ...SCHEDULING_SCHEMAS];

const ROUTES = [metaRoutes, sessionRoutes, adminRoutes, apiKeyRoutes, webhookRoutes, webhookDeliveryRoutes, statsRoutes, eventRoutes, schedulingRoutes, routingRoutes, conversationRoutes, guestRoutes];
/** hookline's developer tools (issue 15): the live event stream and the event catalog. */
const TOOL_ROUTES = [eventStreamRoutes, eventTypeRoutes];

const notFound = (request: FastifyRequest, reply: FastifyReply) =>
  reply.status(404).send({ type: 'invalid_request_error', message: `Unrecognized request URL (${request.method}: ${request.url.split('?')[0]}).` });

export async function buildServer(ctx: AppContext, deps: Omit<RouteDeps, 'ctx'>): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new OneLinePerRequest(),
    genReqId: newRequestId,
    requestIdHeader: false,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Behind a load balancer: the client's address (per-address limits), protocol and host from its X-Forwarded-* headers.
    trustProxy: ctx.config.trustProxy === '' ? false : ctx.config.trustProxy,
    // Requests Fastify rejects before routing (a malformed URL) get the same error body and Request-Id.
    frameworkErrors: (err, request, reply) => {
      void reply.header('Request-Id', request.id);
      sendError(request, reply, err);
    },
  });

  // Query strings and path parameters arrive as text and are coerced; JSON bodies are checked as
  // sent, so `"name": 5` is an error rather than the name "5".
  const ajvOptions = { allErrors: false, verbose: true, removeAdditional: false, useDefaults: true, strict: false } as const;
  const coercing = new Ajv({ ...ajvOptions, coerceTypes: true });
  const exact = new Ajv({ ...ajvOptions, coerceTypes: false });
  for (const ajv of [coercing, exact]) addFormats.default(ajv, ['date-time', 'uri']);
  for (const schema of SHARED_SCHEMAS) {
    coercing.addSchema(schema);
    exact.addSchema(schema);
  }
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema as FastifySchema));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Request-Id', request.id);
  });
  registerBodyParsing(app);
  app.addHook('onSend', async (request, reply) => lingerOnUnreadBody(request, reply));
  // A request without a body means "no parameters", as an empty JSON object would.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) request.body = {};
  });
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler(notFound);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookline API',
        version: 'v2',
        description: 'Webhook subscriptions compatible with OnceHub API v2. Operations marked "hookline extension" are additions.',
      },
      components: { securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'API-Key' } } },
      security: [{ ApiKey: [] }],
      // OpenAPI 3.1's `webhooks` section; the plugin passes it through, though its types predate it.
      ...({ webhooks: openApiWebhooks() } as object),
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  await app.register(cookie);
  registerAuth(app, ctx);
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    // The page's requests (a signed-in session) have a budget per session; API keys share the account's.
    max: (_request, key) => (key.startsWith('session:') ? ctx.config.pageRateLimitPerSecond : ctx.config.rateLimitPerSecond),
    timeWindow: 1000,
    keyGenerator: (request) => (request.principal?.sessionId ? `session:${request.principal.sessionId}` : (request.principal?.accountId ?? request.ip)),
    allowList: (request) => request.routeOptions.config.unlimited === true,
    errorResponseBuilder: (_request, context) => Object.assign(new Error('Request rate limit exceeded'), { statusCode: context.statusCode }),
  });

  for (const routes of [...ROUTES, ...TOOL_ROUTES]) routes(app, { ctx, ...deps });
  guestPageRoutes(app, ctx);
  await registerWeb(app);
  return app;
}

/** How much of a body answered before it was read (too large, say) is still read and discarded, at most. */
const LINGER_MS = 10_000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * Lingering close: an answer sent before the request's body was read (too large, a bad content
 * type) would otherwise close the connection at once, and a client still sending the body gets a
 * reset (EPIPE) instead of the answer. The rest of the body is read and discarded instead, within
 * LINGER_MS and LINGER_BYTES (then the connection is cut), and the connection stays usable.
 */
function lingerOnUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  reply.removeHeader('connection'); // Fastify's "close": Node would destroy the socket as the answer ends
  const cut = () => raw.socket?.destroy();
  const timer = setTimeout(cut, LINGER_MS).unref();
  let read = 0;
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) cut();
  });
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
}

/**
 * One log line per request once it is answered (Fastify writes a second one on arrival): method,
 * URL (tokens redacted by the logger's serializer), status and time taken.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** The worker role's HTTP server: /healthz, /readyz and /metrics only, for orchestrators and Prometheus. */
export function buildProbeServer(ctx: AppContext): FastifyInstance {
  const app = Fastify({ loggerInstance: ctx.logger as FastifyBaseLogger, logController: new OneLinePerRequest(), genReqId: newRequestId, requestIdHeader: false });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Request-Id', request.id);
  });
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler(notFound);
  healthRoutes(app, ctx);
  return app;
}
