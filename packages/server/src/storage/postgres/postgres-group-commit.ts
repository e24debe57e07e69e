import type pg from 'pg';
import { assert } from '@tollgate/core';
import { closeUnit, flushPendingWrites, openUnit } from './postgres-pending-writes.ts';
import {
  settleCommitted,
  settleFailed,
  type DoneUnit as SharedDoneUnit,
  type UnitOutcome,
} from '../shared/group-commit-units.ts';

/** A unit of work runs over the client inside a transaction it does not own. */
export type PostgresWork<T> = (client: pg.PoolClient) => Promise<T>;

export interface PostgresGroupCommitOptions {
  readonly unitsMax: number;
  /** Batches running at once, each on its own pooled connection. */
  readonly batchesMax: number;
  /** lock_timeout of the units that run after the batch kept a unit (see the class comment). */
  readonly lockWaitMsMax: number;
  /** Runs of one unit that meets a conflict another run can clear. */
  readonly attemptsMax: number;
  readonly isRetryable: (error: unknown) => boolean;
}

/**
 * A batch keeps a subtransaction XID per kept unit, and PostgreSQL caches only 64 of them per
 * backend (PGPROC_MAX_CACHED_SUBXIDS): past that, every snapshot in the cluster takes the slow
 * pg_subtrans path. A batch therefore never holds more units than that.
 */
export const postgresSubtransactionsCachedMax = 64;

const lockNotAvailable = '55P03';

interface PendingUnit {
  readonly work: PostgresWork<unknown>;
  readonly attempt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type DoneUnit = SharedDoneUnit<PendingUnit>;

/** What a batch did with its units: the settled ones, and the ones for the next batch. */
interface BatchState {
  readonly done: DoneUnit[];
  readonly deferred: PendingUnit[];
  /** The unit between its start and its placement in `done` or `deferred`. */
  current: PendingUnit | null;
  kept: number;
}

/**
 * Group commit for the write transactions of one process: the units queued while a batch runs
 * share one transaction on one pooled connection, each inside a SAVEPOINT (a unit that throws
 * is rolled back alone), and one COMMIT makes them all durable. No promise settles before that
 * COMMIT; if it fails, every unit of the batch rejects with its error.
 *
 * Deadlocks: one unit locks its accounts in the global order, but a batch is a union of units,
 * so its locks are not in that order. The rule that keeps transactions free of deadlocks is
 * therefore: a transaction may wait for a lock only while it holds no lock of kept work. The
 * first unit a batch keeps ran with the default lock_timeout, like a transaction of its own;
 * every unit after it runs with lock_timeout = lockWaitMsMax, and one that times out is rolled
 * back to its savepoint and runs first in the next batch (where it may wait). A unit that fails
 * with a retryable error (a unique key raced by a twin, a TransactionConflictError) also runs
 * again in the next batch, up to attemptsMax runs, as a whole transaction used to be rerun.
 */
export class PostgresGroupCommit {
  readonly #pool: pg.Pool;
  readonly #options: PostgresGroupCommitOptions;
  readonly #queue: PendingUnit[] = [];
  readonly #drains = new Set<Promise<void>>();
  /** Drains running; counted down in the same step as their last look at the queue. */
  #running = 0;
  /** Batches running a unit before they kept any: only those may be waiting for a lock. */
  #leading = 0;

  constructor(pool: pg.Pool, options: PostgresGroupCommitOptions) {
    assert(Number.isSafeInteger(options.unitsMax) && options.unitsMax >= 1 &&
      options.unitsMax <= postgresSubtransactionsCachedMax, 'a batch holds 1..64 units');
    assert(Number.isSafeInteger(options.batchesMax) && options.batchesMax >= 1,
      'one batch at least runs');
    assert(Number.isSafeInteger(options.lockWaitMsMax) && options.lockWaitMsMax >= 1,
      'lock_timeout 0 would mean no timeout at all');
    assert(options.attemptsMax >= 1, 'a unit runs at least once');
    this.#pool = pool;
    this.#options = options;
  }

  /**
   * Queues `work`; it settles once its batch has committed (or failed). Another batch starts
   * only while every running batch is still on its first unit (batchesMax at most): a batch
   * whose first unit waits for a lock, up to the statement timeout, then does not hold up the
   * writes of the process that do not need that lock, and batches stay whole otherwise.
   */
  submit<T>(work: PostgresWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, attempt: 1, reject, resolve: resolve as (value: unknown) => void });
      if (this.#running >= this.#options.batchesMax || this.#leading < this.#running) return;
      this.#running += 1;
      // Started in a microtask: submissions of the same tick share the first batch.
      const drain = Promise.resolve().then(() => this.#drain());
      this.#drains.add(drain);
      const forget = (): void => {
        this.#drains.delete(drain);
      };
      drain.then(forget, forget);
    });
  }

  /** Resolves once every submitted unit has settled. */
  async idle(): Promise<void> {
    while (this.#drains.size > 0) await Promise.allSettled([...this.#drains]);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#runBatch();
    } finally {
      // In the same synchronous step as the last look at the queue: a unit queued after it
      // sees one drain fewer and starts its own.
      this.#running -= 1;
    }
  }

  async #runBatch(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      this.#rejectHead(error);
      return;
    }
    let broken = true;
    try {
      broken = await this.#runBatchOn(client);
    } finally {
      client.release(broken);
    }
  }

  /** Runs one batch on `client`; true when the connection must be discarded. */
  async #runBatchOn(client: pg.PoolClient): Promise<boolean> {
    try {
      await client.query('BEGIN; SAVEPOINT unit');
    } catch (error) {
      this.#rejectHead(error);
      return !(await rollback(client));
    }
    const state: BatchState = { done: [], deferred: [], current: null, kept: 0 };
    try {
      await this.#runUnits(client, state);
    } catch (error) {
      // A savepoint command failed: the connection is in an unknown state, the batch is lost.
      const intact = await rollback(client);
      const lost = new Error('the batch was rolled back', { cause: error });
      settleFailed(state.done, lost);
      state.current?.reject(lost);
      this.#queue.unshift(...state.deferred);
      return !intact;
    }
    const intact = await this.#commit(client, state.done);
    this.#queue.unshift(...state.deferred);
    return !intact;
  }

  async #runUnits(client: pg.PoolClient, state: BatchState): Promise<void> {
    let ran = 0;
    for (let unit = this.#queue.shift(); unit !== undefined;) {
      ran += 1;
      state.current = unit;
      const leading = state.kept === 0;
      if (leading) this.#leading += 1;
      const outcome = await runUnit(client, unit).finally(() => {
        if (leading) this.#leading -= 1;
      });
      const more = ran < this.#options.unitsMax && this.#queue.length > 0;
      if (outcome.ok) {
        state.kept += 1;
        state.current = null;
        state.done.push({ unit, outcome });
        if (!more) return;
        // From now on the batch holds locks of kept work: later units must not wait long.
        const limit = state.kept === 1
          ? `SET LOCAL lock_timeout = ${this.#options.lockWaitMsMax}; ` : '';
        await client.query(`RELEASE SAVEPOINT unit; ${limit}SAVEPOINT unit`);
      } else {
        // The savepoint stays defined after ROLLBACK TO, ready for the next unit.
        await client.query('ROLLBACK TO SAVEPOINT unit');
        state.current = null;
        this.#placeFailed(unit, outcome.error, state);
        if (!more) return;
      }
      unit = this.#queue.shift();
    }
  }

  #placeFailed(unit: PendingUnit, error: unknown, state: BatchState): void {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === lockNotAvailable && state.kept > 0) {
      state.deferred.push(unit);
    } else if (unit.attempt < this.#options.attemptsMax && this.#options.isRetryable(error)) {
      state.deferred.push({ ...unit, attempt: unit.attempt + 1 });
    } else {
      state.done.push({ unit, outcome: { ok: false, error } });
    }
  }

  /** Commits and settles the batch; false when the connection is no longer usable. */
  async #commit(client: pg.PoolClient, done: readonly DoneUnit[]): Promise<boolean> {
    assert(done.length <= this.#options.unitsMax, 'a batch holds at most unitsMax units');
    try {
      await client.query('COMMIT');
    } catch (error) {
      const intact = await rollback(client);
      settleFailed(done, error);
      return intact;
    }
    settleCommitted(done);
    return true;
  }

  /** Fails the units that would have formed a batch that could not start. */
  #rejectHead(error: unknown): void {
    for (const unit of this.#queue.splice(0, this.#options.unitsMax)) unit.reject(error);
  }
}

/** Runs one unit; its held writes are sent inside its savepoint, so they fail with it. */
async function runUnit(client: pg.PoolClient, unit: PendingUnit): Promise<UnitOutcome> {
  openUnit(client);
  try {
    const value = await unit.work(client);
    await flushPendingWrites(client);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  } finally {
    closeUnit(client);
  }
}

/** Rolls back; false when the connection is unusable and must be discarded. */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
