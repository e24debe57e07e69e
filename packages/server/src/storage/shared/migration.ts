/**
 * A schema migration: ordered by version, applied once, recorded in `schema_migrations`. Each
 * dialect keeps its own list; both lists have the same versions and names.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * A database migrated by a newer Tollgate: this one does not know its schema, and writing to it
 * could break what the newer one stored. `serve` and `migrate` stop with this error.
 */
export class DatabaseNewerError extends Error {
  override readonly name = 'DatabaseNewerError';
  readonly code = 'database_newer';

  constructor(unknown: readonly number[], newestKnown: number) {
    super(`the database has schema migrations this Tollgate does not know ` +
      `(${unknown.join(', ')}; it knows up to ${newestKnown}): a newer Tollgate migrated it. ` +
      'Run that version, or restore a backup taken before the upgrade');
  }
}

/** The newest schema version a list of migrations brings a database to. */
export function schemaVersionOf(all: readonly Migration[]): number {
  return all.at(-1)?.version ?? 0;
}

/**
 * Migrations not yet applied, in order; asserts the list is strictly increasing, and refuses
 * a database that records a migration the list lacks (a newer Tollgate's).
 */
export function pendingMigrations(
  all: readonly Migration[],
  applied: ReadonlySet<number>,
): Migration[] {
  for (let index = 1; index < all.length; index += 1) {
    const previous = all[index - 1];
    const current = all[index];
    if (previous === undefined || current === undefined || previous.version >= current.version) {
      throw new Error('migrations are listed in strictly increasing version order');
    }
  }
  const known = new Set(all.map((migration) => migration.version));
  const unknown = [...applied].filter((version) => !known.has(version)).sort((a, b) => a - b);
  if (unknown.length > 0) throw new DatabaseNewerError(unknown, schemaVersionOf(all));
  return all.filter((migration) => !applied.has(migration.version));
}
