import { assert } from '../kernel/assert.ts';
import type { EngineRecord } from './engine-records.ts';

interface Batch {
  readonly seq: number;
  readonly records: EngineRecord[];
  decisions: number;
  readonly durable: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export interface CommitterOptions {
  /** Stores one batch in one durable commit. */
  readonly append: (records: readonly EngineRecord[]) => Promise<void>;
  /** Decisions per batch at most; the next decision opens the next batch. */
  readonly decisionsPerBatchMax: number;
  /** After a batch is durable (its sequence number), or after one failed (the error). */
  readonly onDurable: (seq: number, decisions: number, records: number, ms: number) => void;
  readonly onFailed: (error: unknown) => void;
  readonly nowMs: () => number;
  /** Resolves after the event loop has polled for I/O once more (the shell's setImmediate). */
  readonly nextTurn: () => Promise<void>;
}

/**
 * Group commit of the engine's journal. Decisions append their records to the open batch; one
 * batch is written at a time, in order, and while it is written the next one fills. A batch
 * settles every decision in it at once: resolved after its commit, or rejected with its error.
 * A failed batch fails every batch after it too (their decisions were taken on top of it), and
 * the engine then rebuilds its memory from storage (`onFailed`).
 */
export class BatchCommitter {
  readonly #options: CommitterOptions;
  readonly #waiting: Batch[] = [];
  #open: Batch | null = null;
  /** The batch being written now: a barrier must wait for it too, and fail with it. */
  #inFlight: Batch | null = null;
  #writing: Promise<void> | null = null;
  #nextSeq = 1;

  constructor(options: CommitterOptions) {
    assert(Number.isSafeInteger(options.decisionsPerBatchMax) &&
      options.decisionsPerBatchMax >= 1, 'a batch holds one decision or more');
    this.#options = options;
  }

  /** Adds one decision's records; resolves when they are durable. Returns the batch's seq. */
  append(records: readonly EngineRecord[]): { seq: number; durable: Promise<void> } {
    assert(records.length > 0, 'a decision that changed nothing waits on a barrier');
    const batch = this.#openBatch();
    for (const record of records) batch.records.push(record);
    batch.decisions += 1;
    if (batch.decisions >= this.#options.decisionsPerBatchMax) this.#seal();
    this.#startWriting();
    return { seq: batch.seq, durable: batch.durable };
  }

  /** Resolves when everything appended so far is durable (rejects if any of it failed). */
  barrier(): Promise<void> {
    const last = this.#open ?? this.#waiting.at(-1) ?? this.#inFlight;
    return last === null ? Promise.resolve() : last.durable;
  }

  /** Resolves once nothing is waiting to be written, whatever the outcome. */
  async idle(): Promise<void> {
    while (this.#writing !== null) await this.#writing;
  }

  /** Decisions appended and not yet durable. */
  get pendingBatches(): number {
    return this.#waiting.length + (this.#open === null ? 0 : 1);
  }

  #openBatch(): Batch {
    if (this.#open !== null) return this.#open;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const durable = new Promise<void>((done, fail) => {
      resolve = done;
      reject = fail;
    });
    // A batch that fails may have no decision left listening (each decision awaits its own).
    durable.catch(() => undefined);
    this.#open = { seq: this.#nextSeq, records: [], decisions: 0, durable, resolve, reject };
    this.#nextSeq += 1;
    return this.#open;
  }

  #seal(): void {
    if (this.#open === null) return;
    this.#waiting.push(this.#open);
    this.#open = null;
  }

  #startWriting(): void {
    // Started on the next turn, so every request parsed in this turn joins the batch.
    this.#writing ??= this.#options.nextTurn().then(() => this.#writeAll()).finally(() => {
      this.#writing = null;
      if (this.pendingBatches > 0) this.#startWriting();
    });
  }

  async #writeAll(): Promise<void> {
    for (;;) {
      this.#seal();
      const batch = this.#waiting.shift();
      if (batch === undefined) return;
      const startedMs = this.#options.nowMs();
      this.#inFlight = batch;
      try {
        await this.#options.append(batch.records);
      } catch (error) {
        this.#failFrom(batch, error);
        return;
      } finally {
        this.#inFlight = null;
      }
      batch.resolve();
      this.#options.onDurable(batch.seq, batch.decisions, batch.records.length,
        this.#options.nowMs() - startedMs);
      // The commit may have blocked the event loop (SQLite); let arrived requests join.
      await this.#options.nextTurn();
    }
  }

  #failFrom(failed: Batch, error: unknown): void {
    this.#seal();
    const dropped = [failed, ...this.#waiting.splice(0)];
    for (const batch of dropped) {
      batch.reject(new Error('the charging journal could not be stored', { cause: error }));
    }
    this.#options.onFailed(error);
  }
}
