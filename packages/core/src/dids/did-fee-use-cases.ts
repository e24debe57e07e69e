import {
  loadRecurringPayer,
  owedPeriods,
  periodFeeMicros,
} from '../billing/recurring-periods.ts';
import { assert } from '../kernel/assert.ts';
import { mapInChunks } from '../kernel/chunks.ts';
import type { Micros } from '../kernel/money.ts';
import { success, type Problem, type Result } from '../kernel/result.ts';
import type { Account } from '../ledger/account.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';
import type { DidHolding } from './did.ts';
import type { DidDeps } from './did-deps.ts';
import { didLimits } from './did-limits.ts';

/** What one run of the fee job did. */
export interface DidFeeReport {
  /** False when another node holds the lease: this run did nothing. */
  readonly ran: boolean;
  readonly holdingsVisited: number;
  readonly chargesPosted: number;
  readonly refused: readonly { holdingId: string; code: string }[];
}

export const didFeeLease = 'did-fees';

/**
 * The recurring fees of every hold, under a lease (one node at a time). Exactly once per hold
 * and period does not rest on the lease: each charge carries the idempotency key
 * `did:<hold>:<period start>`, so a second node, a rerun after a crash between the charge
 * and the cursor, or a lapsed lease replays the stored charge and moves nothing.
 */
export async function runDidFees(
  deps: DidDeps,
  options: { holder: string; leaseMs: number },
): Promise<DidFeeReport> {
  const nowMs = deps.clock.nowMs();
  const held = await deps.store.acquireLease({ name: didFeeLease, holder: options.holder,
    nowMs, untilMs: nowMs + options.leaseMs });
  if (!held) return { ran: false, holdingsVisited: 0, chargesPosted: 0, refused: [] };
  let afterId: string | null = null;
  let holdingsVisited = 0;
  let chargesPosted = 0;
  const refused: { holdingId: string; code: string }[] = [];
  for (let page = 0; page < didLimits.feePagesMax; page += 1) {
    const due = await deps.store.listDueHoldings({ atMs: nowMs, afterId,
      limit: didLimits.feePageMax });
    // Holds are independent (each fee has its own key): several at once let the charging
    // engine commit their fees in one batch.
    const outcomes = await mapInChunks(due, didLimits.feeHoldsConcurrentMax,
      (holding) => chargeHoldingFees(deps, holding, 'allow'));
    for (const [index, charged] of outcomes.entries()) {
      holdingsVisited += 1;
      if (charged.ok) chargesPosted += charged.value;
      else refused.push({ holdingId: due[index]!.id, code: charged.code });
    }
    if (due.length < didLimits.feePageMax) break;
    afterId = due[due.length - 1]!.id;
  }
  return { ran: true, holdingsVisited, chargesPosted, refused };
}

/** A monthly fee refused after the setup fee of the same hold was posted. */
type SetupPostedProblem = Problem<LedgerCode> & { readonly setupPosted: true };

/**
 * Posts what a hold owes up to now: its setup fee if unpaid, then the monthly fee of every
 * period that has started since its cursor (catching up after downtime, bounded). Fees are
 * paid in advance: a period is charged once it has started. `setupOverdraft: 'refuse'` (an
 * assignment) refuses the hold when the payer cannot pay its setup fee; the monthly fees of
 * a number already held are owed and are posted whatever the balance.
 */
export async function chargeHoldingFees(
  deps: DidDeps,
  holding: DidHolding,
  setupOverdraft: 'refuse' | 'allow',
): Promise<Result<number, LedgerCode> | SetupPostedProblem> {
  const payer = await loadRecurringPayer({ ledger: deps.ledger,
    billingSettings: deps.billingSettings, accountId: holding.accountId });
  if (!payer.ok) return payer;
  const { account } = payer.value;
  let posted = 0;
  if (!holding.setupCharged) {
    if (holding.setupMicros > 0n) {
      const setup = await postFee(deps, { holding, payer: account,
        amountMicros: holding.setupMicros, key: `did:${holding.id}:setup`,
        reference: `oo:DID +${holding.number} setup`, overdraft: setupOverdraft });
      if (!setup.ok) return setup;
      if (!setup.value) posted += 1;
    }
    await deps.store.markSetupCharged(holding.id);
  }
  for (const period of owedPeriods(payer.value, holding, deps.clock.nowMs(),
    didLimits.catchUpPeriodsMax)) {
    const amountMicros = periodFeeMicros({ monthlyMicros: holding.monthlyMicros, period,
      startedAtMs: holding.startedAtMs, zone: account.timeZone,
      firstPeriod: holding.firstPeriod });
    if (amountMicros > 0n) {
      const fee = await postFee(deps, { holding, payer: account, amountMicros,
        overdraft: 'allow', key: `did:${holding.id}:${period.startMs}`,
        reference: `rc:DID +${holding.number} monthly ${period.key}` });
      if (!fee.ok) return { ...fee, setupPosted: true };
      if (!fee.value) posted += 1;
    }
    await deps.store.advanceCursor(holding.id, period.endMs);
  }
  return success(posted);
}

/** One fee through the ledger; the value says whether it was a replay. */
async function postFee(deps: DidDeps, fee: { holding: DidHolding; payer: Account;
  amountMicros: Micros; key: string; reference: string; overdraft: 'refuse' | 'allow' }):
  Promise<Result<boolean, LedgerCode>> {
  const { holding, payer } = fee;
  const carrier = holding.kind === 'carrier';
  assert(carrier ? payer.parentId === null : payer.parentId !== null,
    'a carrier hold is the operator\'s, a parent hold is below it');
  const charged = await deps.ledger.postCharge({ reference: fee.reference,
    idempotencyKey: fee.key, overdraft: fee.overdraft,
    legs: [{ accountId: holding.accountId, parentId: carrier ? null : holding.payeeAccountId,
      currency: holding.currency, amountMicros: fee.amountMicros,
      ...(carrier ? { payeeAccountId: holding.payeeAccountId } : {}) }] });
  if (!charged.ok) return charged;
  return success(charged.value.replayed);
}
