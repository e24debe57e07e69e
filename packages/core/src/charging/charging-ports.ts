import type { Clock } from '../kernel/clock.ts';
import type { LedgerStore, LedgerTransaction } from '../ledger/ledger-store.ts';
import type { RoutingProvider } from '../routing/routing-ports.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import type { Cdr, LiveSessionView } from './charging-types.ts';
import type { CdrQuery, LiveSessionQuery } from './charging-service.ts';
import type { BundleRecord, SessionRecord } from './session-record.ts';

/** Parsed rate decks by id. Decks are immutable once imported, so a cache never goes stale. */
export interface DeckProvider {
  /** Loads the deck when it is not in memory (storage I/O); null when there is no such deck. */
  getDeck(deckId: string): Promise<RateDeck | null>;
  /** The deck if it is in memory now, without I/O; undefined when it would have to be loaded. */
  loadedDeck(deckId: string): RateDeck | undefined;
}

/**
 * The charging layer's storage: the ledger's transaction plus sessions, CDRs and bundles, so
 * that a commit, its session update and its CDR are written together or not at all.
 */
export interface ChargingStore extends LedgerStore {
  transaction<T>(
    work: (tx: ChargingTransaction) => Promise<T>,
    options?: { readonly readOnly?: boolean },
  ): Promise<T>;
}

export interface ChargingTransaction extends LedgerTransaction {
  findSession(sessionId: string): Promise<SessionRecord | null>;
  /** Inserts the session and, for a live one, one session_levels row per account of its chain. */
  insertSession(session: SessionRecord): Promise<void>;
  /** Replaces the mutable fields; a session leaving `live` loses its session_levels rows. */
  updateSession(session: SessionRecord): Promise<void>;
  /** Live sessions that have each account in their chain. */
  countLiveSessions(accountIds: readonly string[]): Promise<Map<string, number>>;
  /** Live sessions routed to each carrier. */
  countLiveCarrierSessions(carrierIds: readonly string[]): Promise<Map<string, number>>;
  /** Live sessions whose deadline is at or before `nowMs`, earliest first. */
  listStaleSessions(nowMs: number, limit: number): Promise<SessionRecord[]>;
  listLiveSessions(query: LiveSessionQuery): Promise<LiveSessionView[]>;
  /** Inserts the CDR and one cdr_levels row per account of its chain. */
  insertCdr(cdr: Cdr): Promise<void>;
  listCdrs(query: CdrQuery): Promise<Cdr[]>;
  findBundles(accountId: string): Promise<BundleRecord[]>;
  insertBundle(bundle: BundleRecord): Promise<void>;
  /** Adds `deltaSeconds` (negative to take) to a bundle's remaining seconds. */
  addBundleSeconds(bundleId: string, deltaSeconds: number): Promise<void>;
}

export interface ChargingSettings {
  /** The longest grant (charging.md: the slice), default 60 s. */
  readonly sliceSeconds: number;
  /** The longest a call may last in total. */
  readonly callDurationSecondsMax: number;
  /**
   * How long past a grant's end a session may stay silent before the sweeper closes it. Also
   * how long after start-up the sweeper waits, so a restart never mass-terminates live calls
   * whose switches could not reach Tollgate while it was down.
   */
  readonly sessionGraceMs: number;
  /** Sessions closed per sweep at most. */
  readonly sweepBatchMax: number;
  /** What a timed-out session pays for: the seconds it reported, or all it was granted. */
  readonly staleSessionCharge: 'reported' | 'granted';
}

export const chargingDefaults: ChargingSettings = {
  sliceSeconds: 60,
  callDurationSecondsMax: 4 * 3600,
  sessionGraceMs: 30_000,
  sweepBatchMax: 500,
  staleSessionCharge: 'reported',
};

export interface ChargingDeps {
  readonly store: ChargingStore;
  readonly clock: Clock;
  readonly decks: DeckProvider;
  readonly settings: ChargingSettings;
  /** When the process started: the sweeper holds off for one grace period after it. */
  readonly startedAtMs: number;
  /** Carriers and route plans; absent: no call is routed. */
  readonly routing?: RoutingProvider;
}
