// WAL checkpoints off the event loop. A checkpoint copies the write-ahead log's pages into the
// database file and syncs both files to disk; run by SQLite inside a commit (wal_autocheckpoint),
// it held the event loop for that long: about 7 % of the delivery benchmark's throughput phase,
// most of it waiting on fsync. Here a worker thread with a connection of its own runs a PASSIVE
// checkpoint (it waits for no reader or writer; the process's connection goes on committing
// meanwhile) a few times a second; one with nothing to copy costs a lock and returns. The
// process's connection keeps an automatic checkpoint at a larger size as a backstop, should the
// thread ever fall behind, and back at its usual size should the thread fail.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread checkpoints. */
const CHECKPOINT_EVERY_MS = 200;

// CommonJS run by the worker (eval: no file to find, from source or from dist alike). A checkpoint
// that fails (the file busy, say) is tried again at the next tick.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  close(): Promise<void>;
}

/** `onLost`: the thread stopped without close() being asked (it failed): the opener checkpoints itself again. */
export function startCheckpointer(file: string, onLost: () => void, everyMs = CHECKPOINT_EVERY_MS): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, module, everyMs } });
  worker.unref(); // never what keeps the process alive
  let closing = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!closing) onLost();
      resolve();
    }),
  );
  worker.on('error', () => {}); // it exits, and onLost says so
  return {
    close: async () => {
      closing = true;
      worker.ref(); // held until it has closed its connection
      worker.postMessage('close');
      await exited;
    },
  };
}
