// Sends one delivery attempt: an HTTPS POST through an undici Agent whose connector applies the
// SSRF policy to every new connection. Redirects are not followed; only 2xx counts as success.
// The timeout is undici's own (connecting, then waiting for the answer's headers, then between body
// chunks), not an AbortSignal per request: creating one per attempt cost a tenth of the throughput.
// Every failure is classified (http_status, timeout, dns, tls, refused_address, connection).
import fs from 'node:fs';
import tls from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { addressPolicy, guardedLookup, literalRefusal, parseCidrList, RefusedAddressError } from './ssrf.js';

export type ErrorKind = 'http_status' | 'timeout' | 'dns' | 'tls' | 'refused_address' | 'connection';

export interface AttemptOutcome {
  ok: boolean;
  statusCode?: number | undefined;
  errorKind?: ErrorKind | undefined;
  errorMessage?: string | undefined;
  responseExcerpt?: string | undefined;
  retryAfter?: string | undefined;
  durationMs: number;
}

export interface HttpClientOptions {
  timeoutMs: number;
  /** Comma-separated CIDR ranges that may be reached although they are not public. */
  allowCidrs: string;
  /** A PEM file of extra certificate authorities to trust besides the system's. */
  caFile?: string | undefined;
}

export interface HttpClient {
  post(url: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

/** How much of a response body is read, and how much of it is kept. */
const READ_CAP = 64 * 1024;
const EXCERPT_CAP = 1024;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const policy = addressPolicy(parseCidrList(options.allowCidrs));
  // One TLS context for all connections: building it (parsing every root certificate) per connection is costly.
  const secureContext = options.caFile
    ? tls.createSecureContext({ ca: [...tls.rootCertificates, fs.readFileSync(options.caFile, 'utf8')] })
    : undefined;
  const base = buildConnector({ timeout: Math.min(options.timeoutMs, 10_000), lookup: guardedLookup(policy), ...(secureContext && { secureContext }) });
  const connect: buildConnector.connector = (opts, callback) => {
    const refusal = literalRefusal(policy, opts.hostname);
    if (refusal) return callback(new RefusedAddressError(`refused to connect to ${opts.hostname}: ${refusal}`), null);
    base(opts, callback);
  };
  const agent = new Agent({ connect, keepAliveTimeout: 30_000, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });

  return {
    async post(url, headers, body) {
      const started = performance.now();
      const duration = () => Math.round(performance.now() - started);
      try {
        const res = await agent.request({
          origin: new URL(url).origin,
          path: pathOf(url),
          method: 'POST',
          headers,
          body,
        });
        const excerpt = await readExcerpt(res.body, started + options.timeoutMs);
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        const retryAfter = res.headers['retry-after'];
        return {
          ok,
          statusCode: res.statusCode,
          ...(!ok && { errorKind: 'http_status' as const, errorMessage: `the receiver answered ${res.statusCode}` }),
          responseExcerpt: excerpt,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          durationMs: duration(),
        };
      } catch (err) {
        return { ok: false, ...classify(err), durationMs: duration() };
      }
    },
    close: () => agent.close(),
  };
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** Reads the start of a response body, giving up at READ_CAP bytes or at the attempt's deadline. */
async function readExcerpt(stream: AsyncIterable<Buffer> & { destroy(): void }, deadline: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= READ_CAP || performance.now() > deadline) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_CAP).toString('utf8');
}

function classify(err: unknown): { errorKind: ErrorKind; errorMessage: string } {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = e.cause ?? e;
  const code = inner.code ?? e.code ?? e.name;
  const message = inner.message || e.message || String(err);
  if (inner instanceof RefusedAddressError || e instanceof RefusedAddressError) return { errorKind: 'refused_address', errorMessage: message };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/.test(code ?? '')) {
    return { errorKind: 'timeout', errorMessage: 'the receiver did not answer in time' };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'ENODATA') {
    return { errorKind: 'dns', errorMessage: message };
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_OSSL|HOSTNAME/.test(code ?? '')) return { errorKind: 'tls', errorMessage: message };
  return { errorKind: 'connection', errorMessage: message };
}
