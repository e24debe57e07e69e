import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../../config/config-schema.ts';
import { databaseTarget, loadConfig, readProcessEnv } from '../../config/load-config.ts';
import { schemaVersionOf } from '../../storage/shared/migration.ts';
import { PostgresDatabase } from '../../storage/postgres/postgres-database.ts';
import { postgresMigrations } from '../../storage/postgres/postgres-migrations.ts';
import { backupSqlite, restoreSqlite, type BackupResult } from
  '../../storage/sqlite/sqlite-backup.ts';
import { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { sqliteMigrations } from '../../storage/sqlite/sqlite-migrations.ts';
import { exitCodes, usageError, type CommandOutcome } from '../cli-io.ts';

type Flags = Record<string, string | boolean | undefined>;

/** The flags of one database command, then the configuration (`--db` wins over TOLLGATE_DB). */
function configOf(args: string[], options: NonNullable<ParseArgsConfig['options']>):
  { ok: true; config: Config; flags: Flags } | { ok: false; outcome: CommandOutcome } {
  let flags: Flags;
  try {
    flags = parseArgs({ args, options, strict: true, allowPositionals: false }).values as Flags;
  } catch (error) {
    return { ok: false, outcome: usageError('invalid_arguments', (error as Error).message) };
  }
  const config = loadConfig({ env: readProcessEnv(), flags: { db: flags['db'] } });
  if (!config.ok) return { ok: false, outcome: usageError(config.code, config.message) };
  return { ok: true, config: config.value, flags };
}

function failure(code: string, message: string): CommandOutcome {
  return { exitCode: exitCodes.failure, stdout: { status: 'error', code, message },
    stderr: `tollgate: ${message}` };
}

/**
 * `tollgate migrate [--db FILE | postgres://...]`: brings the database's schema to this
 * version and says where it stands. `serve` migrates at start too; this runs it as its own
 * deployment step (before starting new nodes) and refuses a database a newer Tollgate
 * migrated (`database_newer`).
 */
export async function migrateCommand(args: string[]): Promise<CommandOutcome> {
  const parsed = configOf(args, { db: { type: 'string' } });
  if (!parsed.ok) return parsed.outcome;
  const { config } = parsed;
  const target = databaseTarget(config);
  try {
    if (target.kind === 'sqlite') {
      const database = new SqliteDatabase({ path: target.path,
        synchronous: config.sqliteSynchronous, busyTimeoutMs: config.sqliteBusyTimeoutMs });
      try {
        const applied = database.migrate();
        return { exitCode: exitCodes.ok, stdout: { status: 'ok', database: 'sqlite', applied,
          schema_version: schemaVersionOf(sqliteMigrations) } };
      } finally {
        await database.close();
      }
    }
    const database = new PostgresDatabase({ connectionString: target.url,
      schema: config.postgresSchema, poolSize: 1,
      statementTimeoutMs: config.postgresStatementTimeoutMs });
    try {
      const applied = await database.migrate();
      return { exitCode: exitCodes.ok, stdout: { status: 'ok', database: 'postgres', applied,
        schema_version: schemaVersionOf(postgresMigrations) } };
    } finally {
      await database.close();
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code === 'database_newer' ? 'database_newer'
      : 'migration_failed';
    return failure(code, (error as Error).message);
  }
}

function outcomeOf(result: BackupResult, path: string): CommandOutcome {
  if (!result.ok) return failure(result.code, result.message);
  return { exitCode: exitCodes.ok, stdout: { status: 'ok', file: path, bytes: result.value.bytes,
    schema_version: result.value.schemaVersion } };
}

const postgresBackupHint = 'for PostgreSQL use pg_dump / pg_restore or a base backup with WAL ' +
  'archiving (docs/operations.md, "Backups")';

/**
 * `tollgate backup --to FILE [--db FILE]`: an online copy of the SQLite database while the
 * server runs (it keeps charging); the copy is checked before the command says ok.
 */
export async function backupCommand(args: string[]): Promise<CommandOutcome> {
  const parsed = sqliteFileCommand(args, 'to', 'backup needs --to FILE (a file that does not ' +
    'exist)', {});
  if (!parsed.ok) return parsed.outcome;
  return outcomeOf(await backupSqlite({ sourcePath: parsed.databasePath,
    targetPath: parsed.file, busyTimeoutMs: parsed.config.sqliteBusyTimeoutMs }), parsed.file);
}

/**
 * `tollgate restore --from FILE [--db FILE] [--replace]`: puts a backup in place of the
 * database, with the server stopped (refused while one holds the database).
 */
export function restoreCommand(args: string[], nowMs: number): CommandOutcome {
  const parsed = sqliteFileCommand(args, 'from', 'restore needs --from FILE (a backup)',
    { replace: { type: 'boolean' } });
  if (!parsed.ok) return parsed.outcome;
  return outcomeOf(restoreSqlite({ backupPath: parsed.file, targetPath: parsed.databasePath,
    replace: parsed.flags['replace'] === true, nowMs }), parsed.databasePath);
}

/** The flags of backup and restore: `--db`, the file flag they need, and their own. */
function sqliteFileCommand(args: string[], fileFlag: 'to' | 'from', missing: string,
  extra: NonNullable<ParseArgsConfig['options']>):
  | { ok: true; config: Config; flags: Flags; file: string; databasePath: string }
  | { ok: false; outcome: CommandOutcome } {
  const parsed = configOf(args, { db: { type: 'string' }, [fileFlag]: { type: 'string' },
    ...extra });
  if (!parsed.ok) return parsed;
  const file = parsed.flags[fileFlag];
  if (typeof file !== 'string' || file === '') {
    return { ok: false, outcome: usageError('invalid_arguments', missing) };
  }
  const target = databaseTarget(parsed.config);
  if (target.kind === 'postgres') {
    return { ok: false, outcome: usageError('unsupported_database', postgresBackupHint) };
  }
  return { ...parsed, file, databasePath: target.path };
}
