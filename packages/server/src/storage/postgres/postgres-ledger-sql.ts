import { accountColumns } from '../shared/ledger-mapping.ts';

/**
 * The ledger's SQL for PostgreSQL. Lists travel as arrays and are expanded with unnest, so
 * every statement has a fixed text and is prepared once per connection (named statements).
 */
const reservationSelect = `SELECT r.id, r.reference, r.state, r.created_at_ms, r.expires_at_ms,
  r.closed_at_ms, l.leg_index, l.account_id, l.debit_book_id, l.credit_book_id,
  l.credit_account_id, l.currency, l.pending_micros, l.committed_micros`;

export const postgresLedgerSql = {
  findAccount: 'SELECT * FROM accounts WHERE id = $1',
  // Locks accounts and their main books in id order. Both are locked so that, after waiting
  // for another transaction, READ COMMITTED returns the latest version of both rows.
  lockAccounts: `SELECT a.*, b.id AS book_id, b.account_id AS book_account_id,
    b.kind AS book_kind, b.currency AS book_currency, b.posted_micros, b.pending_micros
    FROM accounts a JOIN books b ON b.id = a.id || '/main'
    WHERE a.id = ANY($1::text[]) ORDER BY a.id FOR NO KEY UPDATE OF a, b`,
  insertAccount: `INSERT INTO accounts (${accountColumns.join(', ')})
    VALUES (${accountColumns.map((_column, index) => `$${index + 1}`).join(', ')})`,
  updateAccount: `UPDATE accounts SET ${accountColumns.slice(1)
    .map((column, index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1`,
  listChildren: `SELECT * FROM accounts WHERE parent_id = $1
    AND ($2::text IS NULL OR tier = $2) AND (NOT $3::boolean OR state <> 'closed')
    AND ($4::text IS NULL OR id > $4) ORDER BY id LIMIT $5`,
  listAccounts: `SELECT * FROM accounts WHERE ($1::text IS NULL OR id > $1) ORDER BY id
    LIMIT $2`,
  ensureBooks: `INSERT INTO books (id, account_id, kind, currency)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
    ON CONFLICT (id) DO NOTHING`,
  findBooks: 'SELECT * FROM books WHERE id = ANY($1::text[]) ORDER BY id',
  findAccountBooks: 'SELECT * FROM books WHERE account_id = $1 ORDER BY id',
  listBooks: 'SELECT * FROM books WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2',
  insertTransfers: `INSERT INTO transfers (kind, debit_book_id, credit_book_id, currency,
    amount_micros, reference, reservation_id, reverses_transfer_id, created_at_ms)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
      $6::text[], $7::text[], $8::bigint[], $9::bigint[])
    RETURNING id`,
  findTransfer: 'SELECT * FROM transfers WHERE id = $1',
  listTransfers: `SELECT * FROM transfers WHERE (debit_book_id = $1 OR credit_book_id = $1)
    AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3`,
  sumReversals: `SELECT COALESCE(SUM(amount_micros), 0)::bigint AS total FROM transfers
    WHERE reverses_transfer_id = $1`,
  journalTotals: `SELECT book_id, SUM(amount)::bigint AS total FROM (
      SELECT debit_book_id AS book_id, -amount_micros AS amount FROM transfers
        WHERE debit_book_id = ANY($1::text[])
      UNION ALL
      SELECT credit_book_id, amount_micros FROM transfers WHERE credit_book_id = ANY($1::text[])
    ) AS postings GROUP BY book_id`,
  findSpendWindows: `SELECT w.* FROM spend_windows w
    JOIN unnest($1::text[], $2::text[]) AS k(account_id, period_key)
      ON w.account_id = k.account_id AND w.period_key = k.period_key`,
  // Writes no leg when the id exists: the caller sees a row count of 0.
  insertReservation: `WITH inserted AS (
      INSERT INTO reservations (id, reference, state, created_at_ms, expires_at_ms, closed_at_ms)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id)
    INSERT INTO reservation_legs (reservation_id, leg_index, account_id, debit_book_id,
      credit_book_id, credit_account_id, currency, pending_micros, committed_micros)
    SELECT inserted.id, legs.* FROM inserted, unnest($7::int[], $8::text[], $9::text[],
      $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[]) AS legs`,
  findReservation: `${reservationSelect} FROM reservations r
    JOIN reservation_legs l ON l.reservation_id = r.id WHERE r.id = $1 ORDER BY l.leg_index`,
  listExpired: `${reservationSelect} FROM (SELECT * FROM reservations
      WHERE state = 'open' AND expires_at_ms <= $1 ORDER BY expires_at_ms, id LIMIT $2) r
    JOIN reservation_legs l ON l.reservation_id = r.id
    ORDER BY r.expires_at_ms, r.id, l.leg_index`,
  reservationTotals: `SELECT l.debit_book_id AS book_id, SUM(l.pending_micros)::bigint AS total
    FROM reservation_legs l JOIN reservations r ON r.id = l.reservation_id
    WHERE r.state = 'open' AND l.debit_book_id = ANY($1::text[]) GROUP BY l.debit_book_id`,
  findOutcome: 'SELECT * FROM idempotency WHERE key = $1',
  // The writes held back by PostgresLedgerWrites, in one statement: book deltas, spend, one
  // reservation with its legs, idempotent outcomes. Each part is a no-op for empty arrays (or a
  // null reservation id); no two parts touch the same table, and each part's rows are the ones
  // its primitive was given, so running them as one statement changes nothing but round trips.
  // The counts let the caller assert, before COMMIT, what each primitive used to assert.
  writeBehind: `WITH deltas AS (
      UPDATE books b SET posted_micros = b.posted_micros + v.posted,
        pending_micros = b.pending_micros + v.pending
      FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(id, posted, pending)
      WHERE b.id = v.id RETURNING 1),
    spend AS (
      INSERT INTO spend_windows (account_id, period_key, spent_micros)
      SELECT * FROM unnest($4::text[], $5::text[], $6::bigint[])
      ON CONFLICT (account_id, period_key)
      DO UPDATE SET spent_micros = spend_windows.spent_micros + excluded.spent_micros
      RETURNING 1),
    reservation AS (
      UPDATE reservations SET state = $8, expires_at_ms = $9, closed_at_ms = $10
      WHERE id = $7::text RETURNING id),
    legs AS (
      UPDATE reservation_legs l SET pending_micros = v.pending, committed_micros = v.committed
      FROM unnest($11::int[], $12::bigint[], $13::bigint[]) AS v(leg_index, pending, committed),
        reservation
      WHERE l.reservation_id = reservation.id AND l.leg_index = v.leg_index RETURNING 1),
    outcomes AS (
      INSERT INTO idempotency (key, operation, request_json, outcome_json, created_at_ms)
      SELECT * FROM unnest($14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[])
      RETURNING 1)
    SELECT (SELECT count(*) FROM deltas)::int AS deltas, (SELECT count(*) FROM spend)::int AS spend,
      (SELECT count(*) FROM reservation)::int AS reservations,
      (SELECT count(*) FROM legs)::int AS legs, (SELECT count(*) FROM outcomes)::int AS outcomes`,
  saveRate: `INSERT INTO exchange_rates (from_currency, to_currency, valid_from_ms, rate)
    VALUES ($1, $2, $3, $4) ON CONFLICT (from_currency, to_currency, valid_from_ms)
    DO UPDATE SET rate = excluded.rate`,
  findRate: `SELECT * FROM exchange_rates WHERE from_currency = $1 AND to_currency = $2
    AND valid_from_ms <= $3 ORDER BY valid_from_ms DESC LIMIT 1`,
} as const;

export type PostgresLedgerStatement = keyof typeof postgresLedgerSql;
