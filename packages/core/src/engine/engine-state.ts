import type { Micros } from '../kernel/money.ts';
import type { Account } from '../ledger/account.ts';
import type { BookBalance } from '../ledger/book.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import type { IdempotentOutcome } from '../ledger/idempotency.ts';
import type { Reservation } from '../ledger/reservation.ts';
import type { SpendWindowKey } from '../ledger/spend-window.ts';
import type { BundleRecord, SessionRecord } from '../charging/session-record.ts';
import type { EngineSnapshot, ExchangeRatePair } from './engine-storage.ts';

/**
 * What a decision needs that memory does not know yet. The decision is undone, the engine loads
 * what is named (outside the decision queue, so other decisions go on), and runs it again.
 */
export interface EngineNeeds {
  readonly accounts?: readonly string[];
  readonly sessions?: readonly string[];
  readonly reservations?: readonly string[];
  readonly spend?: readonly SpendWindowKey[];
  readonly bundleAccounts?: readonly string[];
  readonly bundleIds?: readonly string[];
  readonly outcomes?: readonly string[];
  readonly ratePairs?: readonly ExchangeRatePair[];
  readonly transferIds?: number;
}

/**
 * Thrown by a primitive that meets an unknown key; caught by the engine, never seen outside it.
 * Not an Error on purpose: every new session id faults once, and capturing a stack trace each
 * time was a visible share of an authorize's CPU.
 */
export class EngineFault {
  readonly name = 'EngineFault';
  readonly needs: EngineNeeds;

  constructor(needs: EngineNeeds) {
    this.needs = needs;
  }
}

/** Sessions of other engines' trees remembered at most (see EngineState.foreignSessions). */
export const foreignSessionsKeptMax = 100_000;

export function ratePairKey(pair: ExchangeRatePair): string {
  return `${pair.fromCurrency}/${pair.toCurrency}`;
}

/**
 * Where a load found nothing, for ids any node may create (accounts, sessions, reservations,
 * bundles, idempotency keys): absence is known only to the decision that asked, for its next
 * attempt, never kept in memory, because another node may create the id in a tree it owns.
 */
export type AbsentKey = `${'account' | 'session' | 'reservation' | 'bundle' | 'outcome'}:${string}`;

/**
 * The state the owner decides on, in memory. A key not in a map is unknown and must be loaded
 * before use (an absent one is known per decision, see AbsentKey); spend windows, which only
 * the owner of their account writes, keep null for "no window stored yet". Only the owner
 * writes these values, so what memory holds is always at least as new as storage.
 */
export class EngineState {
  readonly accounts = new Map<string, Account>();
  /** Parent id -> ids of its children, for listChildren without a scan. */
  readonly children = new Map<string, Set<string>>();
  readonly books = new Map<string, BookBalance>();
  readonly reservations = new Map<string, Reservation>();
  readonly sessions = new Map<string, SessionRecord>();
  /** Live sessions per account of their chains, and per carrier. */
  readonly liveByAccount = new Map<string, number>();
  readonly liveByCarrier = new Map<string, number>();
  /** spendKey -> spent; null: no window stored yet. */
  readonly spend = new Map<string, Micros | null>();
  readonly bundles = new Map<string, BundleRecord>();
  /** Accounts whose bundles are all in `bundles`. */
  readonly bundleAccounts = new Set<string>();
  readonly outcomes = new Map<string, IdempotentOutcome>();
  /** Rates of each known pair, any validity. */
  readonly rates = new Map<string, ExchangeRate[]>();
  /** Transfer ids handed out by storage and not used yet, in increasing order. */
  readonly transferIds: bigint[] = [];
  /**
   * Accounts and sessions of trees another engine owns, with their root: a request that
   * touches one is handed to the owner at once, without loading it again. Dropped with memory
   * (a change of the owned trees reloads it).
   */
  readonly foreignRoots = new Map<string, string>();
  readonly foreignSessions = new Map<string, string>();

  /** Remembers a session of another engine's tree; the oldest are forgotten past the bound. */
  noteForeignSession(sessionId: string, rootId: string): void {
    this.foreignSessions.set(sessionId, rootId);
    if (this.foreignSessions.size <= foreignSessionsKeptMax) return;
    const oldest = this.foreignSessions.keys().next();
    if (oldest.done !== true) this.foreignSessions.delete(oldest.value);
  }

  static fromSnapshot(snapshot: EngineSnapshot): EngineState {
    const state = new EngineState();
    for (const account of snapshot.accounts) state.putAccount(account);
    for (const book of snapshot.books) state.books.set(book.id, book);
    for (const reservation of snapshot.openReservations) {
      state.reservations.set(reservation.id, reservation);
    }
    for (const session of snapshot.liveSessions) state.putSession(session);
    return state;
  }

  putAccount(account: Account): void {
    const before = this.accounts.get(account.id);
    if (before !== undefined && before.parentId !== null) {
      this.children.get(before.parentId)?.delete(account.id);
    }
    this.accounts.set(account.id, account);
    if (account.parentId === null) return;
    let siblings = this.children.get(account.parentId);
    if (siblings === undefined) {
      siblings = new Set();
      this.children.set(account.parentId, siblings);
    }
    siblings.add(account.id);
  }

  /** Sets a session, keeping the live counts in step with its state. */
  putSession(session: SessionRecord): void {
    this.dropSession(session.sessionId);
    this.sessions.set(session.sessionId, session);
    if (session.state === 'live') this.countLive(session, 1);
  }

  dropSession(id: string): void {
    const before = this.sessions.get(id);
    if (before?.state === 'live') this.countLive(before, -1);
    this.sessions.delete(id);
  }

  private countLive(session: SessionRecord, step: 1 | -1): void {
    // As storage counts them: one per account of the chain (session_levels).
    const accountIds = new Set(session.levels.map((level) => level.accountId));
    for (const id of accountIds) addCount(this.liveByAccount, id, step);
    if (session.carrierId !== null) addCount(this.liveByCarrier, session.carrierId, step);
  }
}

function addCount(counts: Map<string, number>, key: string, step: number): void {
  const next = (counts.get(key) ?? 0) + step;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
