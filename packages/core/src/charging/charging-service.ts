import type { Result } from '../kernel/result.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';
import type { CreateBundleInput } from './bundles.ts';
import type { KillInput } from './kill-session.ts';
import type { BundleRecord } from './session-record.ts';
import type {
  AuthorizeInput,
  Cdr,
  ChargingCode,
  EventAnswer,
  EventInput,
  GrantAnswer,
  KillAnswer,
  LiveSessionView,
  RefusalAnswer,
  TerminateAnswer,
  TerminateInput,
  UpdateInput,
} from './charging-types.ts';

/** A malformed or out-of-sequence request: nothing was written. */
export type ChargingResult<T> = Result<T, ChargingCode | LedgerCode>;

export interface CdrQuery {
  /** Only CDRs of this account's subtree (tenant scope). */
  readonly scopeAccountId: string;
  /** Only CDRs of this customer. */
  readonly accountId?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  /** CDR ids sort by end time; a page starts after this id. */
  readonly afterId?: string;
  readonly limit: number;
}

export interface LiveSessionQuery {
  readonly scopeAccountId: string;
  readonly afterSessionId?: string;
  readonly limit: number;
}

export interface SweepOutcome {
  /** Sessions closed by this sweep, with disposition `timeout`. */
  readonly closed: number;
  /** True when the batch bound was reached: more may be waiting. */
  readonly more: boolean;
}

/**
 * The online charging use cases, shared by every protocol front end (HTTP, later Diameter and
 * RADIUS). Refusals (no funds, no rate, ...) are answers: stored and replayed like grants.
 */
export interface ChargingService {
  authorize(input: AuthorizeInput): Promise<ChargingResult<GrantAnswer | RefusalAnswer>>;
  update(input: UpdateInput): Promise<ChargingResult<GrantAnswer>>;
  terminate(input: TerminateInput): Promise<ChargingResult<TerminateAnswer>>;
  event(input: EventInput): Promise<ChargingResult<EventAnswer | RefusalAnswer>>;
  /** kill_session: settles a live call now, disposition `killed` (kill-session.ts). */
  kill(input: KillInput): Promise<ChargingResult<KillAnswer>>;
  /** Closes sessions whose reservation deadline passed (switch crashed, BYE lost). */
  sweepStaleSessions(): Promise<SweepOutcome>;
  listLiveSessions(query: LiveSessionQuery): Promise<ChargingResult<LiveSessionView[]>>;
  listCdrs(query: CdrQuery): Promise<ChargingResult<Cdr[]>>;
  getSessionAccountId(sessionId: string): Promise<string | null>;
  /** Free seconds for an account (rating.md, bundles); idempotent by bundle id. */
  createBundle(input: CreateBundleInput): Promise<ChargingResult<BundleRecord>>;
  listBundles(accountId: string): Promise<ChargingResult<BundleRecord[]>>;
}
