import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerProblem, type LedgerResult } from './ledger-problem.ts';
import {
  checkExpiry,
  checkOpen,
  legBooks,
  type CommitPlan,
  type KeepOpen,
  type Reservation,
  type ReservationLeg,
} from './reservation.ts';
import { checkTransfer, type NewTransfer } from './transfer.ts';

export type CommitPlanCode =
  | 'legs_mismatch'
  | 'amount_negative'
  | 'amount_too_large'
  | 'commit_exceeds_reserved'
  | 'invalid_expiry'
  | 'reservation_ttl_too_long'
  | 'reservation_expired'
  | 'reservation_already_committed'
  | 'reservation_already_released'
  | 'reservation_already_expired';

/**
 * Plans a commit: posts `amountsMicros[i]` of each leg as a charge and releases the rest, or,
 * with `keepOpen`, holds a new amount per leg and a new deadline (the nibble of a live call:
 * commit what was used, reserve the next slice, in one step). Pure; funds for the new hold are
 * checked by the caller against the locked balances after this plan.
 */
export function planCommit(options: {
  reservation: Reservation;
  amountsMicros: readonly Micros[];
  keepOpen: KeepOpen | null;
  nowMs: number;
}): LedgerResult<CommitPlan, CommitPlanCode> {
  const { reservation, amountsMicros, keepOpen, nowMs } = options;
  const closed = checkOpen(reservation, nowMs);
  if (closed !== null) return closed;
  const legs = reservation.legs;
  const committing = checkAmounts(legs, amountsMicros, 'commit');
  if (committing !== null) return committing;
  if (keepOpen !== null) {
    const holding = checkAmounts(legs, keepOpen.amountsMicros, 'hold');
    if (holding !== null) return holding;
    const expiry = checkExpiry(keepOpen.expiresAtMs, nowMs);
    if (expiry !== null) return expiry;
  }
  for (const [index, leg] of legs.entries()) {
    const amount = amountsMicros[index] ?? micros(0n);
    if (amount > leg.pendingMicros) {
      return ledgerProblem('commit_exceeds_reserved',
        `leg ${index} commits ${amount} micros but holds ${leg.pendingMicros}`,
        { accountId: leg.accountId, legIndex: index, availableMicros: leg.pendingMicros,
          requestedMicros: amount });
    }
  }
  return success(buildPlan(reservation, amountsMicros, keepOpen, nowMs));
}

function checkAmounts(
  legs: readonly ReservationLeg[],
  amounts: readonly Micros[],
  what: string,
): LedgerProblem<'legs_mismatch' | 'amount_negative' | 'amount_too_large'> | null {
  if (amounts.length !== legs.length) {
    return ledgerProblem('legs_mismatch',
      `${amounts.length} ${what} amounts for ${legs.length} legs`);
  }
  for (const [index, amount] of amounts.entries()) {
    const accountId = legs[index]?.accountId;
    const details = accountId === undefined ? { legIndex: index } : { legIndex: index, accountId };
    if (amount < 0n) return ledgerProblem('amount_negative', `${what} amount is negative`, details);
    if (amount > ledgerLimits.amountMicrosMax) {
      return ledgerProblem('amount_too_large', `${what} amount beyond the sanity bound`, details);
    }
  }
  return null;
}

function buildPlan(
  reservation: Reservation,
  amountsMicros: readonly Micros[],
  keepOpen: KeepOpen | null,
  nowMs: number,
): CommitPlan {
  const transfers: NewTransfer[] = [];
  const pendingDeltas = [];
  const legs: ReservationLeg[] = [];
  for (const [index, leg] of reservation.legs.entries()) {
    const amount = amountsMicros[index] ?? micros(0n);
    const held = keepOpen === null ? micros(0n) : (keepOpen.amountsMicros[index] ?? micros(0n));
    assert(amount <= leg.pendingMicros, 'a commit never exceeds what is held');
    if (amount > 0n) {
      const transfer: NewTransfer = { kind: 'charge', debitBookId: leg.debitBookId,
        creditBookId: leg.creditBookId, currency: leg.currency, amountMicros: amount,
        reference: reservation.reference, reservationId: reservation.id,
        reversesTransferId: null, createdAtMs: nowMs };
      const [debit, credit] = legBooks(leg);
      checkTransfer(transfer, debit, credit);
      transfers.push(transfer);
    }
    pendingDeltas.push({ bookId: leg.debitBookId, postedDeltaMicros: micros(0n),
      pendingDeltaMicros: micros(held - leg.pendingMicros) });
    legs.push({ ...leg, pendingMicros: held,
      committedMicros: micros(leg.committedMicros + amount) });
  }
  const next: Reservation = keepOpen === null
    ? { ...reservation, state: 'committed', closedAtMs: nowMs, legs }
    : { ...reservation, expiresAtMs: keepOpen.expiresAtMs, legs };
  return { reservation: next, transfers, pendingDeltas };
}
