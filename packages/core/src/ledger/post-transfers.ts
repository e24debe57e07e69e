import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { mainBook, mergeBookDeltas, projectedDeltas, worldBook } from './book.ts';
import {
  checkAccountCurrency,
  checkAccountIdText,
  checkIdempotencyKey,
  checkReference,
} from './ledger-input.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction } from './ledger-store.ts';
import { idempotent, inTransaction, type LedgerDeps, type Replayable } from './ledger-work.ts';
import { checkTransfer, transferDeltas, type NewTransfer, type Transfer } from './transfer.ts';

export interface TransferOutcome extends Replayable {
  readonly transfers: readonly Transfer[];
}

export interface WorldTransferInput {
  readonly accountId: string;
  readonly currency: string;
  /** Positive: money in (top-up, payment). An adjustment may be negative: money out. */
  readonly amountMicros: Micros;
  readonly reference: string;
  readonly idempotencyKey: string;
}

/** Money from outside into an account's main book: a top-up (prepaid). */
export async function topup(deps: LedgerDeps, input: WorldTransferInput) {
  return postWorldTransfer(deps, input, 'topup');
}

/** Money from outside settling a postpaid account's invoice. */
export async function recordPayment(deps: LedgerDeps, input: WorldTransferInput) {
  return postWorldTransfer(deps, input, 'payment');
}

/** An operator's correction, either way; never zero. */
export async function adjust(deps: LedgerDeps, input: WorldTransferInput) {
  return postWorldTransfer(deps, input, 'adjustment');
}

async function postWorldTransfer(
  deps: LedgerDeps,
  input: WorldTransferInput,
  kind: 'topup' | 'payment' | 'adjustment',
): Promise<LedgerResult<TransferOutcome>> {
  const id = checkAccountIdText(input.accountId);
  if (!id.ok) return id;
  const malformed = checkReference(input.reference) ?? checkIdempotencyKey(input.idempotencyKey);
  if (malformed !== null) return malformed;
  const amount = input.amountMicros;
  const magnitude = amount < 0n ? -amount : amount;
  if (typeof amount !== 'bigint' || amount === 0n || (kind !== 'adjustment' && amount < 0n)) {
    return ledgerProblem('amount_not_positive', `a ${kind} moves a positive amount`,
      { column: 'amount' });
  }
  if (magnitude > ledgerLimits.amountMicrosMax) {
    return ledgerProblem('amount_too_large', `a ${kind} beyond the sanity bound`);
  }
  const nowMs = deps.clock.nowMs();
  const request = { key: input.idempotencyKey, operation: kind, request: input, nowMs };
  return inTransaction(deps.store, async (tx) => idempotent(tx, request,
    async (): Promise<LedgerResult<TransferOutcome>> => {
      const [locked] = await tx.lockAccounts([id.value]);
      if (locked === undefined) return ledgerProblem('account_not_found', `no ${id.value}`);
      const { account } = locked;
      const currency = checkAccountCurrency(account, input.currency);
      if (currency !== null) return currency;
      if (account.state === 'closed') {
        return ledgerProblem('account_closed', `account ${account.id} is closed`,
          { accountId: account.id });
      }
      const world = worldBook(account.currency);
      const main = mainBook(account.id, account.currency);
      const [debit, credit] = amount > 0n ? [world, main] : [main, world];
      const transfer: NewTransfer = { kind, debitBookId: debit.id, creditBookId: credit.id,
        currency: account.currency, amountMicros: micros(magnitude), reference: input.reference,
        reservationId: null, reversesTransferId: null, createdAtMs: nowMs };
      checkTransfer(transfer, debit, credit);
      return success({ transfers: await postTransfers(tx, [transfer]), replayed: false });
    }));
}

/** Appends transfers and applies their postings to the projection, in one step. */
export async function postTransfers(
  tx: LedgerTransaction,
  transfers: readonly NewTransfer[],
): Promise<Transfer[]> {
  assert(transfers.length > 0, 'something to post');
  const stored = await tx.insertTransfers(transfers);
  assert(stored.length === transfers.length, 'every transfer is stored');
  const projected = projectedDeltas(mergeBookDeltas(transfers.flatMap(transferDeltas)));
  if (projected.length > 0) await tx.applyBookDeltas(projected);
  return stored;
}
