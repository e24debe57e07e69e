import type Database from 'better-sqlite3';
import { accountColumns } from '../shared/ledger-mapping.ts';

/**
 * The ledger's SQL for SQLite, prepared once per connection. Lists of ids are passed as a JSON
 * array and expanded with json_each, so each statement is prepared once whatever the list size.
 */
const reservationSelect = `SELECT r.id, r.reference, r.state, r.created_at_ms, r.expires_at_ms,
  r.closed_at_ms, l.leg_index, l.account_id, l.debit_book_id, l.credit_book_id,
  l.credit_account_id, l.currency, l.pending_micros, l.committed_micros`;

const sql = {
  findAccount: 'SELECT * FROM accounts WHERE id = ?',
  // One statement for the whole id list: the transaction already holds the write lock, so this
  // only reads, and one step through SQLite costs less than one per account.
  lockAccounts: `SELECT a.*, b.id AS book_id, b.account_id AS book_account_id,
    b.kind AS book_kind, b.currency AS book_currency, b.posted_micros, b.pending_micros
    FROM accounts a JOIN books b ON b.id = a.id || '/main'
    WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id`,
  insertAccount: `INSERT INTO accounts (${accountColumns.join(', ')})
    VALUES (${accountColumns.map(() => '?').join(', ')})`,
  updateAccount: `UPDATE accounts SET ${accountColumns.slice(1).map((column) => `${column} = ?`)
    .join(', ')} WHERE id = ?`,
  listChildren: `SELECT * FROM accounts WHERE parent_id = @parentId
    AND (@tier IS NULL OR tier = @tier) AND (@openOnly = 0 OR state <> 'closed')
    AND (@afterId IS NULL OR id > @afterId) ORDER BY id LIMIT @limit`,
  listAccounts: 'SELECT * FROM accounts WHERE (@afterId IS NULL OR id > @afterId) ORDER BY id ' +
    'LIMIT @limit',
  ensureBook: `INSERT INTO books (id, account_id, kind, currency) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO NOTHING`,
  findBook: 'SELECT * FROM books WHERE id = ?',
  findAccountBooks: 'SELECT * FROM books WHERE account_id = ? ORDER BY id',
  listBooks: 'SELECT * FROM books WHERE (@afterId IS NULL OR id > @afterId) ORDER BY id ' +
    'LIMIT @limit',
  applyBookDelta: `UPDATE books SET posted_micros = posted_micros + ?,
    pending_micros = pending_micros + ? WHERE id = ?`,
  insertTransfer: `INSERT INTO transfers (kind, debit_book_id, credit_book_id, currency,
    amount_micros, reference, reservation_id, reverses_transfer_id, created_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  findTransfer: 'SELECT * FROM transfers WHERE id = ?',
  listTransfers: `SELECT * FROM transfers
    WHERE (debit_book_id = @bookId OR credit_book_id = @bookId)
    AND (@afterId IS NULL OR id > @afterId) ORDER BY id LIMIT @limit`,
  sumReversals: `SELECT COALESCE(SUM(amount_micros), 0) AS total FROM transfers
    WHERE reverses_transfer_id = ?`,
  journalTotals: `SELECT book_id, SUM(amount) AS total FROM (
      SELECT debit_book_id AS book_id, -amount_micros AS amount FROM transfers
        WHERE debit_book_id IN (SELECT value FROM json_each(@ids))
      UNION ALL
      SELECT credit_book_id, amount_micros FROM transfers
        WHERE credit_book_id IN (SELECT value FROM json_each(@ids))
    ) GROUP BY book_id`,
  findSpend: 'SELECT * FROM spend_windows WHERE account_id = ? AND period_key = ?',
  addSpend: `INSERT INTO spend_windows (account_id, period_key, spent_micros) VALUES (?, ?, ?)
    ON CONFLICT (account_id, period_key) DO UPDATE
    SET spent_micros = spent_micros + excluded.spent_micros`,
  insertReservation: `INSERT INTO reservations (id, reference, state, created_at_ms,
    expires_at_ms, closed_at_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  insertLeg: `INSERT INTO reservation_legs (reservation_id, leg_index, account_id, debit_book_id,
    credit_book_id, credit_account_id, currency, pending_micros, committed_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  findReservation: `${reservationSelect} FROM reservations r
    JOIN reservation_legs l ON l.reservation_id = r.id WHERE r.id = ? ORDER BY l.leg_index`,
  updateReservation: `UPDATE reservations SET state = ?, expires_at_ms = ?, closed_at_ms = ?
    WHERE id = ?`,
  updateLeg: `UPDATE reservation_legs SET pending_micros = ?, committed_micros = ?
    WHERE reservation_id = ? AND leg_index = ?`,
  listExpired: `${reservationSelect} FROM (SELECT * FROM reservations
      WHERE state = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms, id LIMIT ?) r
    JOIN reservation_legs l ON l.reservation_id = r.id
    ORDER BY r.expires_at_ms, r.id, l.leg_index`,
  reservationTotals: `SELECT l.debit_book_id AS book_id, SUM(l.pending_micros) AS total
    FROM reservation_legs l JOIN reservations r ON r.id = l.reservation_id
    WHERE r.state = 'open' AND l.debit_book_id IN (SELECT value FROM json_each(?))
    GROUP BY l.debit_book_id`,
  findOutcome: 'SELECT * FROM idempotency WHERE key = ?',
  saveOutcome: `INSERT INTO idempotency (key, operation, request_json, outcome_json,
    created_at_ms) VALUES (?, ?, ?, ?, ?)`,
  saveRate: `INSERT INTO exchange_rates (from_currency, to_currency, valid_from_ms, rate)
    VALUES (?, ?, ?, ?) ON CONFLICT (from_currency, to_currency, valid_from_ms)
    DO UPDATE SET rate = excluded.rate`,
  findRate: `SELECT * FROM exchange_rates WHERE from_currency = ? AND to_currency = ?
    AND valid_from_ms <= ? ORDER BY valid_from_ms DESC LIMIT 1`,
} as const;

export type SqliteStatements<Name extends string> = { [N in Name]: Database.Statement };

export type SqliteLedgerStatements = SqliteStatements<keyof typeof sql>;

/** The statements of `texts`, prepared the first time a connection asks, then kept with it. */
export function preparedPerConnection<Name extends string>(texts: Record<Name, string>):
  (connection: Database.Database) => SqliteStatements<Name> {
  const prepared = new WeakMap<Database.Database, SqliteStatements<Name>>();
  return (connection) => {
    let statements = prepared.get(connection);
    if (statements === undefined) {
      const entries = Object.entries<string>(texts)
        .map(([name, text]) => [name, connection.prepare(text)]);
      statements = Object.fromEntries(entries) as SqliteStatements<Name>;
      prepared.set(connection, statements);
    }
    return statements;
  };
}

export const ledgerStatements = preparedPerConnection(sql);
