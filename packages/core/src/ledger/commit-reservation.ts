import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { sortedUniqueAccountIds, type AccountId } from './account.ts';
import { checkFunds } from './available-funds.ts';
import { mergeBookDeltas, projectedDeltas } from './book.ts';
import { fundsInputOf, loadSpend, spendOf, type SpendRead } from './chain-legs.ts';
import { planCommit } from './commit-plan.ts';
import { checkIdempotencyKey, checkReservationId } from './ledger-input.ts';
import { ledgerProblem, type LedgerProblem, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction, LockedAccount } from './ledger-store.ts';
import {
  idempotentFor,
  inTransaction,
  type CallerLocks,
  type LedgerDeps,
  type Replayable,
} from './ledger-work.ts';
import type { CommitPlan, KeepOpen, Reservation } from './reservation.ts';
import { transferDeltas, type Transfer } from './transfer.ts';

export interface CommitReservationInput {
  readonly reservationId: string;
  readonly idempotencyKey: string;
  /** What each leg posts now, in leg order; each at most what the leg holds. */
  readonly amountsMicros: readonly Micros[];
  /** Keep the reservation open with a new hold per leg (the next slice of a live call). */
  readonly keepOpen?: KeepOpen;
}

export interface CommitOutcome extends Replayable {
  readonly reservation: Reservation;
  readonly transfers: readonly Transfer[];
}

/**
 * Posts what was used and releases the rest, or posts what was used and holds the next slice.
 * Either way one transaction: the posted charges, the new holds, the spend windows and the
 * reservation change together. The new holds are checked like a reservation, after the commit.
 */
export async function commitReservation(
  deps: LedgerDeps,
  input: CommitReservationInput,
): Promise<LedgerResult<CommitOutcome>> {
  const malformed = checkReservationId(input.reservationId) ??
    checkIdempotencyKey(input.idempotencyKey);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, (tx) => commitReservationInTransaction(tx, input, nowMs));
}

/** The body of `commitReservation` inside a transaction the caller owns; input checked. */
export async function commitReservationInTransaction(
  tx: LedgerTransaction,
  input: CommitReservationInput,
  nowMs: number,
  caller: CallerLocks = { idempotencyOwner: 'ledger' },
): Promise<LedgerResult<CommitOutcome>> {
  const run = () => withReservationLocked(tx, input.reservationId, caller.locked,
    async (reservation, locked) => {
      const plan = planCommit({ reservation, amountsMicros: input.amountsMicros,
        keepOpen: input.keepOpen ?? null, nowMs });
      if (!plan.ok) return plan;
      if (input.keepOpen !== undefined) {
        const spend = caller.spend ?? await loadSpend(tx, locked.map((entry) => entry.account),
          nowMs);
        const refused = checkNewHolds(plan.value, input.amountsMicros, { locked, spend, nowMs });
        if (refused !== null) return refused;
      }
      return success(await writeCommit(tx, plan.value, input.amountsMicros, locked, nowMs));
    });
  const request = { key: input.idempotencyKey, operation: 'commit_reservation', request: input,
    nowMs };
  return idempotentFor(tx, caller, request, run);
}

/**
 * Reads a reservation, locks every account it touches in the global order, and reads it again
 * under the locks: only that second read is trusted.
 */
export async function withReservationLocked<T>(
  tx: LedgerTransaction,
  reservationId: string,
  callerLocked: readonly LockedAccount[] | undefined,
  work: (reservation: Reservation, locked: readonly LockedAccount[]) =>
    Promise<LedgerResult<T>>,
): Promise<LedgerResult<T>> {
  const before = await tx.findReservation(reservationId);
  if (before === null) {
    return ledgerProblem('reservation_not_found', `no reservation ${reservationId}`);
  }
  if (callerLocked !== undefined) {
    // Read under the caller's locks already: this read is the trusted one.
    const held = new Set(callerLocked.map((entry) => entry.account.id as string));
    assert(reservationAccounts(before).every((id) => held.has(id)),
      'the caller locked every account of the reservation');
    return work(before, callerLocked);
  }
  const locked = await tx.lockAccounts(sortedUniqueAccountIds(reservationAccounts(before)));
  const reservation = await tx.findReservation(reservationId);
  assert(reservation !== null, 'reservations are never deleted');
  return work(reservation, locked);
}

export function reservationAccounts(reservation: Reservation): AccountId[] {
  const ids: AccountId[] = [];
  for (const leg of reservation.legs) {
    ids.push(leg.accountId);
    if (leg.creditAccountId !== null) ids.push(leg.creditAccountId);
  }
  return ids;
}

/**
 * Checks each leg's new hold against its funds as they will be once the commit is posted,
 * from the locked books and the spend read before the commit adds to it.
 */
function checkNewHolds(
  plan: CommitPlan,
  commitsMicros: readonly Micros[],
  read: { locked: readonly LockedAccount[]; spend: SpendRead; nowMs: number },
): LedgerProblem | null {
  const { locked, spend, nowMs } = read;
  const byId = new Map(locked.map((entry) => [entry.account.id as string, entry]));
  for (const [index, leg] of plan.reservation.legs.entries()) {
    // Holding nothing needs no funds: a live call whose account was suspended still commits
    // what it used and keeps its (empty) reservation until it terminates.
    if (leg.pendingMicros === 0n) continue;
    const entry = byId.get(leg.accountId);
    assert(entry !== undefined, 'every leg account is locked');
    const committed = commitsMicros[index] ?? micros(0n);
    // The pending delta is (new hold - old hold); the new hold is the request, not yet held.
    const holdDelta = plan.pendingDeltas[index]?.pendingDeltaMicros ?? micros(0n);
    const main = { ...entry.main,
      postedMicros: micros(entry.main.postedMicros - committed),
      pendingMicros: micros(entry.main.pendingMicros + holdDelta - leg.pendingMicros) };
    const input = fundsInputOf(entry.account, main, spend, nowMs);
    const after = { ...input, spentTodayMicros: micros(input.spentTodayMicros + committed),
      spentMonthMicros: micros(input.spentMonthMicros + committed) };
    const refused = checkFunds(after, leg.pendingMicros, index);
    if (refused !== null) return refused;
  }
  return null;
}

async function writeCommit(
  tx: LedgerTransaction,
  plan: CommitPlan,
  amountsMicros: readonly Micros[],
  locked: readonly LockedAccount[],
  nowMs: number,
): Promise<CommitOutcome> {
  const transfers = plan.transfers.length === 0 ? [] : await tx.insertTransfers(plan.transfers);
  const deltas = projectedDeltas(mergeBookDeltas([...plan.pendingDeltas,
    ...plan.transfers.flatMap(transferDeltas)]));
  if (deltas.length > 0) await tx.applyBookDeltas(deltas);
  const byId = new Map(locked.map((entry) => [entry.account.id as string, entry.account]));
  const charges = plan.reservation.legs.map((leg, index) => {
    const account = byId.get(leg.accountId);
    assert(account !== undefined, 'every leg account is locked');
    return { account, amountMicros: amountsMicros[index] ?? micros(0n) };
  });
  const spend = spendOf(charges, nowMs);
  if (spend.length > 0) await tx.addSpend(spend);
  await tx.updateReservation(plan.reservation);
  return { reservation: plan.reservation, transfers, replayed: false };
}
