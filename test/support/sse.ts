// A client of GET /v2/events/stream for tests: opens the stream with node:http (one connection of its
// own, closed with the stream) and records each message (id, event, data) and each comment line as
// they arrive.
import http from 'node:http';
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The error body when the stream was refused. */
  body: unknown;
  messages: SseMessage[];
  /** The messages other than `ready`: the events. */
  events(): SseMessage[];
  comments: string[];
  /** Resolves once at least n events (messages other than `ready`) have arrived. */
  waitForEvents(n: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openStream(base: string, query = '', headers: Record<string, string> = {}): Promise<SseClient> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(`${base}/v2/events/stream${query}`, { headers, agent: false }, resolve);
    req.on('error', reject);
  });
  const status = res.statusCode ?? 0;
  const responseHeaders = new Headers(Object.entries(res.headers).map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const events = () => messages.filter((m) => m.event !== 'ready');
  let waiters: (() => void)[] = [];
  const notify = () => {
    for (const w of waiters) w();
  };
  if (status !== 200) {
    let text = '';
    for await (const chunk of res) text += String(chunk);
    const failed = Promise.reject(new Error('no stream'));
    failed.catch(() => {});
    return { status, headers: responseHeaders, body: JSON.parse(text), messages, events, comments, waitForEvents: () => failed, ended: Promise.resolve(), close: () => {} };
  }
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const message: SseMessage = { id: undefined, event: 'message', data: '' };
          let isMessage = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('data: ')) (message.data = line.slice(6)), (isMessage = true);
          }
          if (isMessage) messages.push(message);
          notify();
        }
      }
    } catch {
      // closed by the test
    }
  })();
  return {
    status,
    headers: responseHeaders,
    body: undefined,
    messages,
    events,
    comments,
    waitForEvents: (n, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (events().length < n) return false;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(events());
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`expected ${n} events, got ${events().length}`)), timeoutMs);
        if (!check()) waiters.push(check);
      }),
    ended,
    close: () => res.destroy(),
  };
}
