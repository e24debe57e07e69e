import { assert } from '../kernel/assert.ts';
import { success } from '../kernel/result.ts';
import { sortedUniqueAccountIds } from './account.ts';
import { withReservationLocked, reservationAccounts } from './commit-reservation.ts';
import { checkIdempotencyKey, checkReservationId } from './ledger-input.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction } from './ledger-store.ts';
import { idempotent, inTransaction, type LedgerDeps } from './ledger-work.ts';
import { checkOpen, planRelease, type Reservation } from './reservation.ts';
import type { ReservationOutcome } from './reserve-chain.ts';

export interface ReleaseReservationInput {
  readonly reservationId: string;
  readonly idempotencyKey: string;
}

/**
 * Gives back everything a reservation holds, posting nothing. Allowed until the sweeper has
 * expired it, even past its deadline: releasing and expiring have the same effect on money.
 */
export async function releaseReservation(
  deps: LedgerDeps,
  input: ReleaseReservationInput,
): Promise<LedgerResult<ReservationOutcome>> {
  const malformed = checkReservationId(input.reservationId) ??
    checkIdempotencyKey(input.idempotencyKey);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  const request = { key: input.idempotencyKey, operation: 'release_reservation', request: input,
    nowMs };
  return inTransaction(deps.store, async (tx) => idempotent(tx, request, async () =>
    withReservationLocked(tx, input.reservationId, undefined, async (reservation) => {
      const closed = checkOpen(reservation, Number.NEGATIVE_INFINITY);
      if (closed !== null) return closed;
      return success({ reservation: await writeRelease(tx, reservation, 'released', nowMs),
        replayed: false });
    })));
}

async function writeRelease(
  tx: LedgerTransaction,
  reservation: Reservation,
  finalState: 'released' | 'expired',
  nowMs: number,
): Promise<Reservation> {
  const plan = planRelease(reservation, finalState, nowMs);
  const deltas = plan.pendingDeltas.filter((delta) => delta.pendingDeltaMicros !== 0n);
  if (deltas.length > 0) await tx.applyBookDeltas(deltas);
  await tx.updateReservation(plan.reservation);
  return plan.reservation;
}

export interface ExpireOutcome {
  readonly expiredIds: readonly string[];
  /** True when the batch was full: call again, there may be more. */
  readonly more: boolean;
}

/**
 * The sweeper: expires up to `limit` open reservations whose deadline has passed, in one
 * transaction that locks the accounts of the whole batch in the global order.
 */
export async function expireReservations(
  deps: LedgerDeps,
  options: { limit?: number } = {},
): Promise<LedgerResult<ExpireOutcome>> {
  const limit = options.limit ?? ledgerLimits.expireBatchMax;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > ledgerLimits.expireBatchMax) {
    return ledgerProblem('invalid_limit', `a sweep takes 1-${ledgerLimits.expireBatchMax}`);
  }
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, async (tx) => {
    const due = await tx.listExpiredReservations(nowMs, limit);
    assert(due.length <= limit, 'the store honours the batch limit');
    if (due.length === 0) return success({ expiredIds: [], more: false });
    await tx.lockAccounts(sortedUniqueAccountIds(due.flatMap(reservationAccounts)));
    const expiredIds: string[] = [];
    for (const candidate of due) {
      const reservation = await tx.findReservation(candidate.id);
      assert(reservation !== null, 'reservations are never deleted');
      if (reservation.state !== 'open' || reservation.expiresAtMs > nowMs) continue;
      await writeRelease(tx, reservation, 'expired', nowMs);
      expiredIds.push(reservation.id);
    }
    return success({ expiredIds, more: due.length === limit });
  });
}
