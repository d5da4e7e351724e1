// How the command line reaches a running hookline over HTTP, as any API client would: the base URL
// (--api-base, default http://127.0.0.1:8080) and an API key (--api-key, or HOOKLINE_API_KEY). Errors
// come back as the API's message. The key is sent in the API-Key header and never printed.
export interface Remote {
  /** e.g. http://127.0.0.1:8080, without /v2 */
  base: string;
  key: string;
}

export interface RemoteOptions {
  apiKey?: string;
  apiBase?: string;
}

export const DEFAULT_API_BASE = 'http://127.0.0.1:8080';

export function remoteFrom(options: RemoteOptions, env: NodeJS.ProcessEnv = process.env): Remote {
  const key = options.apiKey ?? env.HOOKLINE_API_KEY;
  if (key === undefined || key === '') throw new Error('No API key: pass --api-key or set HOOKLINE_API_KEY.');
  const raw = (options.apiBase ?? DEFAULT_API_BASE).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`Invalid --api-base '${raw}': give hookline's URL, e.g. ${DEFAULT_API_BASE}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Invalid --api-base '${raw}': it must be an http(s) URL.`);
  return { base: raw.replace(/\/+$/, '').replace(/\/v2$/, ''), key };
}

/** Why a connection failed, in a few words: the system's error code (ECONNREFUSED, ...) when there is one. */
export function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: string; cause?: { code?: unknown; message?: string } };
  for (const code of [e.cause?.code, e.code]) if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return e.cause?.message ?? e.message ?? String(err);
}

/** Calls the API; resolves with the JSON answer, throws an Error carrying the API's message otherwise. */
export async function callApi<T>(remote: Remote, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${remote.base}${path}`, {
      method,
      headers: { 'API-Key': remote.key, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      redirect: 'manual',
    });
  } catch (err) {
    throw new Error(`Could not reach hookline at ${remote.base} (${reason(err)}).`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const message = (parsed as { message?: unknown } | undefined)?.message;
    throw new Error(`${typeof message === 'string' ? message : `hookline answered ${res.status}.`} (HTTP ${res.status})`);
  }
  return parsed as T;
}
