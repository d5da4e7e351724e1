// The page talks to hookline's own /v2 API with the session cookie; every state-changing request
// carries the session's CSRF token in the X-CSRF-Token header.
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
  secret?: string;
}

export interface ApiError {
  status: number;
  type: string;
  message: string;
  param?: string;
}

export class RequestFailed extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
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
    throw new RequestFailed({
      status: res.status,
      type: String(data.type ?? 'api_error'),
      message: String(data.message ?? `Request failed (${res.status}).`),
      ...(typeof data.param === 'string' && { param: data.param }),
    });
  }
  return data as T;
}

export const currentSession = () => request<Session>('GET', '/session', undefined);
export const signIn = (email: string, password: string) => request<Session>('POST', '/session', undefined, { email, password });

export interface Api {
  signOut(): Promise<unknown>;
  listWebhooks(): Promise<Webhook[]>;
  createWebhook(input: { name: string; url: string; events: string[] }): Promise<Webhook & { secret: string }>;
  viewSecret(id: string): Promise<{ secret: string }>;
  deleteWebhook(id: string): Promise<unknown>;
  sendTest(id: string, type: string): Promise<TestOutcome>;
  getWebhook(id: string): Promise<Webhook>;
  setStatus(id: string, status: 'enabled' | 'disabled'): Promise<Webhook>;
  listDeliveries(id: string): Promise<Delivery[]>;
  redeliver(eventId: string, webhookId: string): Promise<unknown>;
  getEvent(eventId: string): Promise<{ id: string; type: string; data: unknown }>;
  listApiKeys(): Promise<ApiKey[]>;
  createApiKey(label: string): Promise<ApiKey & { key: string }>;
  revokeApiKey(id: string): Promise<unknown>;
}

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
  next_retry_time: string | null;
}

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string | null;
  state: 'pending' | 'succeeded' | 'failed' | 'skipped';
  attempt_count: number;
  next_attempt_time: string | null;
  creation_time: string;
  attempts: Attempt[];
}

export interface TestOutcome {
  success: boolean;
  delivery: Delivery;
}

/** The API as the signed-in page uses it; onSessionEnded runs when the server no longer accepts the session. */
export function createApi(session: Session, onSessionEnded: (message: string) => void): Api {
  const csrf = session.csrf_token;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    try {
      return await request<T>(method, path, csrf, body);
    } catch (err) {
      if (err instanceof RequestFailed && err.error.status === 401) onSessionEnded(err.error.message);
      throw err;
    }
  };
  return {
    signOut: () => call('DELETE', '/session'),
    listWebhooks: async () => (await call<{ data: Webhook[] }>('GET', '/webhooks?limit=100')).data,
    createWebhook: (input) => call('POST', '/webhooks', input),
    viewSecret: (id) => call('GET', `/webhooks/${encodeURIComponent(id)}/secret`),
    deleteWebhook: (id) => call('DELETE', `/webhooks/${encodeURIComponent(id)}`),
    sendTest: (id, type) => call('POST', `/webhooks/${encodeURIComponent(id)}/test`, { type }),
    getWebhook: (id) => call('GET', `/webhooks/${encodeURIComponent(id)}`),
    setStatus: (id, status) => call('PATCH', `/webhooks/${encodeURIComponent(id)}`, { status }),
    listDeliveries: async (id) => (await call<{ data: Delivery[] }>('GET', `/webhooks/${encodeURIComponent(id)}/deliveries?limit=25`)).data,
    redeliver: (eventId, webhookId) => call('POST', `/events/${encodeURIComponent(eventId)}/redeliver`, { webhook_id: webhookId }),
    getEvent: (eventId) => call('GET', `/events/${encodeURIComponent(eventId)}`),
    listApiKeys: async () => (await call<{ data: ApiKey[] }>('GET', '/api-keys')).data,
    createApiKey: (label) => call('POST', '/api-keys', { label }),
    revokeApiKey: (id) => call('DELETE', `/api-keys/${encodeURIComponent(id)}`),
  };
}
