import type { AccountId } from '../ledger/account.ts';
import type { AssuranceDeps } from './assurance-deps.ts';
import { assuranceLimits } from './assurance-limits.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';
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
  if (!(query.fromMs < query.toMs) || query.toMs - query.fromMs > assuranceLimits.periodMsMax) {
    return assuranceProblem('invalid_period', 'from must be before to, at most a year apart');
  }
  return deps.store.transaction(async (tx) => {
    if (await tx.findAccount(query.accountId as AccountId) === null) {
      return assuranceProblem('account_not_found', `no account ${query.accountId}`);
    }
    const tally = emptyMarginTally();
    let afterId: string | undefined;
    for (let read = 0; ; read += assuranceLimits.pageSizeMax) {
      if (read > assuranceLimits.cdrsPerRunMax) {
        return assuranceProblem('too_many_cdrs', `more than ${assuranceLimits.cdrsPerRunMax} ` +
          'CDRs in the period: report shorter periods');
      }
      const page = await tx.listCdrs({ scopeAccountId: query.accountId, fromMs: query.fromMs,
        toMs: query.toMs, limit: assuranceLimits.pageSizeMax,
        ...(afterId === undefined ? {} : { afterId }) });
      tallyMargins(tally, page, { accountId: query.accountId, showCarrier: query.showCarrier });
      if (page.length < assuranceLimits.pageSizeMax) break;
      afterId = page.at(-1)!.id;
    }
    const rows = marginRowsOf(tally);
    return { ok: true as const, value: { accountId: query.accountId, fromMs: query.fromMs,
      toMs: query.toMs, rows, totals: marginTotalsOf(rows) } };
  }, { readOnly: true });
}
