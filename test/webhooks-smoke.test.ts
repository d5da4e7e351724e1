import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/hookline.js';

describe('webhooks API smoke', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('creates, lists, reads the secret of and deletes a webhook', async () => {
    const created = await server.api('POST', '/v2/webhooks', { name: 'New bookings', url: 'https://example.com/h', events: ['booking'] });
    expect(created.status).toBe(200);
    expect(created.body.id).toMatch(/^WHK-[A-Z0-9]{10}$/);
    expect(created.body.secret).toMatch(/^[0-9a-f]{32}$/);
    const list = await server.api('GET', '/v2/webhooks');
    expect(list.body.data.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
    expect(list.body.data[0].secret).toBeUndefined();
    const secret = await server.api('GET', `/v2/webhooks/${created.body.id}/secret`);
    expect(secret.body.secret).toBe(created.body.secret);
    const deleted = await server.api('DELETE', `/v2/webhooks/${created.body.id}`);
    expect(deleted.body).toEqual({ id: created.body.id, deleted: true });
    expect((await server.api('GET', `/v2/webhooks/${created.body.id}`)).status).toBe(404);
  });
});
