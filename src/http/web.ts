// The account interface: the React page built from web/ into dist/web (npm run build), served at /
// as static files with a strict Content-Security-Policy. It calls the same /v2 API with its session.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/web, from src/http (running from source) or dist/http (built). */
const CANDIDATES = [path.resolve(here, '../../dist/web'), path.resolve(here, '../web')];

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The page's own addresses (web/src/routes.tsx): each is answered with index.html, and the page
 * shows the view the address names, so reloading, Back, bookmarks and shared links work. A new
 * view under one of these prefixes needs no change here.
 */
export const PAGE_PATHS = ['/integrations', '/integrations/*', '/account/*', '/setup', '/invite'];

export function webRoot(): string | undefined {
  return CANDIDATES.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

export async function registerWeb(app: FastifyInstance): Promise<void> {
  const root = webRoot();
  if (!root) {
    app.get('/', { schema: { hide: true }, config: { public: true, unlimited: true } }, async (_request, reply) =>
      reply.type('text/plain').send('The account interface is not built: run `npm run build`.\n'),
    );
    return;
  }
  // The page's files need no API key and are not counted by the API's rate limit: a page load
  // fetches several at once.
  await app.register(async (web) => {
    web.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true, unlimited: true };
    });
    await web.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false, // one route per built file: unknown paths keep the API's 404 body
      setHeaders: (res) => {
        res.header('Content-Security-Policy', CSP);
        res.header('X-Content-Type-Options', 'nosniff');
        res.header('Referrer-Policy', 'no-referrer');
      },
    });
    for (const path of PAGE_PATHS) web.get(path, { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
  });
}
