import type { CompactedBatch } from '@tollgate/core';
import {
  bundleColumns,
  cdrColumns,
  cdrLevelAccountIds,
  sessionColumns,
  toDbBundle,
  toDbCdr,
  toDbSession,
} from '../shared/charging-mapping.ts';
import {
  accountColumns,
  reservationColumns,
  reservationLegColumns,
  toDbAccount,
  toDbReservation,
  toDbReservationLegs,
  toDbTransfer,
  transferColumns,
} from '../shared/ledger-mapping.ts';

type ColumnType = 'text' | 'bigint';

/**
 * One part of the statement that writes a compacted batch on PostgreSQL: a data-modifying
 * query over `unnest` of one array per column. `sql` receives the unnest call and the column
 * names; `rows` gives the batch's rows, each an array of cells in column order.
 */
export interface BatchPart {
  readonly name: string;
  readonly columns: ReadonlyArray<readonly [name: string, type: ColumnType]>;
  readonly sql: (unnest: string, columns: string) => string;
  readonly rows: (batch: CompactedBatch) => unknown[][];
  /**
   * Why it writes exactly one row per row given, checked before COMMIT (the assertion of the
   * row primitive it replaces); null when the count is not known (a delete).
   */
  readonly check: string | null;
}

/** Integer columns travel as bigint[]: assigning to an integer column casts them. */
function typed(names: readonly string[], bigints: readonly string[] = []) {
  return names.map((name) => [name, bigints.includes(name) ? 'bigint' : 'text'] as const);
}

const setEvery = (names: readonly string[], key: string) => names.filter((name) => name !== key)
  .map((name) => `${name} = v.${name}`).join(', ');

const insertAll = (table: string) => (unnest: string, columns: string) =>
  `INSERT INTO ${table} (${columns}) SELECT * FROM ${unnest}`;

const accountsTyped = typed(accountColumns, ['credit_limit_micros', 'daily_limit_micros',
  'monthly_limit_micros', 'concurrent_calls_max', 'created_at_ms', 'updated_at_ms']);

const sessionsTyped = typed(sessionColumns, ['started_at_ms', 'last_request_number',
  'used_seconds', 'granted_until_seconds', 'hangup_at_ms', 'deadline_ms', 'updated_at_ms']);

/**
 * A table whose rows are written whole: the new ones inserted, the known ones updated in
 * every column but the key (as the row primitives' UPDATE does).
 */
function wholeRowParts<Row>(options: {
  table: string;
  key: string;
  noun: string;
  columns: BatchPart['columns'];
  inserted: (batch: CompactedBatch) => readonly Row[];
  updated: (batch: CompactedBatch) => readonly Row[];
  cells: (row: Row) => unknown[];
}): BatchPart[] {
  const { table, key, noun, columns, cells } = options;
  const names = columns.map(([name]) => name);
  return [{
    name: `${table}_inserted`,
    columns,
    sql: insertAll(table),
    rows: (batch) => options.inserted(batch).map(cells),
    check: `each new ${noun} is written`,
  }, {
    name: `${table}_updated`,
    columns,
    sql: (unnest, list) => `UPDATE ${table} t SET ${setEvery(names, key)}
      FROM ${unnest} AS v(${list}) WHERE t.${key} = v.${key}`,
    rows: (batch) => options.updated(batch).map(cells),
    check: `an update changes one ${noun}`,
  }];
}

const accountParts = wholeRowParts({ table: 'accounts', key: 'id', noun: 'account',
  columns: accountsTyped, inserted: (batch) => batch.accountsInserted,
  updated: (batch) => batch.accountsUpdated, cells: toDbAccount });

const bookParts: readonly BatchPart[] = [{
  // A new row starts from the batch's deltas; a known id adds them (ensureBooks, then deltas).
  name: 'books_created',
  columns: typed(['id', 'account_id', 'kind', 'currency', 'posted_micros', 'pending_micros'],
    ['posted_micros', 'pending_micros']),
  sql: (unnest, columns) => `${insertAll('books')(unnest, columns)} ON CONFLICT (id)
    DO UPDATE SET posted_micros = books.posted_micros + excluded.posted_micros,
    pending_micros = books.pending_micros + excluded.pending_micros`,
  rows: (batch) => batch.booksCreated.map((book) => [book.id, book.accountId, book.kind,
    book.currency, book.postedMicros, book.pendingMicros]),
  check: 'each new book is written',
}, {
  name: 'book_deltas',
  columns: typed(['id', 'posted', 'pending'], ['posted', 'pending']),
  sql: (unnest, columns) => `UPDATE books b SET posted_micros = b.posted_micros + v.posted,
    pending_micros = b.pending_micros + v.pending FROM ${unnest} AS v(${columns})
    WHERE b.id = v.id`,
  rows: (batch) => batch.bookDeltas.map((delta) => [delta.bookId, delta.postedDeltaMicros,
    delta.pendingDeltaMicros]),
  check: 'a delta changes one existing book',
}, {
  // The engine gave the ids, so the identity column takes them as they are.
  name: 'transfers',
  columns: typed(transferColumns, ['id', 'amount_micros', 'reverses_transfer_id',
    'created_at_ms']),
  sql: (unnest, columns) => `INSERT INTO transfers (${columns}) OVERRIDING SYSTEM VALUE
    SELECT * FROM ${unnest}`,
  rows: (batch) => batch.transfers.map(toDbTransfer),
  check: 'each transfer is written',
}];

const reservationParts: readonly BatchPart[] = [{
  name: 'reservations_inserted',
  columns: typed(reservationColumns, ['created_at_ms', 'expires_at_ms', 'closed_at_ms']),
  sql: insertAll('reservations'),
  rows: (batch) => batch.reservationsInserted.map(toDbReservation),
  check: 'a new reservation id is not stored yet',
}, {
  name: 'legs_inserted',
  columns: typed(reservationLegColumns, ['leg_index', 'pending_micros', 'committed_micros']),
  sql: insertAll('reservation_legs'),
  rows: (batch) => batch.reservationsInserted.flatMap(toDbReservationLegs),
  check: 'each leg of a new reservation is written',
}, {
  // What a commit, a release or an expiry changes: state, expiry, close, amounts.
  name: 'reservations_updated',
  columns: typed(['id', 'state', 'expires_at_ms', 'closed_at_ms'],
    ['expires_at_ms', 'closed_at_ms']),
  sql: (unnest, columns) => `UPDATE reservations r SET state = v.state,
    expires_at_ms = v.expires_at_ms, closed_at_ms = v.closed_at_ms
    FROM ${unnest} AS v(${columns}) WHERE r.id = v.id`,
  rows: (batch) => batch.reservationsUpdated.map((reservation) => [reservation.id,
    reservation.state, reservation.expiresAtMs, reservation.closedAtMs]),
  check: 'an update changes one reservation',
}, {
  name: 'legs_updated',
  columns: typed(['reservation_id', 'leg_index', 'pending_micros', 'committed_micros'],
    ['leg_index', 'pending_micros', 'committed_micros']),
  sql: (unnest, columns) => `UPDATE reservation_legs l SET pending_micros = v.pending_micros,
    committed_micros = v.committed_micros FROM ${unnest} AS v(${columns})
    WHERE l.reservation_id = v.reservation_id AND l.leg_index = v.leg_index`,
  rows: (batch) => batch.reservationsUpdated.flatMap((reservation) =>
    reservation.legs.map((leg, index) => [reservation.id, index, leg.pendingMicros,
      leg.committedMicros])),
  check: 'an update keeps the legs of a reservation',
}];

const ledgerOtherParts: readonly BatchPart[] = [{
  name: 'spend',
  columns: typed(['account_id', 'period_key', 'spent_micros'], ['spent_micros']),
  sql: (unnest, columns) => `${insertAll('spend_windows')(unnest, columns)}
    ON CONFLICT (account_id, period_key)
    DO UPDATE SET spent_micros = spend_windows.spent_micros + excluded.spent_micros`,
  rows: (batch) => batch.spend.map((window) => [window.accountId, window.periodKey,
    window.spentMicros]),
  check: 'each spend window is written',
}, {
  name: 'outcomes',
  columns: typed(['key', 'operation', 'request_json', 'outcome_json', 'created_at_ms'],
    ['created_at_ms']),
  sql: insertAll('idempotency'),
  rows: (batch) => batch.outcomes.map((outcome) => [outcome.key, outcome.operation,
    outcome.requestJson, outcome.outcomeJson, outcome.createdAtMs]),
  check: 'each outcome is stored',
}, {
  name: 'rates',
  columns: typed(['from_currency', 'to_currency', 'valid_from_ms', 'rate'],
    ['valid_from_ms']),
  sql: (unnest, columns) => `${insertAll('exchange_rates')(unnest, columns)}
    ON CONFLICT (from_currency, to_currency, valid_from_ms) DO UPDATE SET rate = excluded.rate`,
  rows: (batch) => batch.exchangeRates.map((rate) => [rate.fromCurrency, rate.toCurrency,
    rate.validFromMs, rate.rate]),
  check: 'each exchange rate is written',
}];

const sessionParts: readonly BatchPart[] = [...wholeRowParts({ table: 'sessions',
  key: 'session_id', noun: 'session', columns: sessionsTyped,
  inserted: (batch) => batch.sessionsInserted, updated: (batch) => batch.sessionsUpdated,
  cells: toDbSession }), {
  name: 'session_levels_inserted',
  columns: typed(['account_id', 'session_id']),
  sql: insertAll('session_levels'),
  rows: (batch) => batch.sessionLevelsInserted.map((row) => [row.accountId, row.sessionId]),
  check: 'each level of a live session is written',
}, {
  name: 'session_levels_deleted',
  columns: typed(['session_id']),
  sql: (unnest, columns) => `DELETE FROM session_levels l USING ${unnest} AS v(${columns})
    WHERE l.session_id = v.session_id`,
  rows: (batch) => batch.sessionLevelsDeleted.map((sessionId) => [sessionId]),
  check: null,
}];

const cdrAndBundleParts: readonly BatchPart[] = [{
  name: 'cdrs',
  columns: typed(cdrColumns, ['started_at_ms', 'ended_at_ms', 'used_seconds',
    'billed_seconds', 'bundle_seconds', 'cost_micros']),
  sql: insertAll('cdrs'),
  rows: (batch) => batch.cdrs.map(toDbCdr),
  check: 'each CDR is written',
}, {
  name: 'cdr_levels',
  columns: typed(['account_id', 'cdr_id']),
  sql: insertAll('cdr_levels'),
  rows: (batch) => batch.cdrs.flatMap((cdr) =>
    [...cdrLevelAccountIds(cdr)].map((accountId) => [accountId, cdr.id])),
  check: 'each level of a CDR is written',
}, {
  name: 'bundles_inserted',
  columns: typed(bundleColumns, ['seconds_remaining', 'valid_until_ms', 'created_at_ms']),
  sql: insertAll('bundles'),
  rows: (batch) => batch.bundlesInserted.map(toDbBundle),
  check: 'each new bundle is written',
}, {
  name: 'bundle_deltas',
  columns: typed(['id', 'delta_seconds'], ['delta_seconds']),
  sql: (unnest, columns) => `UPDATE bundles b SET
    seconds_remaining = b.seconds_remaining + v.delta_seconds
    FROM ${unnest} AS v(${columns}) WHERE b.id = v.id`,
  rows: (batch) => batch.bundleDeltas.map((delta) => [delta.bundleId, delta.deltaSeconds]),
  check: 'seconds are added to a stored bundle',
}];

/** Every table the engine writes, in the order of CompactedBatch's fields. */
export const batchParts: readonly BatchPart[] = [...accountParts, ...bookParts,
  ...reservationParts, ...ledgerOtherParts, ...sessionParts, ...cdrAndBundleParts];
