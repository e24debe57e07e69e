import type Database from 'better-sqlite3';
import type pg from 'pg';

/**
 * The least two drivers share: run a statement with positional `?` parameters and get rows.
 * Charging's SQL is standard enough to be written once over this; the ledger keeps its own
 * dialect-tuned statements.
 */
export interface SqlRunner {
  all<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params: readonly unknown[]): Promise<void>;
  /**
   * The driver under the runner, for the rare writer whose SQL is one dialect's own: the
   * engine's batches (prepared statements in a loop on SQLite, arrays on PostgreSQL).
   */
  readonly driver?: SqlDriver;
}

export type SqlDriver =
  | { readonly dialect: 'sqlite'; readonly connection: Database.Database }
  | { readonly dialect: 'postgres'; readonly client: pg.PoolClient };

/** `?` placeholders to PostgreSQL's `$1, $2, ...` (the SQL here has no `?` in literals). */
export function toDollarPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    index += 1;
    return `$${index}`;
  });
}
