import type { WithRunner } from './api-store-sql.ts';

type DbNumber = number | bigint | string;

/** One stored rate with the instant the next rate of its pair replaced it (null: in force). */
export interface ExchangeRateRecord {
  readonly fromCurrency: string;
  readonly toCurrency: string;
  readonly rate: string;
  readonly validFromMs: number;
  readonly validUntilMs: number | null;
}

export interface ExchangeRateHistoryQuery {
  readonly fromCurrency?: string;
  readonly toCurrency?: string;
  /** Rows after this one, in (from, to, valid from) order: the page cursor. */
  readonly after?: { fromCurrency: string; toCurrency: string; validFromMs: number };
  readonly limit: number;
}

/**
 * Reads the exchange-rate table for `GET /v1/exchange-rates`: every rate ever set, each with
 * when the next one of its pair took over, so any CDR's conversion can be looked up. Rates are
 * written only by the ledger's `setExchangeRate` (through the charging engine); this is a
 * read-only listing, both dialects (window functions: SQLite 3.25+, PostgreSQL).
 */
export function exchangeRateHistoryOver(withRunner: WithRunner):
  (query: ExchangeRateHistoryQuery) => Promise<ExchangeRateRecord[]> {
  return (query) => withRunner(async (runner) => {
    const inner: string[] = [];
    const params: unknown[] = [];
    if (query.fromCurrency !== undefined) {
      inner.push('from_currency = ?');
      params.push(query.fromCurrency);
    }
    if (query.toCurrency !== undefined) {
      inner.push('to_currency = ?');
      params.push(query.toCurrency);
    }
    const outer: string[] = [];
    if (query.after !== undefined) {
      const { fromCurrency, toCurrency, validFromMs } = query.after;
      outer.push(`(from_currency > ? OR (from_currency = ? AND (to_currency > ? OR
        (to_currency = ? AND valid_from_ms > ?))))`);
      params.push(fromCurrency, fromCurrency, toCurrency, toCurrency, validFromMs);
    }
    params.push(query.limit);
    const rows = await runner.all<{ from_currency: string; to_currency: string; rate: string;
      valid_from_ms: DbNumber; valid_until_ms: DbNumber | null }>(
      `SELECT from_currency, to_currency, rate, valid_from_ms, valid_until_ms FROM (
         SELECT from_currency, to_currency, rate, valid_from_ms,
           LEAD(valid_from_ms) OVER (PARTITION BY from_currency, to_currency
             ORDER BY valid_from_ms) AS valid_until_ms
         FROM exchange_rates ${inner.length === 0 ? '' : `WHERE ${inner.join(' AND ')}`}
       ) history ${outer.length === 0 ? '' : `WHERE ${outer.join(' AND ')}`}
       ORDER BY from_currency, to_currency, valid_from_ms LIMIT ?`, params);
    return rows.map((row) => ({ fromCurrency: row.from_currency, toCurrency: row.to_currency,
      rate: row.rate, validFromMs: Number(row.valid_from_ms),
      validUntilMs: row.valid_until_ms === null ? null : Number(row.valid_until_ms) }));
  }, { readOnly: true });
}
