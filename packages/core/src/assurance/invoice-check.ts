import type { Cdr } from '../charging/charging-types.ts';
import type { AccountId } from '../ledger/account.ts';
import type { AssuranceDeps } from './assurance-deps.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';
import { checkPeriod, forEachPeriodCdrPage } from './period-cdrs.ts';
import type { CarrierRecord } from './carrier-file.ts';
import {
  matchCarrierRecords,
  type CarriedCall,
  type InvoiceMatch,
  type MatchSettings,
} from './carrier-match.ts';

export interface InvoiceCheckQuery {
  /** The operator the carrier belongs to. */
  readonly rootAccountId: string;
  /** The carrier's stored id. */
  readonly carrierId: string;
  /** The invoice's period, by call start. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly records: readonly CarrierRecord[];
  readonly settings: MatchSettings;
}

export interface InvoiceCheck extends InvoiceMatch {
  readonly records: number;
  /** Our calls of the period carried by the carrier. */
  readonly calls: number;
}

/**
 * CDRs are listed by end time: a call that started in the period (or its window) ended at most
 * this long after. The default longest call is 4 hours (`callDurationSecondsMax`).
 */
const callEndsWithinMs = 4 * 3_600_000;

/**
 * The carrier invoice check: the carrier's records against our calls it carried (their start
 * in the period, widened by the matching window so that calls near the edges can pair).
 * Matched, mispriced, missing on either side, and sums per destination. Reads one snapshot.
 */
export async function checkCarrierInvoice(deps: AssuranceDeps, query: InvoiceCheckQuery):
  Promise<AssuranceResult<InvoiceCheck>> {
  const period = checkPeriod(query);
  if (!period.ok) return period;
  const window = query.settings.timeWindowMs;
  const read = await deps.store.transaction(async (tx) => {
    if (await tx.findAccount(query.rootAccountId as AccountId) === null) {
      return assuranceProblem('account_not_found', 'no such operator');
    }
    const carried: CarriedCall[] = [];
    const paged = await forEachPeriodCdrPage(tx, { scopeAccountId: query.rootAccountId,
      fromMs: query.fromMs - window, toMs: query.toMs + window + callEndsWithinMs },
    (page) => carried.push(...page.flatMap((cdr) => carriedOf(cdr, query))));
    return paged.ok ? { ok: true as const, value: carried } : paged;
  }, { readOnly: true });
  if (!read.ok) return read;
  const calls = read.value;
  const match = matchCarrierRecords(query.records, calls, query.settings);
  // Calls of the widened edges that found no record belong to the neighbouring invoices.
  const missingTheirs = match.missingTheirs.filter((call) =>
    call.startedAtMs >= query.fromMs && call.startedAtMs < query.toMs);
  return { ok: true, value: { ...match, missingTheirs, records: query.records.length,
    calls: calls.filter((call) => call.startedAtMs >= query.fromMs &&
      call.startedAtMs < query.toMs).length } };
}

function carriedOf(cdr: Cdr, query: InvoiceCheckQuery): CarriedCall[] {
  const carrier = cdr.carrier;
  // An attempt that was never answered is not billed by a carrier.
  if (carrier === null || carrier.carrierId !== query.carrierId || cdr.usedSeconds === 0) {
    return [];
  }
  const window = query.settings.timeWindowMs;
  if (cdr.startedAtMs < query.fromMs - window || cdr.startedAtMs >= query.toMs + window) {
    return [];
  }
  return [{ sessionId: cdr.sessionId, startedAtMs: cdr.startedAtMs, caller: cdr.caller,
    callee: cdr.callee, usedSeconds: cdr.usedSeconds, prefix: carrier.prefix,
    costMicros: carrier.costMicros }];
}
