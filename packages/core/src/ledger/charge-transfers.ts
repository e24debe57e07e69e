import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { sortedUniqueAccountIds, type AccountId } from './account.ts';
import { bookOwner, mainBook, mainBookId } from './book.ts';
import {
  checkLegInputs,
  checkLegsFunds,
  foreignCreditBooks,
  legLockIds,
  loadSpend,
  resolveLegs,
  spendOf,
  type ChainLegInput,
} from './chain-legs.ts';
import { checkIdempotencyKey, checkPositiveAmount, checkReference } from './ledger-input.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction, LockedAccount } from './ledger-store.ts';
import { idempotent, inTransaction, type LedgerDeps } from './ledger-work.ts';
import { postTransfers, type TransferOutcome } from './post-transfers.ts';
import { checkTransfer, type NewTransfer, type TransferId } from './transfer.ts';

export interface PostChargeInput {
  readonly reference: string;
  readonly idempotencyKey: string;
  readonly legs: readonly ChainLegInput[];
  /**
   * `refuse` checks every level's funds like a reservation (an SMS before it is sent); `allow`
   * posts regardless (a CDR of a call that already happened must be billed).
   */
  readonly overdraft: 'refuse' | 'allow';
}

/** A one-shot chain charge, posted at once at every level, without a reservation. */
export async function postCharge(
  deps: LedgerDeps,
  input: PostChargeInput,
): Promise<LedgerResult<TransferOutcome>> {
  const malformed = checkReference(input.reference) ?? checkIdempotencyKey(input.idempotencyKey) ??
    checkLegInputs(input.legs);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, (tx) => postChargeInTransaction(tx, input, nowMs));
}

/** The body of `postCharge` inside a transaction the caller owns; input checked. */
export async function postChargeInTransaction(
  tx: LedgerTransaction,
  input: PostChargeInput,
  nowMs: number,
): Promise<LedgerResult<TransferOutcome>> {
  const request = { key: input.idempotencyKey, operation: 'post_charge', request: input, nowMs };
  return idempotent(tx, request, async () =>
    chargeLocked(tx, input, await tx.lockAccounts(legLockIds(input.legs)), nowMs));
}

async function chargeLocked(
  tx: LedgerTransaction,
  input: PostChargeInput,
  locked: readonly LockedAccount[],
  nowMs: number,
): Promise<LedgerResult<TransferOutcome>> {
  const legs = resolveLegs(input.legs, locked);
  if (!legs.ok) return legs;
  if (input.overdraft === 'refuse') {
    const spend = await loadSpend(tx, legs.value.map((leg) => leg.account), nowMs);
    const refused = checkLegsFunds(legs.value, spend, nowMs);
    if (refused !== null) return refused;
  }
  const foreign = foreignCreditBooks(legs.value);
  if (foreign.length > 0) await tx.ensureBooks(foreign);
  const transfers = legs.value.map((leg): NewTransfer => {
    const transfer: NewTransfer = { kind: 'charge', debitBookId: mainBookId(leg.account.id),
      creditBookId: leg.creditBook.id, currency: leg.account.currency,
      amountMicros: leg.amountMicros, reference: input.reference, reservationId: null,
      reversesTransferId: null, createdAtMs: nowMs };
    checkTransfer(transfer, mainBook(leg.account.id, leg.account.currency), leg.creditBook);
    return transfer;
  });
  const stored = await postTransfers(tx, transfers);
  await tx.addSpend(spendOf(legs.value, nowMs));
  return success({ transfers: stored, replayed: false });
}

export interface RefundInput {
  /** The charge to refund, in part or in full. */
  readonly transferId: TransferId;
  readonly amountMicros: Micros;
  readonly reference: string;
  readonly idempotencyKey: string;
}

/**
 * A refund is a new transfer in the other direction that points at the charge; the refunds of a
 * charge never add up to more than the charge. Spend windows are not reduced: a cap counts what
 * was spent, and an operator who refunds can raise the cap.
 */
export async function refund(
  deps: LedgerDeps,
  input: RefundInput,
): Promise<LedgerResult<TransferOutcome>> {
  const malformed = checkReference(input.reference) ?? checkIdempotencyKey(input.idempotencyKey) ??
    checkPositiveAmount(input.amountMicros);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  const request = { key: input.idempotencyKey, operation: 'refund', request: input, nowMs };
  return inTransaction(deps.store, async (tx) => idempotent(tx, request,
    async (): Promise<LedgerResult<TransferOutcome>> => {
      const charge = await tx.findTransfer(input.transferId);
      if (charge === null) {
        return ledgerProblem('transfer_not_found', `no transfer ${input.transferId}`);
      }
      const owners = [bookOwner(charge.debitBookId), bookOwner(charge.creditBookId)]
        .filter((id): id is AccountId => id !== null);
      await tx.lockAccounts(sortedUniqueAccountIds(owners));
      if (charge.kind !== 'charge') {
        return ledgerProblem('transfer_not_refundable', `a ${charge.kind} is not refunded`);
      }
      const refunded = await tx.sumReversals(charge.id);
      if (refunded + input.amountMicros > charge.amountMicros) {
        return ledgerProblem('refund_exceeds_charge', `${refunded} of ${charge.amountMicros} ` +
          'micros are refunded already', { availableMicros: micros(charge.amountMicros - refunded),
          requestedMicros: input.amountMicros });
      }
      const reversal: NewTransfer = { kind: 'refund', debitBookId: charge.creditBookId,
        creditBookId: charge.debitBookId, currency: charge.currency,
        amountMicros: input.amountMicros, reference: input.reference, reservationId: null,
        reversesTransferId: charge.id, createdAtMs: nowMs };
      return success({ transfers: await postTransfers(tx, [reversal]), replayed: false });
    }));
}
