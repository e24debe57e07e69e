import type { Micros } from '../kernel/money.ts';
import type { TransferId } from '../ledger/transfer.ts';

/**
 * What a reconciliation can find. Each kind names one fault, so an operator (or a test that
 * injected it) can tell which:
 * - `level_charge_mismatch`: a CDR level's cost differs from the charges its account posted
 *   for that call;
 * - `cdr_without_transfer`: a CDR level that cost money has no charge at all;
 * - `transfer_without_cdr`: charges of a session that has no CDR and is not live;
 * - `carrier_accrual_mismatch`: what the root owes the carrier for a call (its CDR level)
 *   differs from what the carrier's account accrued;
 * - `carrier_cost_mismatch`: the carrier's own figure on the CDR differs from the root level's
 *   cost in the same currency;
 * - `session_without_hold`: a live session with no open reservation;
 * - `hold_without_session`: money held on a book beyond the holds of its live sessions;
 * - `posted_mismatch`, `pending_mismatch`, `negative_pending`, `currency_unbalanced`: the
 *   ledger's own verification (projection vs journal, every currency sums to zero).
 */
export const reconcileFindingKinds = [
  'level_charge_mismatch',
  'cdr_without_transfer',
  'transfer_without_cdr',
  'carrier_accrual_mismatch',
  'carrier_cost_mismatch',
  'session_without_hold',
  'hold_without_session',
  'posted_mismatch',
  'pending_mismatch',
  'negative_pending',
  'currency_unbalanced',
] as const;
export type ReconcileFindingKind = (typeof reconcileFindingKinds)[number];

export interface ReconcileFinding {
  readonly kind: ReconcileFindingKind;
  readonly accountId: string | null;
  readonly sessionId: string | null;
  readonly carrierId: string | null;
  readonly currency: string | null;
  /** What the other side (the CDR, the live sessions, the journal) says it should be. */
  readonly expectedMicros: Micros;
  /** What the ledger holds. */
  readonly actualMicros: Micros;
  /** The transfers involved (at most `transfersPerFindingMax`). */
  readonly transferIds: readonly TransferId[];
}

/** One account's calls of the period: what its CDR levels say and what it was charged. */
export interface LevelTotal {
  readonly accountId: string;
  readonly currency: string;
  readonly calls: number;
  readonly cdrMicros: Micros;
  readonly ledgerMicros: Micros;
}

/** One carrier's calls of the period: the root's cost on the CDRs and what was accrued. */
export interface CarrierTotal {
  readonly carrierId: string;
  readonly currency: string;
  readonly calls: number;
  readonly cdrMicros: Micros;
  readonly accruedMicros: Micros;
}

export interface ReconcileReport {
  readonly scopeAccountId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly accountsChecked: number;
  readonly cdrsChecked: number;
  readonly transfersChecked: number;
  readonly liveSessionsChecked: number;
  readonly levels: readonly LevelTotal[];
  readonly carriers: readonly CarrierTotal[];
  /** Every currency's whole journal: zero on a healthy ledger. */
  readonly journalNetByCurrency: ReadonlyMap<string, Micros>;
  readonly findingCount: number;
  readonly findings: readonly ReconcileFinding[];
  readonly ok: boolean;
}
