/**
 * A schema migration: ordered by version, applied once, recorded in `schema_migrations`. Each
 * dialect keeps its own list; both lists have the same versions and names.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Migrations not yet applied, in order; asserts the list is strictly increasing. */
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
  return all.filter((migration) => !applied.has(migration.version));
}
