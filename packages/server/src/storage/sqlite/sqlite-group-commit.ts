import type Database from 'better-sqlite3';
import { assert } from '@tollgate/core';
import {
  settleCommitted,
  settleFailed,
  type DoneUnit as SharedDoneUnit,
  type UnitOutcome,
} from '../shared/group-commit-units.ts';

/** Resolves after the event loop has polled for I/O once more. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A unit of work runs over the connection inside a transaction it does not own. */
export type SqliteWork<T> = (connection: Database.Database) => Promise<T>;

interface PendingUnit {
  readonly work: SqliteWork<unknown>;
  readonly readOnly: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type DoneUnit = SharedDoneUnit<PendingUnit>;

const statementTexts = {
  beginImmediate: 'BEGIN IMMEDIATE',
  beginDeferred: 'BEGIN DEFERRED',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  savepoint: 'SAVEPOINT unit',
  release: 'RELEASE unit',
  rollbackTo: 'ROLLBACK TO unit',
} as const;

type ControlStatements = { [Name in keyof typeof statementTexts]: Database.Statement };

/**
 * Group commit over one better-sqlite3 connection. Write transactions queued while a batch runs
 * join it: the batch is one BEGIN IMMEDIATE ... COMMIT, so one WAL fsync (synchronous FULL)
 * makes every unit in it durable, and each unit runs inside its own SAVEPOINT, so a unit that
 * throws is rolled back alone. No promise settles before the COMMIT: a unit's result, and even
 * its refusal, may depend on what earlier units of the batch wrote, so if the COMMIT fails every
 * unit of the batch rejects with that error. Units run one after the other, each awaited to the
 * end before the next starts, so a unit may await anything; a unit must not open a transaction
 * itself (it would wait behind itself, as it always did).
 */
export class SqliteGroupCommit {
  readonly #connection: Database.Database;
  readonly #unitsMax: number;
  readonly #statements: ControlStatements;
  readonly #queue: PendingUnit[] = [];
  #draining: Promise<void> | null = null;

  constructor(connection: Database.Database, options: { unitsMax: number }) {
    assert(Number.isSafeInteger(options.unitsMax) && options.unitsMax >= 1,
      'a batch holds one unit or more');
    this.#connection = connection;
    this.#unitsMax = options.unitsMax;
    const entries = Object.entries(statementTexts)
      .map(([name, text]) => [name, connection.prepare(text)]);
    this.#statements = Object.fromEntries(entries) as ControlStatements;
  }

  /** Queues `work`; it settles once its batch has committed (or failed). */
  submit<T>(work: SqliteWork<T>, options: { readOnly: boolean }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, readOnly: options.readOnly, reject,
        resolve: resolve as (value: unknown) => void });
      // Started on the next turn of the event loop, never inside the caller's call: work never
      // runs before `transaction` has returned, and every request that arrived in this turn
      // (an HTTP server parses many sockets per turn) submits first and joins the batch.
      this.#draining ??= nextTurn().then(() => this.#drain());
    });
  }

  /** Resolves once every submitted unit has settled. */
  async idle(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      for (let head = this.#queue[0]; head !== undefined; head = this.#queue[0]) {
        if (head.readOnly) {
          this.#queue.shift();
          await this.#runReadOnly(head);
        } else {
          await this.#runBatch();
          // The COMMIT blocked the event loop; let the requests that arrived meanwhile be
          // parsed and submitted, so they share the next batch instead of one each.
          await nextTurn();
        }
      }
    } finally {
      this.#draining = null;
    }
  }

  /** The next queued write unit, if the batch may take it; read-only units end a batch. */
  #takeWriteUnit(): PendingUnit | undefined {
    const head = this.#queue[0];
    if (head === undefined || head.readOnly) return undefined;
    return this.#queue.shift();
  }

  async #runBatch(): Promise<void> {
    assert(!this.#connection.inTransaction, 'a batch starts outside any transaction');
    const s = this.#statements;
    try {
      s.beginImmediate.run();
    } catch (error) {
      // Busy past the timeout (another process holds the write lock): the units that would
      // have formed this batch fail as a transaction of their own would have.
      for (let count = 0; count < this.#unitsMax; count += 1) {
        const unit = this.#takeWriteUnit();
        if (unit === undefined) break;
        unit.reject(error);
      }
      return;
    }
    const done: DoneUnit[] = [];
    for (let unit = this.#takeWriteUnit(); unit !== undefined;
      unit = done.length < this.#unitsMax ? this.#takeWriteUnit() : undefined) {
      const outcome = await this.#runUnit(unit);
      if (!this.#connection.inTransaction) {
        // SQLite rolled the whole transaction back (I/O error, disk full, or a unit that ended
        // the transaction itself): nothing of this batch is stored.
        const error = outcome.ok ? new Error('a unit of work ended the transaction') :
          outcome.error;
        settleFailed(done, new Error('the batch was rolled back', { cause: error }));
        unit.reject(error);
        return;
      }
      done.push({ unit, outcome });
    }
    assert(done.length >= 1 && done.length <= this.#unitsMax, 'a batch holds 1..max units');
    this.#commit(done);
  }

  async #runUnit(unit: PendingUnit): Promise<UnitOutcome> {
    const s = this.#statements;
    s.savepoint.run();
    try {
      const value = await unit.work(this.#connection);
      s.release.run();
      return { ok: true, value };
    } catch (error) {
      if (this.#connection.inTransaction) {
        try {
          s.rollbackTo.run();
          s.release.run();
        } catch (rollbackError) {
          // The savepoint cannot be undone, so neither can the batch: give it up whole.
          this.#rollback();
          return { ok: false, error: new Error('a unit could not be rolled back alone',
            { cause: rollbackError }) };
        }
      }
      return { ok: false, error };
    }
  }

  #commit(done: readonly DoneUnit[]): void {
    try {
      this.#statements.commit.run();
    } catch (error) {
      this.#rollback();
      settleFailed(done, error);
      return;
    }
    settleCommitted(done);
  }

  /** A read-only transaction runs alone: it needs no write lock and no fsync to share. */
  async #runReadOnly(unit: PendingUnit): Promise<void> {
    const s = this.#statements;
    try {
      s.beginDeferred.run();
      const value = await unit.work(this.#connection);
      s.commit.run();
      unit.resolve(value);
    } catch (error) {
      this.#rollback();
      unit.reject(error);
    }
  }

  #rollback(): void {
    if (!this.#connection.inTransaction) return;
    try {
      this.#statements.rollback.run();
    } catch {
      // Nothing more can be done on this connection; the next BEGIN reports what is wrong.
    }
  }
}
