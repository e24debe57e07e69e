import { Worker } from 'node:worker_threads';
import type {
  DeckImportCode,
  Problem,
  RateDeckImage,
  RateDeckSettings,
  Success,
  TimeBandSet,
} from '@tollgate/core';

export interface DeckParseJob {
  readonly csvText: string;
  readonly settings: RateDeckSettings;
  readonly bands: TimeBandSet | null;
  /** The deck's row bound (a tenant's limit, or the core's for the operator and loads). */
  readonly rowsMax: number;
}

export interface DeckParseRequest extends DeckParseJob {
  readonly id: number;
}

export type DeckParseOutcome = Success<RateDeckImage> | Problem<DeckImportCode>;

export interface DeckParseReply {
  readonly id: number;
  readonly outcome: DeckParseOutcome | Problem<'crashed'>;
}

/**
 * Why a job waits: a stored deck that calls need now (after a restart or an eviction), or an
 * upload. Loads go first, so an upload queue never delays pricing a call.
 */
export type DeckParsePurpose = 'load' | 'upload';

export const deckImportThreadLimits = {
  /**
   * Loads waiting at once. Each is a distinct stored deck that calls are waiting for (the
   * catalog shares one load per deck), so this is never reached below that many decks.
   */
  loadsQueuedMax: 1_000,
  /**
   * The worker's heap. The largest deck the core accepts (2,000,000 rows) needs about 900 MB
   * while it is parsed and indexed; a worker that runs out dies alone, not the server.
   */
  heapMebibytesMax: 1_536,
} as const;

/**
 * The compiled worker: from the sources (tests run TypeScript), the build's copy in `dist`,
 * which the test command builds first; a worker thread cannot load TypeScript itself.
 */
function workerUrl(): URL {
  const here = new URL('./deck-import-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  return new URL(here.href.replace('/src/decks/', '/dist/decks/'));
}

interface QueuedJob {
  readonly job: DeckParseJob;
  resolve(outcome: DeckParseOutcome): void;
  reject(error: Error): void;
}

/**
 * Parses decks on one worker thread, one at a time, so the event loop only waits for the
 * answer. Jobs wait in two bounded queues (loads first); an upload finding `uploadsQueuedMax`
 * uploads already waiting is refused with 'busy' at once, so a burst of uploads cannot pile
 * up CSV texts in memory. The worker starts for a job and stops once no job waits: the heap
 * of parsing a million-row deck (about 400 MB) would otherwise stay with an idle thread until
 * its next job, and a thread starts in tens of milliseconds, against seconds of parsing. It
 * does not keep the process alive, and a job it had when it died fails.
 */
export class DeckImportThread {
  readonly #uploadsQueuedMax: number;
  readonly #loads: QueuedJob[] = [];
  readonly #uploads: QueuedJob[] = [];
  #worker: Worker | null = null;
  #running: (QueuedJob & { readonly id: number }) | null = null;
  #nextId = 1;
  #closed = false;
  /** Jobs the worker finished; tests read it to see that a deck was parsed off the loop. */
  parsedCount = 0;

  constructor(options: { readonly uploadsQueuedMax: number }) {
    this.#uploadsQueuedMax = options.uploadsQueuedMax;
  }

  parse(job: DeckParseJob, purpose: DeckParsePurpose): Promise<DeckParseOutcome | 'busy'> {
    if (this.#closed) return Promise.reject(new Error('the deck import thread is closed'));
    const queue = purpose === 'load' ? this.#loads : this.#uploads;
    const queuedMax = purpose === 'load' ? deckImportThreadLimits.loadsQueuedMax
      : this.#uploadsQueuedMax;
    // The running job is not waiting: an idle thread takes an upload even with a 0 bound.
    if (queue.length >= queuedMax && (this.#running !== null || queue.length > 0)) {
      return Promise.resolve('busy');
    }
    return new Promise<DeckParseOutcome>((resolve, reject) => {
      queue.push({ job, resolve, reject });
      this.#pump();
    });
  }

  /** Jobs waiting (not the one running). */
  queuedCount(): number {
    return this.#loads.length + this.#uploads.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const failure = new Error('the deck import thread closed');
    for (const queued of [...this.#loads.splice(0), ...this.#uploads.splice(0)]) {
      queued.reject(failure);
    }
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null) await worker.terminate();
  }

  #pump(): void {
    if (this.#running !== null || this.#closed) return;
    const next = this.#loads.shift() ?? this.#uploads.shift();
    if (next === undefined) {
      this.#retire();
      return;
    }
    const id = this.#nextId;
    this.#nextId += 1;
    this.#running = { ...next, id };
    this.#workerNow().postMessage({ ...next.job, id } satisfies DeckParseRequest);
  }

  #workerNow(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = new Worker(workerUrl(), { resourceLimits: {
      maxOldGenerationSizeMb: deckImportThreadLimits.heapMebibytesMax } });
    worker.unref();
    worker.on('message', (reply: DeckParseReply) => this.#settle(reply));
    worker.on('error', (error) => this.#fail(worker, error));
    worker.on('exit', (code) => this.#fail(worker,
      new Error(`the deck import worker exited (${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: DeckParseReply): void {
    const running = this.#running;
    if (running === null || running.id !== reply.id) return;
    this.#running = null;
    this.parsedCount += 1;
    const { outcome } = reply;
    if (!outcome.ok && outcome.code === 'crashed') {
      running.reject(new Error(`the deck import worker failed: ${outcome.message}`));
    } else {
      running.resolve(outcome as DeckParseOutcome);
    }
    this.#pump();
  }

  /** Stops an idle worker, so that its heap goes with it. */
  #retire(): void {
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null) void worker.terminate();
  }

  /** The worker died: its job fails, and the next job starts a new worker. */
  #fail(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    const running = this.#running;
    this.#running = null;
    running?.reject(error);
    this.#pump();
  }
}
