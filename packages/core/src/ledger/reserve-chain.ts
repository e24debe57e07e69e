import { micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { mainBookId } from './book.ts';
import {
  checkLegInputs,
  checkLegsFunds,
  foreignCreditBooks,
  legLockIds,
  loadSpend,
  resolveLegs,
  type ChainLegInput,
  type SpendRead,
} from './chain-legs.ts';
import { checkIdempotencyKey, checkReference, checkReservationId } from './ledger-input.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction, LockedAccount } from './ledger-store.ts';
import {
  idempotentFor,
  inTransaction,
  type CallerLocks,
  type LedgerDeps,
  type Replayable,
} from './ledger-work.ts';
import { checkExpiry, pendingDeltas, type Reservation } from './reservation.ts';

export interface ReserveChainInput {
  /** Chosen by the caller (the charging layer uses the session id). */
  readonly reservationId: string;
  readonly reference: string;
  readonly idempotencyKey: string;
  /** One leg per level, customer first; each holds money on its account's main book. */
  readonly legs: readonly ChainLegInput[];
  readonly expiresAtMs: number;
}

export interface ReservationOutcome extends Replayable {
  readonly reservation: Reservation;
}

/**
 * Holds money at every level of a chain, atomically: under the locks of every account involved
 * each leg is checked against its available funds, and either every leg is held or nothing is
 * written and the first leg that cannot pay is named with its binding constraint.
 */
export async function reserveChain(
  deps: LedgerDeps,
  input: ReserveChainInput,
): Promise<LedgerResult<ReservationOutcome>> {
  const malformed = checkReservationId(input.reservationId) ?? checkReference(input.reference) ??
    checkIdempotencyKey(input.idempotencyKey) ?? checkLegInputs(input.legs);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, (tx) => reserveChainInTransaction(tx, input, nowMs));
}

/**
 * The body of `reserveChain` inside a transaction the caller owns (the charging layer writes
 * its session in the same one). Input is assumed checked; locking an account twice is harmless.
 */
export async function reserveChainInTransaction(
  tx: LedgerTransaction,
  input: ReserveChainInput,
  nowMs: number,
  caller: CallerLocks = { idempotencyOwner: 'ledger' },
): Promise<LedgerResult<ReservationOutcome>> {
  const request = { key: input.idempotencyKey, operation: 'reserve_chain', request: input, nowMs };
  return idempotentFor(tx, caller, request, async () => reserveLocked(tx, input,
    caller.locked ?? await tx.lockAccounts(legLockIds(input.legs)), nowMs, caller.spend));
}

async function reserveLocked(
  tx: LedgerTransaction,
  input: ReserveChainInput,
  locked: readonly LockedAccount[],
  nowMs: number,
  callerSpend: SpendRead | undefined,
): Promise<LedgerResult<ReservationOutcome>> {
  // Checked after the idempotency lookup: a retransmission past the deadline gets its answer.
  const expiry = checkExpiry(input.expiresAtMs, nowMs);
  if (expiry !== null) return expiry;
  const legs = resolveLegs(input.legs, locked);
  if (!legs.ok) return legs;
  const spend = callerSpend ?? await loadSpend(tx, legs.value.map((leg) => leg.account), nowMs);
  const refused = checkLegsFunds(legs.value, spend, nowMs);
  if (refused !== null) return refused;
  const reservation: Reservation = {
    id: input.reservationId,
    reference: input.reference,
    state: 'open',
    createdAtMs: nowMs,
    expiresAtMs: input.expiresAtMs,
    closedAtMs: null,
    legs: legs.value.map((leg) => ({
      accountId: leg.account.id,
      debitBookId: mainBookId(leg.account.id),
      creditBookId: leg.creditBook.id,
      creditAccountId: leg.creditAccountId,
      currency: leg.account.currency,
      pendingMicros: leg.amountMicros,
      committedMicros: micros(0n),
    })),
  };
  const foreign = foreignCreditBooks(legs.value);
  if (foreign.length > 0) await tx.ensureBooks(foreign);
  if (!(await tx.insertReservation(reservation))) {
    return ledgerProblem('reservation_exists', `reservation ${input.reservationId} exists`);
  }
  await tx.applyBookDeltas(pendingDeltas(reservation.legs,
    reservation.legs.map((leg) => leg.pendingMicros), 1n));
  return success({ reservation, replayed: false });
}
