// `hookline listen` as a child process, and the local http receiver a developer would forward to:
// the listener's output line by line, the listen secret it printed, and what reached the receiver.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnCli } from './cli.js';

export interface Listener {
  child: ChildProcess;
  /** The listen secret printed at start (undefined with --print-json). */
  secret: string | undefined;
  /** The Standard Webhooks form printed beside it. */
  whsec: string | undefined;
  stdout(): string[];
  stderr(): string;
  /** Resolves once stdout holds at least n lines. */
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  /** Resolves once stderr matches. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts `hookline listen <args>` and resolves once it printed that it is ready (or exited). */
export async function startListen(args: string[], env: Record<string, string>, waitReady = true): Promise<Listener> {
  const child = spawnCli(['listen', ...args], env);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const lines = () => out.split('\n').filter((l) => l !== '');
  if (waitReady) await until(() => /^Ready: /m.test(err) || done, 30_000, () => `listen to be ready:\n${err}`);
  return {
    child,
    get secret() {
      return /^Listen secret: (\S+)$/m.exec(err)?.[1];
    },
    get whsec() {
      return /^ {2}as a Standard Webhooks secret: (\S+)$/m.exec(err)?.[1];
    },
    stdout: lines,
    stderr: () => err,
    waitForLines: async (n, timeoutMs = 15_000) => {
      await until(() => lines().length >= n, timeoutMs, () => `${n} lines from listen, got:\n${out}\n${err}`);
      return lines();
    },
    waitForStderr: (pattern, timeoutMs = 30_000) => until(() => pattern.test(err), timeoutMs, () => `${pattern} in:\n${err}`),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

export interface LocalRequest {
  headers: Record<string, string>;
  body: string;
}

export interface LocalReceiver {
  /** http://127.0.0.1:<port>/hooks */
  url: string;
  received: LocalRequest[];
  /** The status to answer from now on. */
  answer(status: number): void;
  waitFor(n: number, timeoutMs?: number): Promise<LocalRequest[]>;
  close(): Promise<void>;
}

/** A plain-http endpoint on 127.0.0.1, as a developer's own server would be. */
export async function startLocalReceiver(): Promise<LocalReceiver> {
  const received: LocalRequest[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answer: (s) => void (status = s),
    waitFor: async (n, timeoutMs = 15_000) => {
      await until(() => received.length >= n, timeoutMs, () => `${n} requests at the local receiver, got ${received.length}`);
      return received;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
