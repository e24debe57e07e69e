import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, copyFileSync }
  from 'node:fs';
import Database from 'better-sqlite3';
import { schemaVersionOf } from '../shared/migration.ts';
import { takeSqliteWriterLock } from './sqlite-writer-lock.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';

/**
 * Pages one backup step copies: all of them. SQLite restarts a step-by-step backup whenever
 * another connection writes the source, so under steady charging a backup of many small steps
 * might never finish. One step reads one snapshot (a WAL read transaction: the server's writer
 * is not blocked) and copies it whole; the backup is the database as of that instant.
 */
const pagesPerStepAll = 0x7fffffff;

export interface SqliteFileReport {
  readonly bytes: number;
  /** The newest migration applied to it. */
  readonly schemaVersion: number;
}

export type BackupResult =
  | { readonly ok: true; readonly value: SqliteFileReport }
  | { readonly ok: false; readonly code: 'target_exists' | 'source_missing' | 'backup_invalid' |
    'database_newer' | 'database_busy'; readonly message: string };

/**
 * Opens a file read-only and checks it is a Tollgate database this version knows, and with
 * `integrity` that every page of it is sound (a full read: for backups, not live databases).
 */
export function checkSqliteFile(path: string, checks: { integrity: boolean }): BackupResult {
  if (!existsSync(path)) return { ok: false, code: 'source_missing', message: `no file ${path}` };
  let connection: Database.Database | null = null;
  try {
    connection = new Database(path, { readonly: true, fileMustExist: true });
    const integrity = checks.integrity
      ? connection.pragma('integrity_check', { simple: true }) : 'ok';
    if (integrity !== 'ok') {
      return { ok: false, code: 'backup_invalid', message: `${path}: ${String(integrity)}` };
    }
    const row = connection.prepare('SELECT max(version) AS version FROM schema_migrations')
      .get() as { version: number | null } | undefined;
    const schemaVersion = row?.version ?? 0;
    if (schemaVersion > schemaVersionOf(sqliteMigrations)) {
      return { ok: false, code: 'database_newer', message: `${path} has schema version ` +
        `${schemaVersion}; this Tollgate knows up to ${schemaVersionOf(sqliteMigrations)}` };
    }
    return { ok: true, value: { bytes: statSync(path).size, schemaVersion } };
  } catch (error) {
    return { ok: false, code: 'backup_invalid',
      message: `${path} is not a Tollgate database: ${(error as Error).message}` };
  } finally {
    connection?.close();
  }
}

/**
 * An online backup of a SQLite database to a new file, while a server may be charging on it:
 * SQLite's backup API (better-sqlite3's `backup`) over a read-only connection, in one step (see
 * `pagesPerStepAll`), then checked (integrity, schema version). Never overwrites a file.
 */
export async function backupSqlite(options: { sourcePath: string; targetPath: string;
  busyTimeoutMs: number }): Promise<BackupResult> {
  const { sourcePath, targetPath } = options;
  if (existsSync(targetPath)) {
    return { ok: false, code: 'target_exists', message: `${targetPath} exists: the backup ` +
      'never overwrites a file; choose a new name' };
  }
  const source = checkSqliteFile(sourcePath, { integrity: false });
  if (!source.ok) return source;
  const connection = new Database(sourcePath, { readonly: true, fileMustExist: true,
    timeout: options.busyTimeoutMs });
  try {
    await connection.backup(targetPath, { progress: () => pagesPerStepAll });
  } finally {
    connection.close();
  }
  syncFile(targetPath);
  return checkSqliteFile(targetPath, { integrity: true });
}

/**
 * Puts a backup in place of a database: checked first, refused while a Tollgate process holds
 * the database's writer lock (stop the server first), copied beside the target and renamed
 * over it (a crash leaves the old database or the new one, never half of one). The database
 * it replaces, with its WAL, is kept as `<name>.replaced-<ms>` when `replace` is set; without
 * it an existing database is refused.
 */
export function restoreSqlite(options: { backupPath: string; targetPath: string;
  replace: boolean; nowMs: number }): BackupResult {
  const { backupPath, targetPath } = options;
  const backup = checkSqliteFile(backupPath, { integrity: true });
  if (!backup.ok) return backup;
  if (existsSync(targetPath) && !options.replace) {
    return { ok: false, code: 'target_exists', message: `${targetPath} exists: pass --replace ` +
      'to put the backup in its place (the old files are kept beside it)' };
  }
  let lock: { release(): void };
  try {
    lock = takeSqliteWriterLock(targetPath);
  } catch (error) {
    return { ok: false, code: 'database_busy', message: (error as Error).message };
  }
  try {
    const staging = `${targetPath}.restoring`;
    copyFileSync(backupPath, staging);
    syncFile(staging);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${targetPath}${suffix}`)) {
        renameSync(`${targetPath}${suffix}`, `${targetPath}.replaced-${options.nowMs}${suffix}`);
      }
    }
    renameSync(staging, targetPath);
  } finally {
    lock.release();
  }
  return checkSqliteFile(targetPath, { integrity: false });
}

function syncFile(path: string): void {
  const descriptor = openSync(path, 'r+');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
