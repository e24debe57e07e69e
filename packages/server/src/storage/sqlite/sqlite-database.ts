import Database from 'better-sqlite3';
import { pendingMigrations } from '../shared/migration.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface SqliteOptions {
  /** A file path; WAL needs a file, so ":memory:" is refused. */
  readonly path: string;
  /** FULL (the default) makes every commit durable; NORMAL may lose the last commits. */
  readonly synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before failing. */
  readonly busyTimeoutMs?: number;
}

export const sqliteDefaults = { synchronous: 'FULL', busyTimeoutMs: 10_000 } as const;

/**
 * One better-sqlite3 connection of one process. Transactions are serialized in the process by a
 * promise chain (the port is async, the driver is not, and one connection can hold only one
 * transaction); across processes, `BEGIN IMMEDIATE` takes the database's write lock at once,
 * so a writer never upgrades a read lock and SQLite's busy handler is enough.
 */
export class SqliteDatabase {
  readonly connection: Database.Database;
  #queue: Promise<unknown> = Promise.resolve();
  #inTransaction = false;

  constructor(options: SqliteOptions) {
    if (options.path === ':memory:' || options.path === '') {
      throw new Error('the SQLite ledger needs a file path (WAL)');
    }
    this.connection = new Database(options.path, { timeout: options.busyTimeoutMs ??
      sqliteDefaults.busyTimeoutMs });
    this.connection.defaultSafeIntegers(true);
    this.connection.pragma('journal_mode = WAL');
    this.connection.pragma(`synchronous = ${options.synchronous ?? sqliteDefaults.synchronous}`);
    this.connection.pragma('foreign_keys = ON');
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(
    work: (connection: Database.Database) => Promise<T>,
    options: { readOnly?: boolean } = {},
  ): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.#inTransaction) throw new Error('SQLite transactions do not nest');
      this.#inTransaction = true;
      this.connection.exec(options.readOnly === true ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
      try {
        const result = await work(this.connection);
        this.connection.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
        throw error;
      } finally {
        this.#inTransaction = false;
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
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
    await this.#queue;
    this.connection.close();
  }
}
