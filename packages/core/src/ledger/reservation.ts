import { assert } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { AccountId } from './account.ts';
import {
  mainBook,
  revenueBook,
  worldBook,
  type Book,
  type BookDelta,
  type BookId,
} from './book.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerProblem } from './ledger-problem.ts';
import type { NewTransfer } from './transfer.ts';

/**
 * A reservation is a pending transfer per leg (one leg per level of a chain): reserve holds the
 * amount on the leg's main book; commit posts all or part of it; release, or expiry at the
 * deadline, gives the rest back. It is the only mutable record of the ledger, and it changes
 * only under the locks of all its accounts.
 */
export const reservationStates = ['open', 'committed', 'released', 'expired'] as const;
export type ReservationState = (typeof reservationStates)[number];

export interface ReservationLeg {
  readonly accountId: AccountId;
  readonly debitBookId: BookId;
  readonly creditBookId: BookId;
  /** The owner of the credit book: the parent; null for the world. */
  readonly creditAccountId: AccountId | null;
  readonly currency: CurrencyCode;
  /** Held now: counted in the debit book's pending balance while the reservation is open. */
  readonly pendingMicros: Micros;
  /** Posted so far by commits that kept the reservation open, and by the final commit. */
  readonly committedMicros: Micros;
}

export interface Reservation {
  readonly id: string;
  readonly reference: string;
  readonly state: ReservationState;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly closedAtMs: number | null;
  readonly legs: readonly ReservationLeg[];
}

export interface KeepOpen {
  /** New held amount per leg, in leg order: the next slice of a live call. */
  readonly amountsMicros: readonly Micros[];
  readonly expiresAtMs: number;
}

export interface CommitPlan {
  readonly reservation: Reservation;
  readonly transfers: readonly NewTransfer[];
  /** Pending changes only; the transfers carry the posted changes. */
  readonly pendingDeltas: readonly BookDelta[];
}

type StateCode =
  | 'reservation_already_committed'
  | 'reservation_already_released'
  | 'reservation_already_expired'
  | 'reservation_expired';

/** Refuses any change to a reservation that is closed or past its deadline. */
export function checkOpen(
  reservation: Reservation,
  nowMs: number,
): LedgerProblem<StateCode> | null {
  const id = reservation.id;
  switch (reservation.state) {
    case 'open':
      if (nowMs >= reservation.expiresAtMs) {
        return ledgerProblem('reservation_expired', `reservation ${id} passed its deadline`);
      }
      return null;
    case 'committed':
      return ledgerProblem('reservation_already_committed', `reservation ${id} is committed`);
    case 'released':
      return ledgerProblem('reservation_already_released', `reservation ${id} is released`);
    case 'expired':
      return ledgerProblem('reservation_already_expired', `reservation ${id} has expired`);
  }
}

export function checkExpiry(
  expiresAtMs: number,
  nowMs: number,
): LedgerProblem<'invalid_expiry' | 'reservation_ttl_too_long'> | null {
  if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs <= nowMs) {
    return ledgerProblem('invalid_expiry', 'a reservation expires in the future');
  }
  if (expiresAtMs - nowMs > ledgerLimits.reservationTtlMsMax) {
    return ledgerProblem('reservation_ttl_too_long',
      `a reservation lives at most ${ledgerLimits.reservationTtlMsMax} ms`);
  }
  return null;
}

/** The pending change of holding (sign 1) or giving back (sign -1) each leg's amount. */
export function pendingDeltas(
  legs: readonly ReservationLeg[],
  amounts: readonly Micros[],
  sign: 1n | -1n,
): BookDelta[] {
  assert(legs.length === amounts.length, 'one amount per leg');
  return legs.map((leg, index) => ({
    bookId: leg.debitBookId,
    postedDeltaMicros: micros(0n),
    pendingDeltaMicros: micros(sign * (amounts[index] ?? 0n)),
  }));
}

/** Closes an open reservation without posting: everything held goes back. */
export function planRelease(
  reservation: Reservation,
  finalState: 'released' | 'expired',
  nowMs: number,
): { reservation: Reservation; pendingDeltas: BookDelta[] } {
  assert(reservation.state === 'open', 'only an open reservation is released');
  const held = reservation.legs.map((leg) => leg.pendingMicros);
  const legs = reservation.legs.map((leg) => ({ ...leg, pendingMicros: micros(0n) }));
  return {
    reservation: { ...reservation, state: finalState, closedAtMs: nowMs, legs },
    pendingDeltas: pendingDeltas(reservation.legs, held, -1n),
  };
}

/** The two books of a leg, rebuilt from its accounts: the ids stored must match them. */
export function legBooks(leg: ReservationLeg): [Book, Book] {
  const debit = mainBook(leg.accountId, leg.currency);
  const credit = leg.creditAccountId === null ? worldBook(leg.currency)
    : revenueBook(leg.creditAccountId, leg.currency);
  assert(debit.id === leg.debitBookId && credit.id === leg.creditBookId, 'leg books match');
  return [debit, credit];
}
