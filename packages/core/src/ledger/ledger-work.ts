import type { Clock } from '../kernel/clock.ts';
import type { SpendRead } from './chain-legs.ts';
import { inRollbackTransaction } from '../kernel/rollback-transaction.ts';
import { success } from '../kernel/result.ts';
import {
  decodeLedgerJson,
  encodeLedgerJson,
  type IdempotentOutcome,
} from './idempotency.ts';
import {
  ledgerProblem,
  type LedgerCode,
  type LedgerResult,
} from './ledger-problem.ts';
import type {
  LedgerStore,
  LedgerTransaction,
  LockedAccount,
  TransactionOptions,
} from './ledger-store.ts';

/** What every ledger use case needs: the store and the time. */
export interface LedgerDeps {
  readonly store: LedgerStore;
  readonly clock: Clock;
}

/**
 * Runs `work` in one store transaction. A typed problem rolls the transaction back, so a refused
 * request writes nothing, whatever it did before finding the problem.
 */
export function inTransaction<T, Code extends LedgerCode>(
  store: LedgerStore,
  work: (tx: LedgerTransaction) => Promise<LedgerResult<T, Code>>,
  options: TransactionOptions = {},
): Promise<LedgerResult<T, Code>> {
  return inRollbackTransaction(store, work, options);
}

/**
 * How an in-transaction entry point is made idempotent: by the ledger's own table (`ledger`),
 * or by a caller that already sequences its requests in the same transaction (`caller`: the
 * charging layer answers a repeated request number from its session before it reaches the
 * ledger), which saves the lookup and the stored copy of the outcome.
 */
export type IdempotencyOwner = 'ledger' | 'caller';

/**
 * A caller that already holds the locks of every account a step touches (it locked them, in
 * the global order, earlier in the same transaction) passes what it read under them, and the
 * step does not lock and read the accounts again. Likewise the spend windows of those
 * accounts, when the caller read them at the step's `nowMs` and has added no spend since.
 */
export interface CallerLocks {
  readonly idempotencyOwner: IdempotencyOwner;
  readonly locked?: readonly LockedAccount[];
  readonly spend?: SpendRead;
}

export interface IdempotentRequest {
  readonly key: string;
  readonly operation: string;
  /** The request, canonical: compared on a replay. */
  readonly request: unknown;
  readonly nowMs: number;
}

/** An outcome says whether it is the stored answer to an earlier identical request. */
export interface Replayable {
  readonly replayed: boolean;
}

/**
 * `idempotent` unless the caller owns idempotency (see IdempotencyOwner): then the request
 * simply runs, once, because the caller has already answered any repeat from its own records.
 */
export function idempotentFor<T extends Replayable, Code extends LedgerCode>(
  tx: LedgerTransaction,
  caller: CallerLocks,
  request: IdempotentRequest,
  run: () => Promise<LedgerResult<T, Code>>,
): Promise<LedgerResult<T, Code | 'idempotency_key_reused'>> {
  return caller.idempotencyOwner === 'caller' ? run() : idempotent(tx, request, run);
}

/**
 * Answers a retransmission from its stored outcome, or runs the request and stores its success.
 * The lookup comes before `run` takes its locks, so a replay locks nothing. Two identical
 * requests in flight at once cannot both succeed: the second one's save of its outcome (or of
 * its reservation) violates a unique key and the adapter runs it again, when the lookup finds
 * the first one's outcome. A request refused under the locks looks again before answering,
 * because the refusal may be the effect of its own twin (a commit finding the reservation
 * committed).
 */
export async function idempotent<T extends Replayable, Code extends LedgerCode>(
  tx: LedgerTransaction,
  request: IdempotentRequest,
  run: () => Promise<LedgerResult<T, Code>>,
): Promise<LedgerResult<T, Code | 'idempotency_key_reused'>> {
  const requestJson = encodeLedgerJson(request.request);
  const replay = async (): Promise<LedgerResult<T, 'idempotency_key_reused'> | null> => {
    const stored = await tx.findIdempotentOutcome(request.key);
    if (stored === null) return null;
    if (stored.operation !== request.operation || stored.requestJson !== requestJson) {
      return ledgerProblem('idempotency_key_reused',
        `key "${request.key}" was used for another request`);
    }
    const outcome = decodeLedgerJson(stored.outcomeJson) as T;
    return success({ ...outcome, replayed: true });
  };
  const early = await replay();
  if (early !== null) return early;
  const result = await run();
  if (!result.ok) return (await replay()) ?? result;
  const saved: IdempotentOutcome = {
    key: request.key,
    operation: request.operation,
    requestJson,
    outcomeJson: encodeLedgerJson(result.value),
    createdAtMs: request.nowMs,
  };
  await tx.saveIdempotentOutcome(saved);
  return result;
}
