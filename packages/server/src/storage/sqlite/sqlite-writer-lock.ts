import Database from 'better-sqlite3';

/** A held writer lock: release it when the process stops writing. */
export interface SqliteWriterLock {
  release(): void;
}

/**
 * The charging engine decides in memory, so only one process may write a SQLite database:
 * two would each believe their own balances. This lock is an exclusive SQLite transaction,
 * held open on a small file beside the database for as long as the process writes; the
 * operating system drops it when the process ends, however it ends (kill -9 included), so a
 * restart never finds a stale lock. A second process gets a clear error instead of a second
 * ledger.
 */
export function takeSqliteWriterLock(databasePath: string): SqliteWriterLock {
  const path = `${databasePath}.writer-lock`;
  const connection = new Database(path, { timeout: 0 });
  try {
    connection.pragma('locking_mode = EXCLUSIVE');
    connection.exec('CREATE TABLE IF NOT EXISTS writer (id INTEGER PRIMARY KEY)');
    connection.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    connection.close();
    throw new Error(`another Tollgate process writes ${databasePath} (its lock ${path} is ` +
      'held): stop it first, or give each process a database of its own', { cause: error });
  }
  return {
    release: () => {
      if (!connection.open) return;
      connection.exec('ROLLBACK');
      connection.close();
    },
  };
}
