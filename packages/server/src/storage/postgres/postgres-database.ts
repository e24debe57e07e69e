import pg from 'pg';
import { TransactionConflictError } from '@tollgate/core';
import { pendingMigrations } from '../shared/migration.ts';
import { PostgresGroupCommit, type PostgresWork } from './postgres-group-commit.ts';
import { closeUnit, flushPendingWrites, openUnit } from './postgres-pending-writes.ts';
import { postgresMigrations } from './postgres-migrations.ts';

export interface PostgresOptions {
  readonly connectionString: string;
  /** The schema the tables live in (search_path); created by `migrate` when absent. */
  readonly schema?: string;
  readonly poolSize?: number;
  readonly statementTimeoutMs?: number;
  /** Attempts of one transaction that meets a deadlock, a serialization failure or a race. */
  readonly transactionAttemptsMax?: number;
  /** The most write transactions of this process committed together; 1 turns batching off. */
  readonly groupCommitUnitsMax?: number;
  /** How long a unit that joins a batch holding locks may wait for another row lock. */
  readonly groupCommitLockWaitMs?: number;
  /** Batches of this process running at once, each on its own pooled connection. */
  readonly groupCommitBatchesMax?: number;
}

export const postgresDefaults = {
  schema: 'public',
  poolSize: 10,
  statementTimeoutMs: 10_000,
  transactionAttemptsMax: 5,
  // Every chain transaction locks its admin and root rows, so the writes of an operator are
  // serial whatever the pool size, and each used to pay its COMMIT (WAL flush) under those
  // locks. 32 units share one COMMIT while staying well under the 64 subtransactions a backend
  // caches (see postgresSubtransactionsCachedMax).
  groupCommitUnitsMax: 32,
  // Long enough for a lock that is about to be released, short enough that a batch holding
  // hot rows does not make other processes wait long for a unit that will run again anyway.
  groupCommitLockWaitMs: 5,
  // Two: while one batch waits for a row lock held elsewhere, the other goes on with the writes
  // that do not need that row; on hot rows the second mostly waits its turn.
  groupCommitBatchesMax: 2,
} as const;

/** SQLSTATEs after which the whole transaction is run again. */
const retryableCodes = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected: cannot happen with the global lock order, but is cheap to handle
  '23505', // unique_violation: two transactions created the same row; the rerun sees it
]);

const int8Oid = 20;
const migrationLockKey = 7_146_021;

function isRetryable(error: unknown): boolean {
  if (error instanceof TransactionConflictError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && retryableCodes.has(code);
}

/**
 * A pg pool shared by every store of one process. Several processes may share the database:
 * they coordinate only through row locks (READ COMMITTED, SELECT ... FOR NO KEY UPDATE in the
 * global order), never through process memory. BIGINT columns are parsed to bigint.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly #attemptsMax: number;
  readonly #clientConfig: pg.ClientConfig;
  readonly #groupCommit: PostgresGroupCommit | null;

  constructor(options: PostgresOptions) {
    this.schema = options.schema ?? postgresDefaults.schema;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error('unsafe schema name');
    this.#attemptsMax = options.transactionAttemptsMax ?? postgresDefaults.transactionAttemptsMax;
    const timeoutMs = options.statementTimeoutMs ?? postgresDefaults.statementTimeoutMs;
    this.#clientConfig = {
      connectionString: options.connectionString,
      options: `-c search_path=${this.schema} -c statement_timeout=${timeoutMs}`,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === int8Oid ? (text: string) => BigInt(text)
            : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
      },
    };
    this.pool = new pg.Pool({ ...this.#clientConfig,
      max: options.poolSize ?? postgresDefaults.poolSize });
    const unitsMax = options.groupCommitUnitsMax ?? postgresDefaults.groupCommitUnitsMax;
    this.#groupCommit = unitsMax === 1 ? null : new PostgresGroupCommit(this.pool, {
      unitsMax,
      batchesMax: options.groupCommitBatchesMax ?? postgresDefaults.groupCommitBatchesMax,
      lockWaitMsMax: options.groupCommitLockWaitMs ?? postgresDefaults.groupCommitLockWaitMs,
      attemptsMax: this.#attemptsMax,
      isRetryable,
    });
  }

  /**
   * Runs `work` in one transaction, and runs it again (bounded) when it fails for a reason
   * another attempt can clear. Write transactions of this process are committed in batches
   * (PostgresGroupCommit): `work` then shares a transaction with others, inside a savepoint, and
   * settles after the batch's COMMIT. A read-only transaction runs alone on its own snapshot.
   */
  transaction<T>(
    work: PostgresWork<T>,
    options: { readOnly?: boolean } = {},
  ): Promise<T> {
    if (options.readOnly === true) {
      return this.#runAlone(work, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    }
    return this.#groupCommit === null ? this.#runAlone(work, 'BEGIN')
      : this.#groupCommit.submit(work);
  }

  /** One transaction on one pooled connection, rerun on a retryable failure. */
  async #runAlone<T>(work: PostgresWork<T>, begin: string): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let broken = false;
      openUnit(client);
      try {
        await client.query(begin);
        const result = await work(client);
        await flushPendingWrites(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = await rollback(client);
        if (attempt >= this.#attemptsMax || !isRetryable(error)) throw error;
      } finally {
        closeUnit(client);
        client.release(broken);
      }
      await new Promise((resolve) => setTimeout(resolve, attempt * Math.random() * 5));
    }
  }

  /**
   * A connection of its own, outside the pool, with the pool's settings: for a session that
   * holds session-level state (the engine's advisory locks) and must never be shared.
   */
  async connectDedicated(): Promise<pg.Client> {
    const client = new pg.Client(this.#clientConfig);
    await client.connect();
    return client;
  }

  /** Creates the schema and applies pending migrations, one process at a time. */
  async migrate(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)`);
      const applied = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations');
      const todo = pendingMigrations(postgresMigrations,
        new Set(applied.rows.map((row) => row.version)));
      for (const migration of todo) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)',
          [migration.version, migration.name, Date.now()]);
      }
      await client.query('COMMIT');
      return todo.length;
    } catch (error) {
      await rollback(client);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#groupCommit?.idle();
    await this.pool.end();
  }
}

/** Rolls back; true when the connection is unusable and must be discarded. */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return false;
  } catch {
    return true;
  }
}
