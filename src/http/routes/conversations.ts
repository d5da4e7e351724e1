// The chatbot side's API. With the account's API key: websites and chatbots (creating them is a
// hookline extension: OnceHub's are made in its app), contacts as OnceHub lists them, and
// conversations (a hookline extension: OnceHub delivers them only in webhooks). Without a key, as
// the chatbot widget calls them: a visitor starts a conversation, answers, and books in it; the
// chatbot id and the visitor id the widget keeps are the credentials.
import type { FastifyInstance } from 'fastify';
import { createChatbot, createWebsite, findChatbot, findWebsite, listChatbots, listWebsites, toChatbotObject, toWebsiteObject } from '../../scheduling/chatbots.js';
import { findContact, listContacts, toContactObject, type VisitorInput } from '../../scheduling/contacts.js';
import { findConversationRow, listConversationRows, renderConversation } from '../../scheduling/conversation-object.js';
import { answerQuestion, scheduleInConversation, startConversation, type AnswerInput, type ConversationScheduleInput } from '../../scheduling/conversations.js';
import { accountOf } from '../auth.js';
import { pageRequest, sendPage, type PaginationQuery } from '../pagination.js';
import { errorResponses, notFoundResponse, paginationQuery, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const open = (title: string) => ({ type: 'object', additionalProperties: true, description: title }) as const;
const list = (title: string) =>
  ({ type: 'object', required: ['object', 'data', 'has_more'], properties: { object: { type: 'string' }, data: { type: 'array', items: open(title) }, has_more: { type: 'boolean' } } }) as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const body = (required: string[], properties: Record<string, object>) => ({ type: 'object', additionalProperties: false, required, properties }) as const;
const str = { type: 'string' } as const;
const visitorId = { type: 'string', description: 'The id the widget keeps for this visitor (16 to 200 visible ASCII characters): its credential.' } as const;
const conflictResponse = { 409: { description: 'The host is busy then', ...ref('Error') } } as const;

export function conversationRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const ok = (title: string, tags: string[], extra: object = {}) => ({ tags, response: { 200: open(title), ...errorResponses, ...notFoundResponse }, ...extra });
  const getList = (path: string, operationId: string, summary: string, tag: string, title: string, fetch: (accountId: string, query: PaginationQuery) => Promise<{ data: { id: string }[]; hasMore: boolean; hasOlder: boolean; hasNewer: boolean }>) =>
    app.get<{ Querystring: PaginationQuery }>(path, {
      schema: { operationId, summary, tags: [tag], querystring: paginationQuery, response: { 200: list(title), ...errorResponses } },
      handler: async (request, reply) => sendPage(request, reply, await fetch(accountOf(request), request.query), ctx.config.publicUrl),
    });

  app.post<{ Body: Record<string, unknown> }>('/v2/websites', {
    schema: { operationId: 'create-a-website', summary: 'Create a website (hookline extension): {name, url}', body: body(['name', 'url'], { name: str, url: str }), ...ok('Website', ['Websites']) },
    handler: (request) => createWebsite(ctx, accountOf(request), request.body),
  });
  getList('/v2/websites', 'list-all-websites', 'List websites (hookline extension)', 'Websites', 'Website', (a, q) => listWebsites(ctx, a, pageRequest(q)));
  app.get<{ Params: { id: string } }>('/v2/websites/:id', {
    schema: { operationId: 'get-a-single-website', summary: 'Get a website (hookline extension)', params: idParams, ...ok('Website', ['Websites']) },
    handler: async (request) => toWebsiteObject(await findWebsite(ctx.db, accountOf(request), request.params.id)),
  });

  app.post<{ Body: Record<string, unknown> }>('/v2/chatbots', {
    schema: {
      operationId: 'create-a-chatbot',
      summary: 'Create a chatbot (hookline extension): {name, website, owner, questions: [{question, internal_label?}], booking_calendar?}; the booking calendar is the flow\'s final scheduling step',
      body: body(['name', 'website', 'owner'], { name: str, website: str, owner: str, questions: { type: 'array' }, booking_calendar: { type: ['string', 'null'] } }),
      ...ok('Bot', ['Chatbots']),
    },
    handler: (request) => createChatbot(ctx, accountOf(request), request.body),
  });
  getList('/v2/chatbots', 'list-all-chatbots', 'List chatbots (hookline extension)', 'Chatbots', 'Bot', (a, q) => listChatbots(ctx, a, pageRequest(q)));
  app.get<{ Params: { id: string } }>('/v2/chatbots/:id', {
    schema: { operationId: 'get-a-single-chatbot', summary: 'Get a chatbot (hookline extension)', params: idParams, ...ok('Bot', ['Chatbots']) },
    handler: async (request) => toChatbotObject(await findChatbot(ctx.db, accountOf(request), request.params.id)),
  });

  getList('/v2/contacts', 'list-all-contacts', 'List contacts', 'Contacts', 'Contact', (a, q) => listContacts(ctx, a, pageRequest(q)));
  app.get<{ Params: { id: string } }>('/v2/contacts/:id', {
    schema: { operationId: 'get-a-single-contact', summary: 'Get a contact', params: idParams, ...ok('Contact', ['Contacts']) },
    handler: async (request) => toContactObject(await findContact(ctx.db, accountOf(request), request.params.id)),
  });

  getList('/v2/conversations', 'list-all-conversations', 'List conversations, newest first (hookline extension: OnceHub has no conversations endpoint)', 'Conversations', 'Conversation', async (a, q) => {
    const page = await listConversationRows(ctx.db, a, pageRequest(q));
    return { ...page, data: await Promise.all(page.data.map((c) => renderConversation(ctx.db, c, { expand: false }))) };
  });
  app.get<{ Params: { id: string } }>('/v2/conversations/:id', {
    schema: { operationId: 'get-a-single-conversation', summary: 'Get a conversation (hookline extension: OnceHub has no conversations endpoint)', params: idParams, ...ok('Conversation', ['Conversations']) },
    handler: async (request) => renderConversation(ctx.db, await findConversationRow(ctx.db, accountOf(request), request.params.id), { expand: false }),
  });

  // The visitor's side: no API key.
  const visitor = (operationId: string, summary: string, answers: string, requestBody: object, conflicts = false) => ({
    operationId,
    summary,
    tags: ['Chatbot visitors'],
    security: [],
    params: idParams,
    body: requestBody,
    response: { 200: open(answers), ...errorResponses, ...notFoundResponse, ...(conflicts && conflictResponse) },
  });
  const config = { public: true };
  app.post<{ Params: { id: string }; Body: VisitorInput }>('/v2/chatbots/:id/conversations', {
    config,
    schema: visitor(
      'start-a-conversation',
      'A visitor starts a conversation with a chatbot (hookline extension): {visitor_id, email?, first_name?, last_name?}; its open conversation with another chatbot closes, one with this chatbot resumes',
      'Conversation',
      body(['visitor_id'], { visitor_id: visitorId, email: str, first_name: str, last_name: str }),
      true,
    ),
    handler: (request) => startConversation(ctx, request.params.id, request.body),
  });
  app.post<{ Params: { id: string }; Body: AnswerInput }>('/v2/conversations/:id/answers', {
    config,
    schema: visitor(
      'answer-a-question',
      'The visitor answers a question of the flow (hookline extension): {visitor_id, question_id, value}; the last answer closes a flow without a scheduling step',
      'Conversation',
      body(['visitor_id', 'question_id', 'value'], { visitor_id: visitorId, question_id: str, value: str }),
    ),
    handler: (request) => answerQuestion(ctx, request.params.id, request.body),
  });
  app.post<{ Params: { id: string }; Body: ConversationScheduleInput }>('/v2/conversations/:id/schedule', {
    config,
    schema: visitor(
      'schedule-in-a-conversation',
      'The visitor books in the flow\'s scheduling step (hookline extension): {visitor_id, start_time, timezone?, booking_form?} (booking_form defaults to the contact\'s name and email); answers the booking and closes the conversation',
      'Booking',
      body(['visitor_id', 'start_time'], { visitor_id: visitorId, start_time: str, timezone: str, booking_form: { type: 'object' } }),
      true,
    ),
    handler: (request) => scheduleInConversation(ctx, request.params.id, request.body),
  });
}
