import {
  assert,
  micros,
  type Account,
  type AccountId,
  type LockedAccount,
  type AccountMode,
  type AccountState,
  type AccountTier,
  type BookBalance,
  type BookId,
  type BookKind,
  type CurrencyCode,
  type ExchangeRate,
  type IdempotentOutcome,
  type Micros,
  type Reservation,
  type ReservationLeg,
  type ReservationState,
  type Transfer,
  type TransferId,
  type TransferKind,
} from '@tollgate/core';

/**
 * Conversions between SQL rows and domain values, shared by both dialects (conventions, rule 14:
 * snake_case columns are converted here and nowhere else). Both drivers return BIGINT columns as
 * bigint (better-sqlite3 with safe integers, pg with the int8 parser), so instants and counts are
 * narrowed to numbers here, with an assertion that they fit.
 */
export type DbInteger = bigint | number;

export function toNumber(value: DbInteger): number {
  const number = Number(value);
  assert(Number.isSafeInteger(number), 'instants and counts fit in a safe integer');
  return number;
}

export function toMicros(value: DbInteger): Micros {
  return micros(BigInt(value));
}

function nullableMicros(value: DbInteger | null): Micros | null {
  return value === null ? null : toMicros(value);
}

export interface AccountRow {
  id: string;
  tier: string;
  parent_id: string | null;
  name: string;
  currency: string;
  mode: string;
  credit_limit_micros: DbInteger | null;
  daily_limit_micros: DbInteger | null;
  monthly_limit_micros: DbInteger | null;
  concurrent_calls_max: DbInteger | null;
  time_zone: string;
  state: string;
  rate_deck_id: string | null;
  created_at_ms: DbInteger;
  updated_at_ms: DbInteger;
}

export const accountColumns = ['id', 'tier', 'parent_id', 'name', 'currency', 'mode',
  'credit_limit_micros', 'daily_limit_micros', 'monthly_limit_micros', 'concurrent_calls_max',
  'time_zone', 'state', 'rate_deck_id', 'created_at_ms', 'updated_at_ms'] as const;

export function fromDbAccount(row: AccountRow): Account {
  return {
    id: row.id as AccountId,
    tier: row.tier as AccountTier,
    parentId: row.parent_id as AccountId | null,
    name: row.name,
    currency: row.currency as CurrencyCode,
    mode: row.mode as AccountMode,
    creditLimitMicros: nullableMicros(row.credit_limit_micros),
    dailyLimitMicros: nullableMicros(row.daily_limit_micros),
    monthlyLimitMicros: nullableMicros(row.monthly_limit_micros),
    concurrentCallsMax: row.concurrent_calls_max === null ? null
      : toNumber(row.concurrent_calls_max),
    timeZone: row.time_zone,
    state: row.state as AccountState,
    rateDeckId: row.rate_deck_id,
    createdAtMs: toNumber(row.created_at_ms),
    updatedAtMs: toNumber(row.updated_at_ms),
  };
}

/** The values of an account in `accountColumns` order. */
export function toDbAccount(account: Account): Array<string | bigint | number | null> {
  return [account.id, account.tier, account.parentId, account.name, account.currency,
    account.mode, account.creditLimitMicros, account.dailyLimitMicros,
    account.monthlyLimitMicros, account.concurrentCallsMax, account.timeZone, account.state,
    account.rateDeckId, account.createdAtMs, account.updatedAtMs];
}

export interface BookRow {
  id: string;
  account_id: string | null;
  kind: string;
  currency: string;
  posted_micros: DbInteger;
  pending_micros: DbInteger;
}

export function fromDbBook(row: BookRow): BookBalance {
  return {
    id: row.id as BookId,
    accountId: row.account_id as AccountId | null,
    kind: row.kind as BookKind,
    currency: row.currency as CurrencyCode,
    postedMicros: toMicros(row.posted_micros),
    pendingMicros: toMicros(row.pending_micros),
  };
}

export interface TransferRow {
  id: DbInteger;
  kind: string;
  debit_book_id: string;
  credit_book_id: string;
  currency: string;
  amount_micros: DbInteger;
  reference: string;
  reservation_id: string | null;
  reverses_transfer_id: DbInteger | null;
  created_at_ms: DbInteger;
}

export function fromDbTransfer(row: TransferRow): Transfer {
  return {
    id: BigInt(row.id) as TransferId,
    kind: row.kind as TransferKind,
    debitBookId: row.debit_book_id as BookId,
    creditBookId: row.credit_book_id as BookId,
    currency: row.currency as CurrencyCode,
    amountMicros: toMicros(row.amount_micros),
    reference: row.reference,
    reservationId: row.reservation_id,
    reversesTransferId: row.reverses_transfer_id === null ? null
      : (BigInt(row.reverses_transfer_id) as TransferId),
    createdAtMs: toNumber(row.created_at_ms),
  };
}

export const transferColumns = ['id', 'kind', 'debit_book_id', 'credit_book_id', 'currency',
  'amount_micros', 'reference', 'reservation_id', 'reverses_transfer_id',
  'created_at_ms'] as const;

/** The values of a transfer, with the id the engine gave it, in `transferColumns` order. */
export function toDbTransfer(transfer: Transfer): unknown[] {
  return [transfer.id, transfer.kind, transfer.debitBookId, transfer.creditBookId,
    transfer.currency, transfer.amountMicros, transfer.reference, transfer.reservationId,
    transfer.reversesTransferId, transfer.createdAtMs];
}

export const reservationColumns = ['id', 'reference', 'state', 'created_at_ms',
  'expires_at_ms', 'closed_at_ms'] as const;

export function toDbReservation(reservation: Reservation): unknown[] {
  return [reservation.id, reservation.reference, reservation.state, reservation.createdAtMs,
    reservation.expiresAtMs, reservation.closedAtMs];
}

export const reservationLegColumns = ['reservation_id', 'leg_index', 'account_id',
  'debit_book_id', 'credit_book_id', 'credit_account_id', 'currency', 'pending_micros',
  'committed_micros'] as const;

/** One row per leg, in `reservationLegColumns` order. */
export function toDbReservationLegs(reservation: Reservation): unknown[][] {
  return reservation.legs.map((leg, index) => [reservation.id, index, leg.accountId,
    leg.debitBookId, leg.creditBookId, leg.creditAccountId, leg.currency, leg.pendingMicros,
    leg.committedMicros]);
}

/** A reservation joined with one of its legs: one row per leg, in leg order. */
export interface ReservationLegRow {
  id: string;
  reference: string;
  state: string;
  created_at_ms: DbInteger;
  expires_at_ms: DbInteger;
  closed_at_ms: DbInteger | null;
  leg_index: DbInteger;
  account_id: string;
  debit_book_id: string;
  credit_book_id: string;
  credit_account_id: string | null;
  currency: string;
  pending_micros: DbInteger;
  committed_micros: DbInteger;
}

/** Groups joined rows (ordered by reservation, then leg) into reservations. */
export function fromDbReservations(rows: readonly ReservationLegRow[]): Reservation[] {
  const reservations: Reservation[] = [];
  let legs: ReservationLeg[] = [];
  for (const [index, row] of rows.entries()) {
    assert(toNumber(row.leg_index) === legs.length, 'legs are read in order');
    legs.push({
      accountId: row.account_id as AccountId,
      debitBookId: row.debit_book_id as BookId,
      creditBookId: row.credit_book_id as BookId,
      creditAccountId: row.credit_account_id as AccountId | null,
      currency: row.currency as CurrencyCode,
      pendingMicros: toMicros(row.pending_micros),
      committedMicros: toMicros(row.committed_micros),
    });
    if (rows[index + 1]?.id === row.id) continue;
    reservations.push({
      id: row.id,
      reference: row.reference,
      state: row.state as ReservationState,
      createdAtMs: toNumber(row.created_at_ms),
      expiresAtMs: toNumber(row.expires_at_ms),
      closedAtMs: row.closed_at_ms === null ? null : toNumber(row.closed_at_ms),
      legs,
    });
    legs = [];
  }
  return reservations;
}

export interface IdempotencyRow {
  key: string;
  operation: string;
  request_json: string;
  outcome_json: string;
  created_at_ms: DbInteger;
}

export function fromDbOutcome(row: IdempotencyRow): IdempotentOutcome {
  return { key: row.key, operation: row.operation, requestJson: row.request_json,
    outcomeJson: row.outcome_json, createdAtMs: toNumber(row.created_at_ms) };
}

export interface ExchangeRateRow {
  from_currency: string;
  to_currency: string;
  valid_from_ms: DbInteger;
  rate: string;
}

export function fromDbExchangeRate(row: ExchangeRateRow): ExchangeRate {
  return { fromCurrency: row.from_currency as CurrencyCode,
    toCurrency: row.to_currency as CurrencyCode, validFromMs: toNumber(row.valid_from_ms),
    rate: row.rate };
}

/** A row of the lock statement: the account joined with its main book. */
export type LockRow = AccountRow & { book_id: string; book_account_id: string;
  book_kind: string; book_currency: string; posted_micros: DbInteger;
  pending_micros: DbInteger };

export function fromDbLockRow(row: LockRow): LockedAccount {
  return { account: fromDbAccount(row), main: fromDbBook({ id: row.book_id,
    account_id: row.book_account_id, kind: row.book_kind, currency: row.book_currency,
    posted_micros: row.posted_micros, pending_micros: row.pending_micros }) };
}
