import type { AccountId } from '../ledger/account.ts';
import type { AssuranceDeps } from './assurance-deps.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';
import { checkPeriod, forEachPeriodCdrPage } from './period-cdrs.ts';
import {
  emptyMarginTally,
  marginRowsOf,
  marginTotalsOf,
  tallyMargins,
  type MarginRow,
} from './margin.ts';

export interface MarginQuery {
  readonly accountId: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The root's carriers are shown only to the operator and the root's own keys. */
  readonly showCarrier: boolean;
}

export interface MarginReport {
  readonly accountId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly rows: readonly MarginRow[];
  readonly totals: readonly MarginRow[];
}

/**
 * The margin of one account's level over the CDRs that ended in the period, per destination
 * (and carrier, for a root shown to its operator). Reads one snapshot page by page and keeps
 * only the tally, never the CDRs.
 */
export async function marginReport(deps: AssuranceDeps, query: MarginQuery):
  Promise<AssuranceResult<MarginReport>> {
  const period = checkPeriod(query);
  if (!period.ok) return period;
  return deps.store.transaction(async (tx) => {
    if (await tx.findAccount(query.accountId as AccountId) === null) {
      return assuranceProblem('account_not_found', `no account ${query.accountId}`);
    }
    const tally = emptyMarginTally();
    const read = await forEachPeriodCdrPage(tx, { scopeAccountId: query.accountId,
      fromMs: query.fromMs, toMs: query.toMs }, (page) => tallyMargins(tally, page,
      { accountId: query.accountId, showCarrier: query.showCarrier }));
    if (!read.ok) return read;
    const rows = marginRowsOf(tally);
    return { ok: true as const, value: { accountId: query.accountId, fromMs: query.fromMs,
      toMs: query.toMs, rows, totals: marginTotalsOf(rows) } };
  }, { readOnly: true });
}
