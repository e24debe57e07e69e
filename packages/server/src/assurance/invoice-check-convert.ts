import { formatIsoInstant, micros, type InvoiceCheck } from '@tollgate/core';
import type { Static } from 'typebox';
import { formatMoney } from '../http/convert.ts';
import type { ShowId } from './assurance-convert.ts';
import type { InvoiceCheckView } from './assurance-schemas.ts';

/** Lines listed per kind (mispriced, missing either side); the counts say how many in all. */
export const invoiceLinesListedMax = 5_000;

export function toApiInvoiceCheck(check: InvoiceCheck, period: { carrierId: string;
  fromMs: number; toMs: number }, shown: ShowId): Static<typeof InvoiceCheckView> {
  const listed = <T>(items: readonly T[]) => items.slice(0, invoiceLinesListedMax);
  return { carrier_id: period.carrierId, from: formatIsoInstant(period.fromMs),
    to: formatIsoInstant(period.toMs), records: check.records, calls: check.calls,
    matched: check.matched,
    mispriced: listed(check.mispriced).map((pair) => ({ line: pair.record.line,
      session_id: shown(pair.call.sessionId), callee: pair.call.callee,
      prefix: pair.call.prefix, theirs: formatMoney(pair.record.costMicros),
      ours: formatMoney(pair.call.costMicros), difference: formatMoney(pair.differenceMicros) })),
    missing_ours: listed(check.missingOurs).map((record) => ({ line: record.line,
      time: formatIsoInstant(record.startedAtMs), caller: record.caller,
      callee: record.callee, duration_s: record.durationSeconds,
      cost: formatMoney(record.costMicros) })),
    missing_theirs: listed(check.missingTheirs).map((call) => ({
      session_id: shown(call.sessionId), time: formatIsoInstant(call.startedAtMs),
      caller: call.caller, callee: call.callee, duration_s: call.usedSeconds,
      prefix: call.prefix, cost: formatMoney(call.costMicros) })),
    by_destination: check.byDestination.map((line) => ({ prefix: line.prefix,
      matched: line.matched, theirs: formatMoney(line.theirMicros),
      ours: formatMoney(line.ourMicros),
      difference: formatMoney(micros(line.theirMicros - line.ourMicros)) })) };
}
