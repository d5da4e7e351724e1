// Runs the `hookline` command from source (through tsx) as a child process: one-shot commands
// (accounts, keys) and `start`, whose output is captured so tests can inspect what it printed.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { testDatabase } from './database.js';
import { TEST_API_KEY } from './hookline.js';
import { receiverEnv } from './receiver.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = ['--import', 'tsx', 'src/cli/index.ts'];

/** The parent's environment without any HOOKLINE_* variable, plus the given ones. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOOKLINE_')) base[k] = v;
  return { ...base, ...env };
}

/** Spawns `hookline <args>` from source with the given environment; its output is piped. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [...ENTRY, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a one-shot command; `input` is written to its standard input (a password for --password-stdin). */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 20_000, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ENTRY, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] as const });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookline ${args.join(' ')} timed out:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The database and key file of a server, the two variables the CLI needs to act on its data. */
export function dataEnv(serverEnv: Record<string, string>): Record<string, string> {
  return { HOOKLINE_DATABASE: serverEnv.HOOKLINE_DATABASE!, HOOKLINE_SECRET_KEY_FILE: serverEnv.HOOKLINE_SECRET_KEY_FILE! };
}

export interface IssuedKey {
  keyId: string;
  key: string;
}

/** Parses the "api key KEY-...: hkl_..." line that `accounts create` and `keys create` print. */
export function parseIssuedKey(stdout: string): IssuedKey {
  const m = /^api key (KEY-[A-Z0-9]{10}): (hkl_\S+)$/m.exec(stdout);
  if (!m) throw new Error(`no API key line in:\n${stdout}`);
  return { keyId: m[1]!, key: m[2]! };
}

/** Runs `accounts create --name NAME` against a server's data and returns the account and its key. */
export async function createAccount(serverEnv: Record<string, string>, name: string): Promise<IssuedKey & { accountId: string }> {
  const res = await runCli(['accounts', 'create', '--name', name], dataEnv(serverEnv));
  if (res.code !== 0) throw new Error(`accounts create failed (${res.code}):\n${res.stdout}\n${res.stderr}`);
  const acc = /^account (ACC-[A-Z0-9]{10}) /m.exec(res.stdout);
  if (!acc) throw new Error(`no account line in:\n${res.stdout}`);
  return { accountId: acc[1]!, ...parseIssuedKey(res.stdout) };
}

export interface StartedCli {
  url: string;
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `hookline start` (with extra arguments such as `--role worker`) and resolves once it prints
 * "listening on <url>", or "is running" for a role without HTTP (then url is '').
 */
export async function startCli(env: Record<string, string>, timeoutMs = 20_000, args: string[] = []): Promise<StartedCli> {
  const child = spawnCli(['start', ...args], env);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookline start did not listen in time:\n${out}`));
    }, timeoutMs);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)|is running/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? '');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hookline start exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The environment of a `hookline start` process in a test: its data folder's database and key, a free port, the test key, quick polling, and the test receiver reachable. */
export function processEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOOKLINE_DATABASE: testDatabase(dir),
    HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'),
    HOOKLINE_PORT: '0',
    HOOKLINE_API_KEY: TEST_API_KEY,
    HOOKLINE_RATE_LIMIT: '10000',
    HOOKLINE_LOG_LEVEL: 'warn',
    HOOKLINE_POLL_INTERVAL_MS: '100',
    ...receiverEnv(),
    ...extra,
  };
}
