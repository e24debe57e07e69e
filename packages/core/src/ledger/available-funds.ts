import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { Account } from './account.ts';
import { ledgerProblem, type FundsCode, type LedgerProblem } from './ledger-problem.ts';

export interface FundsInput {
  readonly account: Account;
  /** Posted balance of the account's main book. */
  readonly postedMicros: Micros;
  /** Live reservations on the main book. */
  readonly pendingMicros: Micros;
  readonly spentTodayMicros: Micros;
  readonly spentMonthMicros: Micros;
}

export const fundsConstraints = ['balance', 'daily_limit', 'monthly_limit', 'state'] as const;
export type FundsConstraint = (typeof fundsConstraints)[number];

export interface AvailableFunds {
  /** What the account can still reserve; null when nothing limits it (an unlimited root). */
  readonly availableMicros: Micros | null;
  /** The constraint that sets `availableMicros`; null when unlimited. */
  readonly constraint: FundsConstraint | null;
  /** The answer to give when a request exceeds `availableMicros`. */
  readonly refusalCode: FundsCode;
}

/**
 * Available = min(balance + credit_limit - reserved, daily_limit - spent_today - reserved,
 * monthly_limit - spent_month - reserved), floored at 0; 0 when the account is not active.
 * Ties go to the earlier constraint in that list, so a prepaid account that is both empty and
 * at its daily cap is told it has insufficient funds.
 */
export function availableFunds(input: FundsInput): AvailableFunds {
  const { account, postedMicros, pendingMicros } = input;
  assert(pendingMicros >= 0n, 'live reservations are never negative');
  if (account.state !== 'active') {
    const refusalCode = account.state === 'suspended' ? 'account_suspended' : 'account_closed';
    return { availableMicros: micros(0n), constraint: 'state', refusalCode };
  }
  const candidates: Array<[bigint, FundsConstraint, FundsCode]> = [];
  if (account.creditLimitMicros !== null) {
    const code = account.creditLimitMicros > 0n ? 'credit_limit_reached' : 'insufficient_funds';
    candidates.push([postedMicros + account.creditLimitMicros - pendingMicros, 'balance', code]);
  }
  if (account.dailyLimitMicros !== null) {
    const left = account.dailyLimitMicros - input.spentTodayMicros - pendingMicros;
    candidates.push([left, 'daily_limit', 'daily_limit_reached']);
  }
  if (account.monthlyLimitMicros !== null) {
    const left = account.monthlyLimitMicros - input.spentMonthMicros - pendingMicros;
    candidates.push([left, 'monthly_limit', 'monthly_limit_reached']);
  }
  let best: [bigint, FundsConstraint, FundsCode] | undefined;
  for (const candidate of candidates) {
    if (best === undefined || candidate[0] < best[0]) best = candidate;
  }
  if (best === undefined) {
    return { availableMicros: null, constraint: null, refusalCode: 'insufficient_funds' };
  }
  const [left, constraint, refusalCode] = best;
  return { availableMicros: micros(left > 0n ? left : 0n), constraint, refusalCode };
}

/** Null when the account can reserve `requestedMicros`; otherwise the precise refusal. */
export function checkFunds(
  input: FundsInput,
  requestedMicros: Micros,
  legIndex: number,
): LedgerProblem<FundsCode> | null {
  assert(requestedMicros >= 0n, 'a request for funds is never negative');
  const funds = availableFunds(input);
  if (funds.availableMicros === null) return null;
  const blockedByState = funds.constraint === 'state';
  if (!blockedByState && requestedMicros <= funds.availableMicros) return null;
  return ledgerProblem(funds.refusalCode,
    `account ${input.account.id} cannot pay ${requestedMicros} micros ` +
      `(${funds.availableMicros} available, bound by ${funds.constraint ?? 'nothing'})`,
    { accountId: input.account.id, legIndex, availableMicros: funds.availableMicros,
      requestedMicros });
}
