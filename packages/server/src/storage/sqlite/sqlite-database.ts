import Database from 'better-sqlite3';
import { pendingMigrations } from '../shared/migration.ts';
import { SqliteGroupCommit, type SqliteWork } from './sqlite-group-commit.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface SqliteOptions {
  /** A file path; WAL needs a file, so ":memory:" is refused. */
  readonly path: string;
  /** FULL (the default) makes every commit durable; NORMAL may lose the last commits. */
  readonly synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before failing. */
  readonly busyTimeoutMs?: number;
  /** The most write transactions committed together by one COMMIT (group commit). */
  readonly groupCommitUnitsMax?: number;
}

export const sqliteDefaults = {
  synchronous: 'FULL',
  busyTimeoutMs: 10_000,
  // A ledger unit (reserve or commit of a 3-level chain) costs about 0.3 ms of CPU on a 2-core
  // machine of the benchmark's kind: 32 units bound the wait of the first unit of a full batch
  // to about 10 ms (the p99 objective), and spread the COMMIT (0.5-1 ms with its fsync) to a few
  // percent of a unit, so larger batches gain little and cost latency.
  groupCommitUnitsMax: 32,
} as const;

interface Reader {
  readonly connection: Database.Database;
  readonly begin: Database.Statement;
  readonly commit: Database.Statement;
  readonly rollback: Database.Statement;
}

/**
 * One better-sqlite3 connection of one process. Transactions are serialized in the process by
 * a queue (the port is async, the driver is not, and one connection can hold only one
 * transaction), and the write transactions waiting in it are committed together (group commit,
 * see SqliteGroupCommit). Across processes, `BEGIN IMMEDIATE` takes the database's write lock
 * at once, so a writer never upgrades a read lock and SQLite's busy handler is enough.
 */
export class SqliteDatabase {
  readonly connection: Database.Database;
  readonly #groupCommit: SqliteGroupCommit;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  /** A second connection for read-only transactions, opened on the first one. */
  #reader: Reader | null = null;
  #readQueue: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteOptions) {
    if (options.path === ':memory:' || options.path === '') {
      throw new Error('the SQLite ledger needs a file path (WAL)');
    }
    this.#path = options.path;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? sqliteDefaults.busyTimeoutMs;
    this.connection = new Database(options.path, { timeout: this.#busyTimeoutMs });
    this.connection.defaultSafeIntegers(true);
    this.connection.pragma('journal_mode = WAL');
    this.connection.pragma(`synchronous = ${options.synchronous ?? sqliteDefaults.synchronous}`);
    this.connection.pragma('foreign_keys = ON');
    this.#groupCommit = new SqliteGroupCommit(this.connection, { unitsMax:
      options.groupCommitUnitsMax ?? sqliteDefaults.groupCommitUnitsMax });
  }

  /**
   * Runs `work` in one transaction: its writes are kept when it resolves and undone when it
   * throws. It settles only after the COMMIT of its batch, so a resolved write is durable.
   * `work` must not call `transaction` (transactions do not nest: it would wait for itself).
   * A read-only transaction runs on a connection of its own and sees the last commit: in WAL
   * mode readers never wait for the writer, so reads neither wait behind a batch's fsync nor
   * cut the writer's batches short.
   */
  transaction<T>(
    work: SqliteWork<T>,
    options: { readOnly?: boolean } = {},
  ): Promise<T> {
    if (options.readOnly === true) return this.#read(work);
    return this.#groupCommit.submit(work, { readOnly: false });
  }

  /** Read-only transactions, one at a time on the reader connection. */
  #read<T>(work: SqliteWork<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const reader = this.#readerConnection();
      reader.begin.run();
      try {
        const value = await work(reader.connection);
        reader.commit.run();
        return value;
      } catch (error) {
        if (reader.connection.inTransaction) reader.rollback.run();
        throw error;
      }
    };
    const result = this.#readQueue.then(run, run);
    this.#readQueue = result.catch(() => undefined);
    return result;
  }

  #readerConnection(): Reader {
    if (this.#reader !== null) return this.#reader;
    const connection = new Database(this.#path, { timeout: this.#busyTimeoutMs });
    connection.defaultSafeIntegers(true);
    connection.pragma('query_only = ON');
    this.#reader = { connection, begin: connection.prepare('BEGIN DEFERRED'),
      commit: connection.prepare('COMMIT'), rollback: connection.prepare('ROLLBACK') };
    return this.#reader;
  }

  /** Brings the schema to the latest version; safe to run from several processes at once. */
  migrate(): number {
    this.connection.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL) STRICT`);
    const apply = this.connection.transaction(() => {
      const rows = this.connection.prepare('SELECT version FROM schema_migrations').all() as
        Array<{ version: bigint }>;
      const todo = pendingMigrations(sqliteMigrations, new Set(rows.map((row) =>
        Number(row.version))));
      for (const migration of todo) {
        this.connection.exec(migration.sql);
        this.connection.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)')
          .run(migration.version, migration.name, Date.now());
      }
      return todo.length;
    });
    return apply.immediate();
  }

  async close(): Promise<void> {
    await this.#groupCommit.idle();
    await this.#readQueue;
    this.#reader?.connection.close();
    this.connection.close();
  }
}
