import { formatIsoInstant, micros, type RerateReport, type RerateSums } from '@tollgate/core';
import type { Static } from 'typebox';
import { formatMoney } from '../http/convert.ts';
import type { ShowId } from './assurance-convert.ts';
import type { RerateView } from './assurance-schemas.ts';

function toApiSums(sums: RerateSums, prefix: string | null) {
  const oldMargin = sums.oldRevenueMicros - sums.oldCostMicros;
  const newMargin = sums.newRevenueMicros - sums.newCostMicros;
  return { prefix, calls: sums.calls, old_revenue: formatMoney(sums.oldRevenueMicros),
    new_revenue: formatMoney(sums.newRevenueMicros), old_cost: formatMoney(sums.oldCostMicros),
    new_cost: formatMoney(sums.newCostMicros), old_margin: formatMoney(micros(oldMargin)),
    new_margin: formatMoney(micros(newMargin)),
    difference: formatMoney(micros(newMargin - oldMargin)) };
}

export function toApiRerate(report: RerateReport, deckId: string, shown: ShowId):
  Static<typeof RerateView> {
  return { account_id: report.accountId, from: formatIsoInstant(report.fromMs),
    to: formatIsoInstant(report.toMs), side: report.side, deck_id: deckId,
    rows: report.rows.map((row) => toApiSums(row, row.prefix)),
    total: report.total === null ? null : toApiSums(report.total, null),
    unprofitable_count: report.unprofitableCount,
    unprofitable: report.unprofitable.map((call) => ({ session_id: shown(call.sessionId),
      callee: call.callee, prefix: call.prefix,
      old_margin: formatMoney(micros(call.oldRevenueMicros - call.oldCostMicros)),
      new_margin: formatMoney(micros(call.newRevenueMicros - call.newCostMicros)),
      new_revenue: formatMoney(call.newRevenueMicros),
      new_cost: formatMoney(call.newCostMicros) })),
    unrated_count: report.unratedCount };
}
