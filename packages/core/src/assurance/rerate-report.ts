import type { Cdr } from '../charging/charging-types.ts';
import type { AccountId } from '../ledger/account.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import type { AssuranceDeps } from './assurance-deps.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';
import { checkPeriod, forEachPeriodCdrPage } from './period-cdrs.ts';
import {
  addRerated,
  rerateCdr,
  turnsUnprofitable,
  type RerateCall,
  type RerateSide,
  type RerateSums,
} from './rerate.ts';

export interface RerateQuery {
  readonly accountId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly side: RerateSide;
  readonly deck: RateDeck;
  /** Only the calls this carrier carried (any of these stored ids), when set. */
  readonly carrierIds: readonly string[] | null;
}

export interface RerateReport {
  readonly accountId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly side: RerateSide;
  /** Per destination (the prefix that priced the re-rated side before), by prefix. */
  readonly rows: readonly RerateSums[];
  readonly total: RerateSums | null;
  /** Calls profitable before and at a loss with the new deck (the first of them). */
  readonly unprofitable: readonly RerateCall[];
  readonly unprofitableCount: number;
  /** Calls the new deck cannot price (no rate, another currency): left out of the sums. */
  readonly unratedCount: number;
}

/** Calls listed as turning unprofitable; the count is exact. */
const unprofitableListedMax = 1_000;

/**
 * Re-rates the CDRs of a level ended in a period against another deck, old vs new per
 * destination and in total, without touching money: one read-only snapshot, tallied page by
 * page.
 */
export async function rerateReport(deps: AssuranceDeps, query: RerateQuery):
  Promise<AssuranceResult<RerateReport>> {
  const period = checkPeriod(query);
  if (!period.ok) return period;
  return deps.store.transaction(async (tx) => {
    if (await tx.findAccount(query.accountId as AccountId) === null) {
      return assuranceProblem('account_not_found', `no account ${query.accountId}`);
    }
    const tally = { rows: new Map<string, RerateSums>(), total: new Map<string, RerateSums>(),
      unprofitable: [] as RerateCall[], unprofitableCount: 0, unratedCount: 0 };
    const read = await forEachPeriodCdrPage(tx, { scopeAccountId: query.accountId,
      fromMs: query.fromMs, toMs: query.toMs }, (page) => tallyPage(tally, page, query));
    if (!read.ok) return read;
    return { ok: true as const, value: { accountId: query.accountId, fromMs: query.fromMs,
      toMs: query.toMs, side: query.side,
      rows: [...tally.rows.values()].sort((a, b) =>
        (a.prefix ?? '') < (b.prefix ?? '') ? -1 : 1),
      total: tally.total.get('total') ?? null, unprofitable: tally.unprofitable,
      unprofitableCount: tally.unprofitableCount, unratedCount: tally.unratedCount } };
  }, { readOnly: true });
}

function tallyPage(tally: { rows: Map<string, RerateSums>; total: Map<string, RerateSums>;
  unprofitable: RerateCall[]; unprofitableCount: number; unratedCount: number },
  cdrs: readonly Cdr[], query: RerateQuery): void {
  for (const cdr of cdrs) {
    if (query.carrierIds !== null &&
      !query.carrierIds.includes(cdr.carrier?.carrierId ?? '')) continue;
    const outcome = rerateCdr(cdr, query);
    if (outcome.status === 'not_applicable') continue;
    if (outcome.status === 'unrated') {
      tally.unratedCount += 1;
      continue;
    }
    const { call } = outcome;
    addRerated(tally.rows, call, call.prefix ?? '');
    addRerated(tally.total, call, 'total');
    if (!turnsUnprofitable(call)) continue;
    tally.unprofitableCount += 1;
    if (tally.unprofitable.length < unprofitableListedMax) tally.unprofitable.push(call);
  }
}
