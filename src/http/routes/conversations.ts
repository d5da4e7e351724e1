// The chatbot side's API. With the account's API key: websites and chatbots (creating them is a
// hookline extension: OnceHub's are made in its app), contacts as OnceHub lists them, and
// conversations (a hookline extension: OnceHub delivers them only in webhooks). Without a key, as
// the chatbot widget calls them: a visitor starts a conversation, answers, and books in it; the
// chatbot id and the visitor id the widget keeps are the credentials.
import type { FastifyInstance } from 'fastify';
import { createChatbot, createWebsite, findChatbot, findWebsite, listChatbots, listWebsites, toChatbotObject, toWebsiteObject } from '../../scheduling/chatbots.js';
import { findContact, listContacts, toContactObject, type VisitorInput } from '../../scheduling/contacts.js';
import { CONVERSATION_EXPANDABLE, findConversationRow, listConversationRows, renderConversation } from '../../scheduling/conversation-object.js';
import { answerQuestion, reachOut, scheduleInConversation, startConversation, type AnswerInput, type ConversationScheduleInput } from '../../scheduling/conversations.js';
import { accountOf } from '../auth.js';
import { sendPage } from '../pagination.js';
import { equals, listQuerystring, listRequest, type ListSpec } from '../list-query.js';
import { answerBody, chatbotBody, conversationScheduleBody, visitorBody, websiteBody } from '../scheduling-schemas.js';
import { errorResponses, listOf, notFoundResponse, plainJson, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const conflictResponse = { 409: { description: 'The host is busy then, or the visitor is in a conversation already', ...ref('Error') } } as const;

const CREATED: ListSpec = { dates: { creation_time: 'created_at' } };
/** GET /v2/contacts: OnceHub's filters (Pipedream's contact sources poll with them). */
const CONTACT_LIST: ListSpec = {
  dates: { creation_time: 'created_at', last_updated_time: 'updated_at' },
  filters: { email: { schema: { type: 'string', description: "Only the contact with this e-mail address (any letter case)." }, condition: (v) => equals('email')(v.trim().toLowerCase()) } },
};
const CONVERSATION_LIST: ListSpec = {
  dates: { creation_time: 'created_at', last_updated_time: 'updated_at' },
  filters: {
    status: { schema: { type: 'string', enum: ['started', 'closed', 'abandoned'] }, condition: equals('status') },
    contact: { schema: { type: 'string', description: 'Only conversations with this contact.' }, condition: equals('contact_id') },
    initiated_by: { schema: { type: 'string', enum: ['bot', 'contact'] }, condition: equals('initiated_by') },
  },
  expand: CONVERSATION_EXPANDABLE,
};

export function conversationRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const serializerCompiler = plainJson;
  const documented = (id: string, extra: object = {}) => ({ 200: ref(id), ...errorResponses, ...notFoundResponse, ...extra });
  const getList = <T extends { id: string }>(path: string, operationId: string, summary: string, tag: string, item: string, spec: ListSpec, fetch: (accountId: string, list: ReturnType<typeof listRequest>) => Promise<{ data: T[]; hasMore: boolean; hasOlder: boolean; hasNewer: boolean }>) =>
    app.get<{ Querystring: Record<string, unknown> }>(path, {
      serializerCompiler,
      schema: { operationId, summary, tags: [tag], querystring: listQuerystring(spec), response: { 200: listOf(item), ...errorResponses } },
      handler: async (request, reply) => {
        const list = listRequest(request.query, spec);
        return sendPage(request, reply, await fetch(accountOf(request), list), ctx.config.publicUrl, list.filters);
      },
    });

  app.post<{ Body: Record<string, unknown> }>('/v2/websites', {
    serializerCompiler,
    schema: { operationId: 'create-a-website', summary: 'Create a website (hookline extension): {name, url}', tags: ['Websites'], body: websiteBody, response: documented('Website') },
    handler: (request) => createWebsite(ctx, accountOf(request), request.body),
  });
  getList('/v2/websites', 'list-all-websites', 'List websites (hookline extension)', 'Websites', 'Website', CREATED, (a, l) => listWebsites(ctx, a, l.page));
  app.get<{ Params: { id: string } }>('/v2/websites/:id', {
    serializerCompiler,
    schema: { operationId: 'get-a-single-website', summary: 'Get a website (hookline extension)', tags: ['Websites'], params: idParams, response: documented('Website') },
    handler: async (request) => toWebsiteObject(await findWebsite(ctx.db, accountOf(request), request.params.id)),
  });

  app.post<{ Body: Record<string, unknown> }>('/v2/chatbots', {
    serializerCompiler,
    schema: {
      operationId: 'create-a-chatbot',
      summary: "Create a chatbot (hookline extension): {name, website, owner, questions: [{question, internal_label?}], booking_calendar?}; the booking calendar is the flow's final scheduling step",
      tags: ['Chatbots'],
      body: chatbotBody,
      response: documented('Bot'),
    },
    handler: (request) => createChatbot(ctx, accountOf(request), request.body),
  });
  getList('/v2/chatbots', 'list-all-chatbots', 'List chatbots (hookline extension)', 'Chatbots', 'Bot', CREATED, (a, l) => listChatbots(ctx, a, l.page));
  app.get<{ Params: { id: string } }>('/v2/chatbots/:id', {
    serializerCompiler,
    schema: { operationId: 'get-a-single-chatbot', summary: 'Get a chatbot (hookline extension)', tags: ['Chatbots'], params: idParams, response: documented('Bot') },
    handler: async (request) => toChatbotObject(await findChatbot(ctx.db, accountOf(request), request.params.id)),
  });

  getList('/v2/contacts', 'list-all-contacts', 'List contacts, newest first', 'Contacts', 'Contact', CONTACT_LIST, (a, l) => listContacts(ctx, a, l.page));
  app.get<{ Params: { id: string } }>('/v2/contacts/:id', {
    serializerCompiler,
    schema: { operationId: 'get-a-single-contact', summary: 'Get a contact', tags: ['Contacts'], params: idParams, response: documented('Contact') },
    handler: async (request) => toContactObject(await findContact(ctx.db, accountOf(request), request.params.id)),
  });

  getList('/v2/conversations', 'list-all-conversations', 'List conversations, newest first (hookline extension: OnceHub has no conversations endpoint)', 'Conversations', 'Conversation', CONVERSATION_LIST, async (a, l) => {
    const page = await listConversationRows(ctx.db, a, l.page);
    return { ...page, data: await Promise.all(page.data.map((c) => renderConversation(ctx.db, c, { expand: l.expand }))) };
  });
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v2/conversations/:id', {
    serializerCompiler,
    schema: {
      operationId: 'get-a-single-conversation',
      summary: 'Get a conversation (hookline extension: OnceHub has no conversations endpoint)',
      tags: ['Conversations'],
      params: idParams,
      querystring: { type: 'object', additionalProperties: false, properties: { expand: listQuerystring({ expand: CONVERSATION_EXPANDABLE }).properties.expand } },
      response: documented('Conversation'),
    },
    handler: async (request) => {
      const { expand } = listRequest(request.query, { expand: CONVERSATION_EXPANDABLE });
      return renderConversation(ctx.db, await findConversationRow(ctx.db, accountOf(request), request.params.id), { expand });
    },
  });

  // The visitor's side: no API key.
  const visitor = (operationId: string, summary: string, answers: string, requestBody: object, conflicts = false) => ({
    operationId,
    summary,
    tags: ['Chatbot visitors'],
    security: [],
    params: idParams,
    body: requestBody,
    response: documented(answers, conflicts ? conflictResponse : {}),
  });
  const config = { public: true };
  app.post<{ Params: { id: string }; Body: VisitorInput }>('/v2/chatbots/:id/conversations', {
    config,
    serializerCompiler,
    schema: visitor(
      'start-a-conversation',
      'A visitor starts a conversation with a chatbot (hookline extension): {visitor_id, email?, first_name?, last_name?, timezone?}; its open conversation with another chatbot closes, one with this chatbot resumes (or starts, when the chatbot reached out)',
      'Conversation',
      visitorBody,
      true,
    ),
    handler: (request) => startConversation(ctx, request.params.id, request.body),
  });
  app.post<{ Params: { id: string }; Body: VisitorInput }>('/v2/chatbots/:id/reach-out', {
    config,
    serializerCompiler,
    schema: visitor(
      'reach-out-to-a-visitor',
      'The chatbot reaches out first to a website visitor (hookline extension): {visitor_id, email?, first_name?, last_name?, timezone?}; a conversation initiated_by "bot", announced by conversation.reached_out; it starts (conversation.started) when the visitor answers',
      'Conversation',
      visitorBody,
      true,
    ),
    handler: (request) => reachOut(ctx, request.params.id, request.body),
  });
  app.post<{ Params: { id: string }; Body: AnswerInput }>('/v2/conversations/:id/answers', {
    config,
    serializerCompiler,
    schema: visitor(
      'answer-a-question',
      'The visitor answers a question of the flow (hookline extension): {visitor_id, question_id, value}; the last answer closes a flow without a scheduling step',
      'Conversation',
      answerBody,
    ),
    handler: (request) => answerQuestion(ctx, request.params.id, request.body),
  });
  app.post<{ Params: { id: string }; Body: ConversationScheduleInput }>('/v2/conversations/:id/schedule', {
    config,
    serializerCompiler,
    schema: visitor(
      'schedule-in-a-conversation',
      "The visitor books in the flow's scheduling step (hookline extension): {visitor_id, start_time, timezone?, booking_form?} (booking_form defaults to the contact's name and email); answers the booking and closes the conversation",
      'Booking',
      conversationScheduleBody,
      true,
    ),
    handler: (request) => scheduleInConversation(ctx, request.params.id, request.body),
  });
}
