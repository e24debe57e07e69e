/**
 * The least two drivers share: run a statement with positional `?` parameters and get rows.
 * Charging's SQL is standard enough to be written once over this; the ledger keeps its own
 * dialect-tuned statements.
 */
export interface SqlRunner {
  all<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params: readonly unknown[]): Promise<void>;
}

/** `?` placeholders to PostgreSQL's `$1, $2, ...` (the SQL here has no `?` in literals). */
export function toDollarPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    index += 1;
    return `$${index}`;
  });
}
