import type { Cdr, CdrLevel } from '../charging/charging-types.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { mainBookId } from '../ledger/book.ts';
import type { AccountId } from '../ledger/account.ts';
import type { Transfer } from '../ledger/transfer.ts';
import { assuranceLimits } from './assurance-limits.ts';
import type {
  CarrierTotal,
  LevelTotal,
  ReconcileFinding,
  ReconcileFindingKind,
} from './reconcile-types.ts';

/**
 * Rated CDRs against the ledger, call by call: each CDR level of an account in the scope must
 * equal the charges that account's main book posted for the session (refunds are later
 * corrections, not part of the rating, so they are left out). Pure: the use case reads.
 */
export interface CallChargesInput {
  readonly scopeAccountIds: ReadonlySet<string>;
  /** CDRs ended in the period, in the scope. */
  readonly cdrs: readonly Cdr[];
  /** Charge transfers debiting the scope's main books, by session. */
  readonly chargesBySession: ReadonlyMap<string, readonly Transfer[]>;
}

export interface CallChargesResult {
  readonly findings: ReconcileFinding[];
  readonly levels: LevelTotal[];
  readonly carriers: CarrierTotal[];
}

export function compareCallCharges(input: CallChargesInput): CallChargesResult {
  const findings: ReconcileFinding[] = [];
  const levels = new Map<string, { currency: string; calls: number; cdr: bigint;
    ledger: bigint }>();
  const carriers = new Map<string, { currency: string; calls: number; cdr: bigint;
    accrued: bigint }>();
  for (const cdr of input.cdrs) {
    const charges = input.chargesBySession.get(cdr.sessionId) ?? [];
    for (const [index, level] of cdr.levels.entries()) {
      if (!input.scopeAccountIds.has(level.accountId)) continue;
      const own = charges.filter((transfer) =>
        transfer.debitBookId === mainBookId(level.accountId as AccountId));
      const ledgerMicros = own.reduce((sum, transfer) => sum + transfer.amountMicros, 0n);
      const total = levels.get(level.accountId) ??
        { currency: level.currency, calls: 0, cdr: 0n, ledger: 0n };
      total.calls += 1;
      total.cdr += level.costMicros;
      total.ledger += ledgerMicros;
      levels.set(level.accountId, total);
      const carrierLeg = index === cdr.levels.length - 1 && cdr.carrier !== null;
      if (carrierLeg && cdr.carrier !== null) {
        const carrier = carriers.get(cdr.carrier.carrierId) ??
          { currency: level.currency, calls: 0, cdr: 0n, accrued: 0n };
        carrier.calls += 1;
        carrier.cdr += level.costMicros;
        carrier.accrued += ledgerMicros;
        carriers.set(cdr.carrier.carrierId, carrier);
        findings.push(...carrierCostFindings(cdr, level));
      }
      if (ledgerMicros === level.costMicros) continue;
      findings.push(levelFinding({ cdr, level, own, ledgerMicros,
        kind: own.length === 0 ? 'cdr_without_transfer'
          : carrierLeg ? 'carrier_accrual_mismatch' : 'level_charge_mismatch' }));
    }
  }
  return {
    findings,
    levels: [...levels].map(([accountId, total]) => ({ accountId, currency: total.currency,
      calls: total.calls, cdrMicros: micros(total.cdr), ledgerMicros: micros(total.ledger) })),
    carriers: [...carriers].map(([carrierId, total]) => ({ carrierId,
      currency: total.currency, calls: total.calls, cdrMicros: micros(total.cdr),
      accruedMicros: micros(total.accrued) })),
  };
}

function levelFinding(options: { cdr: Cdr; level: CdrLevel; own: readonly Transfer[];
  ledgerMicros: bigint; kind: ReconcileFindingKind }): ReconcileFinding {
  const { cdr, level } = options;
  return { kind: options.kind, accountId: level.accountId, sessionId: cdr.sessionId,
    carrierId: options.kind === 'carrier_accrual_mismatch' ? cdr.carrier?.carrierId ?? null
      : null,
    currency: level.currency, expectedMicros: level.costMicros,
    actualMicros: micros(options.ledgerMicros), transferIds: transferIdsOf(options.own) };
}

/** In one currency, the carrier's figure and the root level's cost are the same amount. */
function carrierCostFindings(cdr: Cdr, rootLevel: CdrLevel): ReconcileFinding[] {
  const carrier = cdr.carrier;
  if (carrier === null || carrier.currency !== rootLevel.currency) return [];
  if (carrier.costMicros === rootLevel.costMicros) return [];
  return [{ kind: 'carrier_cost_mismatch', accountId: rootLevel.accountId,
    sessionId: cdr.sessionId, carrierId: carrier.carrierId, currency: carrier.currency,
    expectedMicros: carrier.costMicros, actualMicros: rootLevel.costMicros, transferIds: [] }];
}

export function transferIdsOf(transfers: readonly Transfer[]): Transfer['id'][] {
  return transfers.slice(0, assuranceLimits.transfersPerFindingMax)
    .map((transfer) => transfer.id);
}

/**
 * Charges of sessions that have no CDR and are not live: money moved for a call that, as far
 * as the CDRs know, never happened. One finding per session and paying account.
 */
export function orphanChargeFindings(orphans: ReadonlyMap<string, readonly Transfer[]>):
  ReconcileFinding[] {
  const findings: ReconcileFinding[] = [];
  for (const [sessionId, transfers] of orphans) {
    const byBook = new Map<string, Transfer[]>();
    for (const transfer of transfers) {
      byBook.set(transfer.debitBookId, [...(byBook.get(transfer.debitBookId) ?? []), transfer]);
    }
    for (const [bookId, own] of byBook) {
      const actual: Micros = micros(own.reduce((sum, transfer) => sum + transfer.amountMicros,
        0n));
      findings.push({ kind: 'transfer_without_cdr', accountId: bookId.split('/')[0] ?? null,
        sessionId, carrierId: null, currency: own[0]?.currency ?? null,
        expectedMicros: micros(0n), actualMicros: actual, transferIds: transferIdsOf(own) });
    }
  }
  return findings;
}
