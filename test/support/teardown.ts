// Tear-down for tests that start processes, contexts, proxies and receivers: after each test the
// processes are SIGKILLed, then everything else is closed, the last started first.
import { afterEach } from 'vitest';
import type { StartedCli } from './cli.js';

export interface Started {
  /** Processes the test started: killed after it. */
  procs: StartedCli[];
  /** Closes `thing` with `close` after the test; returns `thing`. */
  closeLater<T>(thing: T, close: (thing: T) => unknown): T;
}

export function stopStartedAfterEach(): Started {
  const procs: StartedCli[] = [];
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) p.child.kill('SIGKILL');
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    procs,
    closeLater(thing, close) {
      closers.push(() => close(thing));
      return thing;
    },
  };
}
