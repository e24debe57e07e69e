import type { Cdr } from '../charging/charging-types.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import { assuranceLimits } from './assurance-limits.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';

/** A period from..to must be forward and at most `periodMsMax` long. */
export function checkPeriod(period: { fromMs: number; toMs: number }):
  AssuranceResult<null> {
  if (!(period.fromMs < period.toMs) ||
    period.toMs - period.fromMs > assuranceLimits.periodMsMax) {
    return assuranceProblem('invalid_period', 'from must be before to, at most a year apart');
  }
  return { ok: true, value: null };
}

/**
 * Hands the CDRs of a subtree ended in [fromMs, toMs) to `visit`, a page at a time, so a
 * report keeps only what it tallies. Past `cdrsPerRunMax` it stops with `too_many_cdrs`.
 */
export async function forEachPeriodCdrPage(tx: ChargingTransaction, query: {
  scopeAccountId: string; fromMs: number; toMs: number },
visit: (page: readonly Cdr[]) => void): Promise<AssuranceResult<null>> {
  let afterId: string | undefined;
  for (let read = 0; ; read += assuranceLimits.pageSizeMax) {
    if (read > assuranceLimits.cdrsPerRunMax) {
      return assuranceProblem('too_many_cdrs', `more than ${assuranceLimits.cdrsPerRunMax} ` +
        'CDRs in the period: ask for shorter periods');
    }
    const page = await tx.listCdrs({ ...query, limit: assuranceLimits.pageSizeMax,
      ...(afterId === undefined ? {} : { afterId }) });
    visit(page);
    if (page.length < assuranceLimits.pageSizeMax) return { ok: true, value: null };
    afterId = page.at(-1)!.id;
  }
}
