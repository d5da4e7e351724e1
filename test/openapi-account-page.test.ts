// The API additions behind the account page are in GET /v2/openapi.json, each with an operationId,
// and real answers validate against what the document says; errors have OnceHub's shape. The
// page's own addresses answer its HTML with the same Content-Security-Policy as /.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook } from './support/delivery.js';
import { expectApiError } from './support/expect-api.js';
import { call, startServer, type ApiResponse, type TestServer } from './support/hookline.js';
import { EMAIL, PASSWORD, addAdmin } from './support/web.js';

let server: TestServer;
let doc: any;
let session: Record<string, string>;

beforeAll(async () => {
  server = await startServer();
  await addAdmin(server);
  doc = (await call(server.url, 'GET', '/v2/openapi.json')).body;
  const signed = await call(server.url, 'POST', '/v2/session', { email: EMAIL, password: PASSWORD });
  session = { cookie: (signed.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': signed.body.csrf_token };
});
afterAll(() => server.stop());

const ADDED = {
  'get-webhook-stats': ['get', '/v2/webhooks/{id}/stats'],
  'list-webhook-summaries': ['get', '/v2/webhook-stats'],
  'list-admins': ['get', '/v2/admins'],
  'create-an-admin': ['post', '/v2/admins'],
  'remove-an-admin': ['delete', '/v2/admins/{id}'],
  'change-own-password': ['post', '/v2/session/password'],
  'list-admin-invites': ['get', '/v2/admin-invites'],
  'create-an-admin-invite': ['post', '/v2/admin-invites'],
  'revoke-an-admin-invite': ['delete', '/v2/admin-invites/{id}'],
  'look-up-an-admin-link': ['post', '/v2/admin-invites/lookup'],
  'accept-an-admin-link': ['post', '/v2/admin-invites/accept'],
} as const;

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addFormat('uri', (v: string) => URL.canParse(v));

function expectDocumented(res: ApiResponse, method: string, path: string) {
  const schema = doc.paths[path]?.[method]?.responses?.[String(res.status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} documents no ${res.status}`).toBeDefined();
  const validate = ajv.compile({ ...schema, components: doc.components });
  expect(validate(res.body), `${method} ${path}: ${ajv.errorsText(validate.errors)}\n${res.text}`).toBe(true);
}

describe('the OpenAPI document', () => {
  it.each(Object.entries(ADDED))('documents %s as %j, marked a hookline extension', (operationId, [method, path]) => {
    const op = doc.paths[path]?.[method];
    expect(op?.operationId).toBe(operationId);
    expect(op.summary).toMatch(/hookline extension/);
  });

  it('documents the delivery log filters', () => {
    const names = doc.paths['/v2/webhooks/{id}/deliveries'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['state', 'event_type', 'since', 'until']));
  });

  it('matches real answers, with an API key for the figures and a session for the admins', async () => {
    const hook = await createWebhook(server, 'Documented figures', 'https://receiver.invalid/x');
    await server.api('POST', `/v2/webhooks/${hook.id}/test`, { type: 'booking.scheduled' });
    expectDocumented(await server.api('GET', `/v2/webhooks/${hook.id}/stats?range=7d`), 'get', '/v2/webhooks/{id}/stats');
    expectDocumented(await server.api('GET', '/v2/webhook-stats'), 'get', '/v2/webhook-stats');
    expectDocumented(await server.api('GET', `/v2/webhooks/${hook.id}/deliveries?event_type=booking.scheduled`), 'get', '/v2/webhooks/{id}/deliveries');
    const as = (method: string, path: string, body?: unknown) => call(server.url, method, path, body, session);
    expectDocumented(await as('GET', '/v2/admins'), 'get', '/v2/admins');
    const added = await as('POST', '/v2/admins', { email: 'documented@example.com', password: PASSWORD });
    expectDocumented(added, 'post', '/v2/admins');
    expectDocumented(await as('POST', '/v2/admins', { email: 'documented@example.com', password: PASSWORD }), 'post', '/v2/admins'); // 409
    const invite = await as('POST', '/v2/admin-invites', { email: 'doc-invite@example.com' });
    expectDocumented(invite, 'post', '/v2/admin-invites');
    expectDocumented(await as('GET', '/v2/admin-invites'), 'get', '/v2/admin-invites');
    const token = (invite.body.url as string).split('#')[1];
    expectDocumented(await call(server.url, 'POST', '/v2/admin-invites/lookup', { token }), 'post', '/v2/admin-invites/lookup');
    expectDocumented(await call(server.url, 'POST', '/v2/admin-invites/accept', { token, password: PASSWORD }), 'post', '/v2/admin-invites/accept');
    expectDocumented(await call(server.url, 'POST', '/v2/admin-invites/accept', { token, password: PASSWORD }), 'post', '/v2/admin-invites/accept'); // 400
    expectDocumented(await as('DELETE', `/v2/admins/${added.body.id}`), 'delete', '/v2/admins/{id}');
    expectDocumented(await as('POST', '/v2/session/password', { current_password: PASSWORD, new_password: PASSWORD }), 'post', '/v2/session/password');
  });

  it('refuses unknown fields and parameters in OnceHub\'s error shape', async () => {
    expectApiError(await server.api('GET', '/v2/webhook-stats?range=24h'), 400, { message: 'Received unknown parameter: range', param: 'range' });
    expectApiError(await call(server.url, 'POST', '/v2/admins', { email: 'x@example.com', password: PASSWORD, role: 'owner' }, session), 400, {
      message: 'Received unknown parameter: role',
      param: 'role',
    });
    expectApiError(await call(server.url, 'POST', '/v2/admin-invites/accept', { password: PASSWORD }), 400, { message: 'Missing required param: token.', param: 'token' });
  });
});

describe("the page's addresses", () => {
  it.each(['/integrations', '/integrations/apis', '/integrations/apis/webhooks/WHK-ABCDEFGHIJ?state=failed', '/integrations/apis/events/EVNT-ABCDEFGHIJ', '/account/admins', '/setup', '/invite'])(
    'answer %s with the page, under the same Content-Security-Policy',
    async (path) => {
      const [page, root] = [await call(server.url, 'GET', path), await call(server.url, 'GET', '/')];
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.text).toBe(root.text);
      expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      expect(page.headers.get('content-security-policy')).toBe(root.headers.get('content-security-policy'));
    },
  );

  it('leave other unknown paths to the API\'s 404', async () => {
    expectApiError(await server.api('GET', '/nowhere'), 404, { message: 'Unrecognized request URL (GET: /nowhere).' });
  });
});
