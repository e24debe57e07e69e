import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { CompactedBatch } from '@tollgate/core';
import type { SqliteSynchronous } from './sqlite-database.ts';

export interface BatchWorkerData {
  readonly path: string;
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
}

/**
 * The batch travels as the bytes of `v8.serialize`, whose buffer is handed over to the worker
 * rather than copied: serializing once on the event loop costs about a third of what
 * postMessage's own structured clone of the batch's many small objects did (measured on
 * batches of ~40 requests), and the event loop is what bounds a node.
 */
export interface BatchRequest {
  readonly id: number;
  readonly batchBytes: Uint8Array;
}

export interface BatchReply {
  readonly id: number;
  readonly outcome: { readonly ok: true } | { readonly ok: false; readonly message: string };
}

/**
 * The compiled worker: from the sources (tests run TypeScript), the build's copy in `dist`,
 * which the test command builds first; a worker thread cannot load TypeScript itself.
 */
function workerUrl(): URL {
  const here = new URL('./sqlite-batch-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  return new URL(here.href.replace('/src/storage/sqlite/', '/dist/storage/sqlite/'));
}

/**
 * Writes the engine's compacted batches on a worker thread with a connection of its own, so
 * that neither the statements nor the fsync of a COMMIT block the event loop. One batch at a
 * time (the committer never sends the next before this one settled); a batch settles only
 * after its COMMIT returned in the worker.
 */
export class SqliteBatchWriter {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(): void; reject(error: Error): void }>();
  #nextId = 1;
  #exited: Error | null = null;

  constructor(data: BatchWorkerData) {
    this.#worker = new Worker(workerUrl(), { workerData: data });
    this.#worker.on('message', (reply: BatchReply) => {
      const waiter = this.#waiting.get(reply.id);
      if (waiter === undefined) return;
      this.#waiting.delete(reply.id);
      if (reply.outcome.ok) waiter.resolve();
      else waiter.reject(new Error(`the batch was not stored: ${reply.outcome.message}`));
    });
    const fail = (error: Error) => {
      this.#exited = error;
      for (const waiter of this.#waiting.values()) waiter.reject(error);
      this.#waiting.clear();
    };
    this.#worker.on('error', (error) => fail(error));
    this.#worker.on('exit', (code) => fail(new Error(`the batch writer exited (${code})`)));
  }

  append(batch: CompactedBatch): Promise<void> {
    if (this.#exited !== null) return Promise.reject(this.#exited);
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      const batchBytes = serialize(batch);
      // A buffer that owns its whole allocation can be handed over; a pooled slice is copied.
      const whole = batchBytes.byteOffset === 0 &&
        batchBytes.byteLength === batchBytes.buffer.byteLength;
      this.#worker.postMessage({ id, batchBytes } satisfies BatchRequest,
        whole ? [batchBytes.buffer] : []);
    });
  }

  async close(): Promise<void> {
    if (this.#exited !== null) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage('close');
    await exited;
  }
}
