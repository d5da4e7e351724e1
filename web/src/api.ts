// The page talks to hookline's own /v2 API with the session cookie; every state-changing request
// carries the session's CSRF token in the X-CSRF-Token header. The page's requests have a rate
// budget of their own (per session), apart from the account's API keys.
export interface Session {
  email: string;
  account_id: string;
  account_name: string;
  csrf_token: string;
}

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  creation_time: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  disabled_time: string | null;
  secret?: string;
}

export interface WebhookSecret {
  secret: string;
  standard_webhooks_secret: string;
  previous_secret_expires_time: string | null;
}

export interface ApiError {
  status: number;
  type: string;
  message: string;
  param?: string;
  /** Seconds to wait, from a 429's Retry-After header. */
  retryAfter?: number;
}

export class RequestFailed extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/**
 * What the page says when a request fails: the server's message, and for a refusal (429), that
 * nothing was changed (or, for a read, that what is shown may be stale) and when to try again.
 */
export function messageOf(err: unknown, kind: 'change' | 'read' = 'change'): string {
  if (!(err instanceof RequestFailed)) return 'Something went wrong. Try again.';
  const { status, message, retryAfter } = err.error;
  const wait = `wait ${retryAfter ?? 1} s and try again`;
  if (status === 429) return kind === 'change' ? `Refused: ${message}. Nothing was changed; ${wait}.` : `Refused: ${message}. What is shown may be out of date; ${wait}.`;
  return message;
}

async function request<T>(method: string, path: string, csrf: string | undefined, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf !== undefined && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/v2${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch {
    throw new RequestFailed({ status: 0, type: 'network', message: 'hookline could not be reached. Check your connection and try again.' });
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('Retry-After'));
    throw new RequestFailed({
      status: res.status,
      type: String(data.type ?? 'api_error'),
      message: String(data.message ?? `Request failed (${res.status}).`),
      ...(typeof data.param === 'string' && { param: data.param }),
      ...(retryAfter > 0 && { retryAfter }),
    });
  }
  return data as T;
}

export const currentSession = () => request<Session>('GET', '/session', undefined);
export const signIn = (email: string, password: string) => request<Session>('POST', '/session', undefined, { email, password });

export interface AdminLink {
  kind: 'setup' | 'invite';
  email: string | null;
  account_name: string;
  expires_time: string;
}
export const lookupLink = (token: string) => request<AdminLink>('POST', '/admin-invites/lookup', undefined, { token });
export const acceptLink = (token: string, password: string, email?: string) =>
  request<Session>('POST', '/admin-invites/accept', undefined, { token, password, ...(email !== undefined && { email }) });

export interface ApiKey {
  id: string;
  label: string;
  hint: string;
  creation_time: string;
  last_used_time: string | null;
  revoked_time: string | null;
}

export interface Attempt {
  id: string;
  attempt_time: string;
  duration_ms: number;
  status_code: number | null;
  error_kind: string | null;
  error_message: string | null;
  response_excerpt: string | null;
  next_retry_time: string | null;
}

export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'skipped';

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string | null;
  test: boolean;
  webhook_id: string;
  state: DeliveryState;
  in_flight: boolean;
  attempt_count: number;
  next_attempt_time: string | null;
  creation_time: string;
  attempts: Attempt[];
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
}

export interface DeliveryQuery {
  state?: string;
  event_type?: string;
  since?: string;
  until?: string;
  after?: string;
  before?: string;
  limit?: number;
}

export interface EventObject {
  id: string;
  object: 'event';
  type: string;
  creation_time: string;
  api_version: string;
  data: unknown;
  deliveries?: Delivery[];
}

export interface TestOutcome {
  success: boolean;
  delivery: Delivery;
}

export interface WebhookSummary {
  webhook_id: string;
  condition: 'idle' | 'healthy' | 'failing' | 'disabled';
  attempts_24h: number;
  succeeded_24h: number;
  failed_24h: number;
  success_rate_24h: number | null;
  last_attempt: { attempt_time: string; succeeded: boolean; status_code: number | null; error_kind: string | null; error_message: string | null } | null;
  retrying: number;
  next_retry_time: string | null;
}

export interface Figures {
  attempts: number;
  succeeded: number;
  failed: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface WebhookStats {
  range: '24h' | '7d';
  start_time: string;
  end_time: string;
  interval_seconds: number;
  totals: Figures & { success_rate: number | null };
  intervals: (Figures & { start_time: string })[];
  summary: WebhookSummary;
}

export interface Admin {
  id: string;
  email: string;
  creation_time: string;
  is_you: boolean;
}

export interface Invite {
  id: string;
  email: string;
  creation_time: string;
  expires_time: string;
  url?: string;
}

export type WebhookInput = { name: string; url: string; events: string[] };

const enc = encodeURIComponent;
const queryOf = (q: object) => {
  const entries = Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
};

/** The API as the signed-in page uses it; onSessionEnded runs when the server no longer accepts the session. */
export function createApi(session: Session, onSessionEnded: (message: string) => void) {
  const csrf = session.csrf_token;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    try {
      return await request<T>(method, path, csrf, body);
    } catch (err) {
      if (err instanceof RequestFailed && err.error.status === 401) onSessionEnded(err.error.message);
      throw err;
    }
  };
  const hook = (id: string) => `/webhooks/${enc(id)}`;
  return {
    signOut: () => call('DELETE', '/session'),
    listWebhooks: async () => (await call<Page<Webhook>>('GET', '/webhooks?limit=100')).data,
    listSummaries: async () => (await call<Page<WebhookSummary>>('GET', '/webhook-stats?limit=100')).data,
    createWebhook: (input: WebhookInput) => call<Webhook & { secret: string }>('POST', '/webhooks', input),
    updateWebhook: (id: string, changes: Partial<WebhookInput> & { status?: 'enabled' | 'disabled' }) => call<Webhook>('PATCH', hook(id), changes),
    viewSecret: (id: string) => call<WebhookSecret>('GET', `${hook(id)}/secret`),
    rotateSecret: (id: string) => call<WebhookSecret>('POST', `${hook(id)}/rotate-secret`),
    deleteWebhook: (id: string) => call('DELETE', hook(id)),
    sendTest: (id: string, type: string) => call<TestOutcome>('POST', `${hook(id)}/test`, { type }),
    getWebhook: (id: string) => call<Webhook>('GET', hook(id)),
    stats: (id: string, range: '24h' | '7d') => call<WebhookStats>('GET', `${hook(id)}/stats?range=${range}`),
    listDeliveries: (id: string, query: DeliveryQuery) => call<Page<Delivery>>('GET', `${hook(id)}/deliveries${queryOf(query)}`),
    recover: (id: string, since: string) => call<{ requeued: number }>('POST', `${hook(id)}/recover`, { since }),
    redeliver: (eventId: string, webhookId?: string) =>
      call<{ requeued: number }>('POST', `/events/${enc(eventId)}/redeliver`, webhookId === undefined ? {} : { webhook_id: webhookId }),
    getEvent: (eventId: string) => call<EventObject>('GET', `/events/${enc(eventId)}`),
    listApiKeys: async () => (await call<Page<ApiKey>>('GET', '/api-keys')).data,
    createApiKey: (label: string) => call<ApiKey & { key: string }>('POST', '/api-keys', { label }),
    revokeApiKey: (id: string) => call('DELETE', `/api-keys/${enc(id)}`),
    listAdmins: async () => (await call<Page<Admin>>('GET', '/admins')).data,
    addAdmin: (email: string, password: string) => call<Admin>('POST', '/admins', { email, password }),
    removeAdmin: (id: string) => call('DELETE', `/admins/${enc(id)}`),
    listInvites: async () => (await call<Page<Invite>>('GET', '/admin-invites')).data,
    invite: (email: string) => call<Invite & { url: string }>('POST', '/admin-invites', { email }),
    withdrawInvite: (id: string) => call('DELETE', `/admin-invites/${enc(id)}`),
    changePassword: (current: string, next: string) => call('POST', '/session/password', { current_password: current, new_password: next }),
  };
}

export type Api = ReturnType<typeof createApi>;
