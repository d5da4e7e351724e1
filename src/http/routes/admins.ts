// The people who sign in to the web page (hookline extension): an account's admins list, add and
// remove admins (never the last one), invite someone by a one-time link, and change their own
// password. Only a signed-in admin may (an API key cannot manage people). Using a link (the first
// start's set-up link, or an invitation) needs no sign-in: the link's token is the credential.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { acceptLink, createInvite, lookupLink, listInvites, revokeInvite, type InviteRow } from '../../admins/invites.js';
import { changeOwnPassword, listAdmins, removeAdmin, type AdminListRow } from '../../admins/manage.js';
import { createAdmin, type AdminSession } from '../../admins/service.js';
import { isoTime } from '../../clock.js';
import { HooklineError, notFound } from '../../errors.js';
import { clearSessionCookie, sessionOf, setSessionCookie } from '../auth.js';
import { errorResponses, notFoundResponse } from '../schemas.js';
import type { RouteDeps } from './deps.js';
import { sessionBody, sessionSchema } from './session.js';
import { SESSION_TTL_MS } from '../../admins/service.js';

const tags = ['Admins'];

const adminSchema = {
  type: 'object',
  required: ['object', 'id', 'email', 'creation_time', 'is_you'],
  properties: {
    object: { type: 'string', const: 'admin' },
    id: { type: 'string', examples: ['ADM-4KQ2M8ZP1X'] },
    email: { type: 'string' },
    creation_time: { type: 'string', format: 'date-time' },
    is_you: { type: 'boolean', description: 'This admin is the one signed in.' },
  },
} as const;

const inviteSchema = {
  type: 'object',
  required: ['object', 'id', 'email', 'creation_time', 'expires_time'],
  properties: {
    object: { type: 'string', const: 'admin_invite' },
    id: { type: 'string', examples: ['INV-7TQ0M2C9XD'] },
    email: { type: 'string' },
    creation_time: { type: 'string', format: 'date-time' },
    expires_time: { type: 'string', format: 'date-time' },
    url: { type: 'string', description: 'The one-time link: in the answer to its creation only. hookline sends no e-mail; pass it on yourself.' },
  },
} as const;

const linkSchema = {
  type: 'object',
  required: ['object', 'kind', 'email', 'account_name', 'expires_time'],
  properties: {
    object: { type: 'string', const: 'admin_link' },
    kind: { type: 'string', enum: ['setup', 'invite'], description: 'setup: the first start\'s link (choose the e-mail address); invite: an invitation for `email`.' },
    email: { type: ['string', 'null'] },
    account_name: { type: 'string' },
    expires_time: { type: 'string', format: 'date-time' },
  },
} as const;

const listSchema = (items: object) => ({ type: 'object', required: ['object', 'data'], properties: { object: { type: 'string', const: 'list' }, data: { type: 'array', items } } });
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const tokenField = { type: 'string', minLength: 1, maxLength: 100, description: 'The part of the link after `#`.' } as const;
const conflictResponse = { 409: { description: 'E-mail address taken, or the last admin', $ref: 'Error#' } } as const;

const adminObject = (a: AdminListRow, you: string) => ({ object: 'admin' as const, id: a.id, email: a.email, creation_time: isoTime(a.created_at), is_you: a.id === you });
const inviteObject = (i: InviteRow) => ({
  object: 'admin_invite' as const,
  id: i.id,
  email: i.email ?? '',
  creation_time: isoTime(i.created_at),
  expires_time: isoTime(i.expires_at),
});

/** The admin's session behind a request, or a 401 for an API key or no sign-in. */
async function signedIn(ctx: RouteDeps['ctx'], request: FastifyRequest): Promise<AdminSession> {
  const session = request.principal?.adminId === undefined ? undefined : await sessionOf(ctx, request);
  if (!session) throw new HooklineError('authentication', 'Admins are managed by a signed-in admin, from the web page.');
  return session;
}

export function adminRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.get('/v2/admins', {
    schema: { operationId: 'list-admins', summary: "List the account's admins (hookline extension)", tags, response: { 200: listSchema(adminSchema), ...errorResponses } },
    handler: async (request) => {
      const me = await signedIn(ctx, request);
      return { object: 'list', data: (await listAdmins(ctx, me.accountId)).map((a) => adminObject(a, me.adminId)) };
    },
  });

  app.post<{ Body: { email: string; password: string } }>('/v2/admins', {
    schema: {
      operationId: 'create-an-admin',
      summary: 'Add an admin with an e-mail address and a password they are told (hookline extension)',
      tags,
      body: { type: 'object', additionalProperties: false, required: ['email', 'password'], properties: { email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 1024 } } },
      response: { 200: adminSchema, ...errorResponses, ...conflictResponse },
    },
    handler: async (request) => {
      const me = await signedIn(ctx, request);
      return adminObject(await createAdmin(ctx, me.accountId, request.body.email, request.body.password), me.adminId);
    },
  });

  app.delete<{ Params: { id: string } }>('/v2/admins/:id', {
    schema: {
      operationId: 'remove-an-admin',
      summary: 'Remove an admin and end their sessions; the last admin cannot be removed (hookline extension)',
      tags,
      params: idParams,
      response: { 200: { type: 'object', required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } }, ...errorResponses, ...notFoundResponse, ...conflictResponse },
    },
    handler: async (request, reply) => {
      const me = await signedIn(ctx, request);
      await removeAdmin(ctx, me.accountId, request.params.id);
      if (request.params.id === me.adminId) clearSessionCookie(reply);
      return { id: request.params.id, deleted: true };
    },
  });

  app.post<{ Body: { current_password: string; new_password: string } }>('/v2/session/password', {
    schema: {
      operationId: 'change-own-password',
      summary: "Change the signed-in admin's password; their other sessions end (hookline extension)",
      tags,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['current_password', 'new_password'],
        properties: { current_password: { type: 'string', maxLength: 1024 }, new_password: { type: 'string', maxLength: 1024 } },
      },
      response: { 200: { type: 'object', required: ['object', 'changed'], properties: { object: { type: 'string', const: 'password_change' }, changed: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (request) => {
      const me = await signedIn(ctx, request);
      await changeOwnPassword(ctx, me, request.body.current_password, request.body.new_password);
      return { object: 'password_change', changed: true };
    },
  });

  app.get('/v2/admin-invites', {
    schema: { operationId: 'list-admin-invites', summary: 'Invitations not used yet and not expired (hookline extension)', tags, response: { 200: listSchema(inviteSchema), ...errorResponses } },
    handler: async (request) => {
      const me = await signedIn(ctx, request);
      return { object: 'list', data: (await listInvites(ctx, me.accountId)).map(inviteObject) };
    },
  });

  app.post<{ Body: { email: string } }>('/v2/admin-invites', {
    schema: {
      operationId: 'create-an-admin-invite',
      summary: 'Invite someone to become an admin: a one-time link, valid 7 days, shown in this answer only (hookline extension)',
      tags,
      body: { type: 'object', additionalProperties: false, required: ['email'], properties: { email: { type: 'string', maxLength: 320 } } },
      response: { 200: inviteSchema, ...errorResponses, ...conflictResponse },
    },
    handler: async (request) => {
      const me = await signedIn(ctx, request);
      const { invite, path } = await createInvite(ctx, me.accountId, me.adminId, request.body.email);
      const base = ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
      return { ...inviteObject(invite), url: `${base}${path}` };
    },
  });

  app.delete<{ Params: { id: string } }>('/v2/admin-invites/:id', {
    schema: {
      operationId: 'revoke-an-admin-invite',
      summary: 'Withdraw an invitation: its link stops working (hookline extension)',
      tags,
      params: idParams,
      response: { 200: { type: 'object', required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } }, ...errorResponses, ...notFoundResponse },
    },
    handler: async (request) => {
      const me = await signedIn(ctx, request);
      if (!(await revokeInvite(ctx, me.accountId, request.params.id))) throw notFound(`No such open invitation: '${request.params.id}'`, 'id');
      return { id: request.params.id, deleted: true };
    },
  });

  app.post<{ Body: { token: string } }>('/v2/admin-invites/lookup', {
    config: { public: true },
    schema: {
      operationId: 'look-up-an-admin-link',
      summary: 'What a set-up or invitation link is for, before using it (hookline extension; the token is the credential)',
      tags,
      security: [],
      body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: tokenField } },
      response: { 200: linkSchema, ...errorResponses },
    },
    handler: async (request) => {
      const link = await lookupLink(ctx, request.body.token);
      return { object: 'admin_link', kind: link.kind, email: link.email, account_name: link.account_name, expires_time: isoTime(link.expires_at) };
    },
  });

  app.post<{ Body: { token: string; email?: string; password: string } }>('/v2/admin-invites/accept', {
    config: { public: true },
    schema: {
      operationId: 'accept-an-admin-link',
      summary: 'Use a set-up or invitation link: become an admin with this password, signed in (hookline extension)',
      description: 'A set-up link needs `email`; an invitation is for the address it was made for. The link then stops working.',
      tags,
      security: [],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['token', 'password'],
        properties: { token: tokenField, email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 1024 } },
      },
      response: { 200: sessionSchema, ...errorResponses, ...conflictResponse },
    },
    handler: async (request, reply) => {
      const { token, session } = await acceptLink(ctx, request.body.token, { email: request.body.email, password: request.body.password });
      setSessionCookie(ctx, request, reply, token, SESSION_TTL_MS);
      return sessionBody(session);
    },
  });
}
