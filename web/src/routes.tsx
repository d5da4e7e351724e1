// The signed-in page's views, one per address. A new view is one line here (and its component);
// addresses under /integrations/ and /account/ are already answered by the server (src/http/web.ts).
import type { ReactNode } from 'react';
import type { Api, Session } from './api.js';
import { AdminsPage } from './AdminsPage.js';
import { EventCatalog } from './catalog/EventCatalog.js';
import { EventPage } from './EventPage.js';
import { Home, Integrations } from './Integrations.js';
import { navigate } from './router.js';
import { WebhookPage } from './WebhookPage.js';
import { WebhooksPage } from './WebhooksPage.js';

export interface ViewProps {
  api: Api;
  session: Session;
  params: Record<string, string>;
  query: URLSearchParams;
}

export const paths = {
  integrations: '/integrations',
  apis: '/integrations/apis',
  webhook: (id: string) => `/integrations/apis/webhooks/${encodeURIComponent(id)}`,
  event: (id: string) => `/integrations/apis/events/${encodeURIComponent(id)}`,
  admins: '/account/admins',
  eventTypes: '/integrations/event-types',
  eventType: (type: string) => `/integrations/event-types/${encodeURIComponent(type)}`,
};

const openType = (type: string | null) => navigate(type ? paths.eventType(type) : paths.eventTypes);

export const VIEWS: { path: string; render: (p: ViewProps) => ReactNode }[] = [
  { path: '/', render: (p) => <Home session={p.session} /> },
  { path: '/integrations', render: () => <Integrations /> },
  { path: '/integrations/apis', render: (p) => <WebhooksPage api={p.api} /> },
  { path: '/integrations/apis/webhooks/:id', render: (p) => <WebhookPage key={p.params.id} api={p.api} webhookId={p.params.id!} query={p.query} /> },
  { path: '/integrations/apis/events/:id', render: (p) => <EventPage key={p.params.id} api={p.api} eventId={p.params.id!} /> },
  { path: '/integrations/event-types', render: () => <EventCatalog type={null} onOpen={openType} /> },
  { path: '/integrations/event-types/:type', render: (p) => <EventCatalog type={p.params.type!} onOpen={openType} /> },
  { path: '/account/admins', render: (p) => <AdminsPage api={p.api} session={p.session} /> },
];
