import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { compareAccountIds, type Account, type AccountId } from '../ledger/account.ts';
import type { Book, BookBalance, BookDelta, BookId } from '../ledger/book.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import type { IdempotentOutcome } from '../ledger/idempotency.ts';
import type {
  BookTotal,
  ChildrenQuery,
  LockedAccount,
  TransferQuery,
} from '../ledger/ledger-store.ts';
import type { Reservation } from '../ledger/reservation.ts';
import { spendKey, type SpendWindow, type SpendWindowKey } from '../ledger/spend-window.ts';
import type { NewTransfer, Transfer, TransferId } from '../ledger/transfer.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { CdrQuery, LiveSessionQuery } from '../charging/charging-service.ts';
import type { Cdr } from '../charging/charging-types.ts';
import type { BundleRecord, SessionRecord } from '../charging/session-record.ts';
import type { EngineRecord } from './engine-records.ts';
import {
  EngineFault,
  ratePairKey,
  type AbsentKey,
  type EngineState,
} from './engine-state.ts';
import { NotOwnedHere, type TreeOwnership } from './tree-ownership.ts';

/** A read of committed state, for the few primitives memory does not serve (the journal). */
export type DurableRead = <T>(work: (tx: ChargingTransaction) => Promise<T>) => Promise<T>;

/**
 * The current decision's changes: how to undo them, and its records. The engine keeps one log
 * object and gives it fresh arrays per decision (decisions never overlap), so the transaction
 * object over it is built once, not once per request.
 */
export interface DecisionLog {
  undo: Array<() => void>;
  records: EngineRecord[];
  /** Ids the loads of this decision found absent from storage. */
  absent: ReadonlySet<AbsentKey>;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function setWithUndo<K, V>(map: Map<K, V>, key: K, value: V, undo: Array<() => void>): void {
  const had = map.has(key);
  const before = map.get(key);
  map.set(key, value);
  undo.push(() => (had ? map.set(key, before as V) : map.delete(key)));
}

/** The keys of `keys` that memory does not know; a fault names them all at once. */
function unknownOf<K>(keys: readonly K[], known: (key: K) => boolean): K[] {
  return keys.filter((key) => !known(key));
}

/**
 * The ChargingTransaction of one decision, over the engine's memory. Reads of unknown keys
 * throw an EngineFault (the engine loads them and runs the decision again); every change is
 * logged twice: how to undo it (a refused or failed decision leaves memory as it was) and as a
 * journal record (what storage must apply). Reads of the journal itself, which memory does not
 * hold, go to committed state through `durableRead`: the engine has made every earlier
 * decision durable first.
 */
export function engineTransaction(
  state: EngineState,
  log: DecisionLog,
  durableRead: DurableRead,
  ownership: TreeOwnership,
): ChargingTransaction {
  return {
    ...accountPrimitives(state, log, ownership),
    ...bookPrimitives(state, log),
    ...journalReads(durableRead),
    ...transferWrites(state, log),
    ...reservationPrimitives(state, log),
    ...sessionPrimitives(state, log, durableRead),
    ...bundlePrimitives(state, log),
    ...idempotencyAndRates(state, log),
  };
}

function accountPrimitives(state: EngineState, log: DecisionLog, ownership: TreeOwnership) {
  const known = (id: string) => state.accounts.has(id) || log.absent.has(`account:${id}`);
  /** An account of another engine's tree: the whole request goes to that tree's owner. */
  const notForeign = (id: string) => {
    const rootId = state.foreignRoots.get(id);
    if (rootId !== undefined) throw new NotOwnedHere(rootId);
  };
  const account = (id: string): Account | null => {
    notForeign(id);
    if (!known(id)) throw new EngineFault({ accounts: [id] });
    return state.accounts.get(id) ?? null;
  };
  const put = (next: Account) => {
    const before = state.accounts.get(next.id);
    state.putAccount(next);
    log.undo.push(() => {
      if (before !== undefined) {
        state.putAccount(before);
        return;
      }
      if (next.parentId !== null) state.children.get(next.parentId)?.delete(next.id);
      state.accounts.delete(next.id);
    });
  };
  return {
    async findAccount(id: AccountId) {
      return account(id);
    },
    async lockAccounts(ids: readonly AccountId[]): Promise<LockedAccount[]> {
      for (let index = 1; index < ids.length; index += 1) {
        assert(compareAccountIds(ids[index - 1] as AccountId, ids[index] as AccountId) < 0,
          'accounts are locked in the global order');
      }
      for (const id of ids) notForeign(id);
      const missing = unknownOf(ids, known);
      if (missing.length > 0) throw new EngineFault({ accounts: missing });
      const locked: LockedAccount[] = [];
      for (const id of ids) {
        const found = state.accounts.get(id);
        if (found === undefined) continue;
        const main = state.books.get(`${id}/main`);
        assert(main !== undefined, 'an account has a main book');
        locked.push({ account: found, main });
      }
      return locked;
    },
    async insertAccount(next: Account) {
      // A new root starts a tree: it is created by the engine that owns that tree.
      if (next.parentId === null && !ownership.owns(next.id)) throw new NotOwnedHere(next.id);
      assert(account(next.id) === null, 'account ids are unique');
      put(next);
      log.records.push({ kind: 'account_inserted', account: next });
    },
    async updateAccount(next: Account) {
      assert(account(next.id) !== null, 'only an existing account is updated');
      put(next);
      log.records.push({ kind: 'account_updated', account: next });
    },
    async listChildren(query: ChildrenQuery): Promise<Account[]> {
      const ids = [...(state.children.get(query.parentId) ?? [])];
      return ids.map((id) => state.accounts.get(id))
        .filter((child): child is Account => child !== undefined &&
          (query.tier === null || child.tier === query.tier) &&
          (!query.openOnly || child.state !== 'closed') &&
          (query.afterId === null || child.id > query.afterId))
        .sort((a, b) => byString(a.id, b.id))
        .slice(0, query.limit);
    },
    async listAccounts(page: { afterId: AccountId | null; limit: number }) {
      return [...state.accounts.values()]
        .filter((entry) => page.afterId === null || entry.id > page.afterId)
        .sort((a, b) => byString(a.id, b.id))
        .slice(0, page.limit);
    },
  };
}

function bookPrimitives(state: EngineState, log: DecisionLog) {
  return {
    async ensureBooks(books: readonly Book[]) {
      const created = books.filter((book) => !state.books.has(book.id));
      for (const book of created) {
        setWithUndo(state.books, book.id,
          { ...book, postedMicros: micros(0n), pendingMicros: micros(0n) }, log.undo);
      }
      if (created.length > 0) log.records.push({ kind: 'books_ensured', books: created });
    },
    async findBooks(ids: readonly BookId[]) {
      return ids.flatMap((id) => state.books.get(id) ?? []);
    },
    async findAccountBooks(accountId: AccountId) {
      const books: BookBalance[] = [];
      for (const book of state.books.values()) if (book.accountId === accountId) books.push(book);
      return books.sort((a, b) => byString(a.id, b.id));
    },
    async listBooks(page: { afterId: BookId | null; limit: number }) {
      return [...state.books.values()]
        .filter((book) => page.afterId === null || book.id > page.afterId)
        .sort((a, b) => byString(a.id, b.id))
        .slice(0, page.limit);
    },
    async applyBookDeltas(deltas: readonly BookDelta[]) {
      for (const delta of deltas) {
        const book = state.books.get(delta.bookId);
        assert(book !== undefined, 'deltas apply to existing books');
        setWithUndo(state.books, book.id, { ...book,
          postedMicros: micros(book.postedMicros + delta.postedDeltaMicros),
          pendingMicros: micros(book.pendingMicros + delta.pendingDeltaMicros) }, log.undo);
      }
      if (deltas.length > 0) log.records.push({ kind: 'book_deltas', deltas: [...deltas] });
    },
    async findSpendWindows(keys: readonly SpendWindowKey[]): Promise<SpendWindow[]> {
      const missing = unknownOf(keys, (key) => state.spend.has(spendKey(key)));
      if (missing.length > 0) throw new EngineFault({ spend: missing });
      return keys.flatMap((key): SpendWindow[] => {
        const spent = state.spend.get(spendKey(key));
        return spent === undefined || spent === null ? []
          : [{ accountId: key.accountId, periodKey: key.periodKey, spentMicros: spent }];
      });
    },
    async addSpend(windows: readonly SpendWindow[]) {
      const missing = unknownOf(windows, (key) => state.spend.has(spendKey(key)));
      if (missing.length > 0) throw new EngineFault({ spend: missing });
      for (const window of windows) {
        const key = spendKey(window);
        const spent: Micros = micros((state.spend.get(key) ?? 0n) + window.spentMicros);
        setWithUndo(state.spend, key, spent, log.undo);
      }
      if (windows.length > 0) log.records.push({ kind: 'spend_added', windows: [...windows] });
    },
  };
}

/** The journal is not kept in memory: its reads see committed state (all of it, see above). */
function journalReads(durableRead: DurableRead) {
  return {
    findTransfer: (id: TransferId) => durableRead((tx) => tx.findTransfer(id)),
    listTransfers: (query: TransferQuery) => durableRead((tx) => tx.listTransfers(query)),
    sumReversals: (id: TransferId) => durableRead((tx) => tx.sumReversals(id)),
    journalTotals: (bookIds: readonly BookId[]): Promise<BookTotal[]> =>
      durableRead((tx) => tx.journalTotals(bookIds)),
  };
}

function transferWrites(state: EngineState, log: DecisionLog) {
  return {
    async insertTransfers(transfers: readonly NewTransfer[]): Promise<Transfer[]> {
      if (state.transferIds.length < transfers.length) {
        throw new EngineFault({ transferIds: transfers.length });
      }
      const ids = state.transferIds.splice(0, transfers.length);
      log.undo.push(() => state.transferIds.unshift(...ids));
      const stored = transfers.map((transfer, index): Transfer => {
        assert(state.books.has(transfer.debitBookId) && state.books.has(transfer.creditBookId),
          'transfers move money between existing books');
        return { ...transfer, id: ids[index] as TransferId };
      });
      log.records.push({ kind: 'transfers_inserted', transfers: stored });
      return stored;
    },
  };
}

function reservationPrimitives(state: EngineState, log: DecisionLog) {
  const reservation = (id: string): Reservation | null => {
    const found = state.reservations.get(id);
    if (found !== undefined) return found;
    if (log.absent.has(`reservation:${id}`)) return null;
    throw new EngineFault({ reservations: [id] });
  };
  const open = () => [...state.reservations.values()].filter((entry) => entry.state === 'open');
  return {
    async insertReservation(next: Reservation) {
      if (reservation(next.id) !== null) return false;
      setWithUndo(state.reservations, next.id, next, log.undo);
      log.records.push({ kind: 'reservation_inserted', reservation: next });
      return true;
    },
    async findReservation(id: string) {
      return reservation(id);
    },
    async updateReservation(next: Reservation) {
      const before = reservation(next.id);
      assert(before !== null && before.legs.length === next.legs.length,
        'an update keeps the legs of a reservation');
      setWithUndo(state.reservations, next.id, next, log.undo);
      log.records.push({ kind: 'reservation_updated', reservation: next });
    },
    async listExpiredReservations(nowMs: number, limit: number) {
      return open().filter((entry) => entry.expiresAtMs <= nowMs)
        .sort((a, b) => a.expiresAtMs - b.expiresAtMs || byString(a.id, b.id))
        .slice(0, limit);
    },
    async reservationTotals(bookIds: readonly BookId[]): Promise<BookTotal[]> {
      const wanted = new Set<string>(bookIds);
      const totals = new Map<BookId, bigint>();
      for (const entry of open()) {
        for (const leg of entry.legs) {
          if (!wanted.has(leg.debitBookId)) continue;
          totals.set(leg.debitBookId, (totals.get(leg.debitBookId) ?? 0n) + leg.pendingMicros);
        }
      }
      return [...totals].map(([bookId, amount]) => ({ bookId, amountMicros: micros(amount) }));
    },
  };
}

function sessionPrimitives(state: EngineState, log: DecisionLog, durableRead: DurableRead) {
  const session = (id: string): SessionRecord | null => {
    const found = state.sessions.get(id);
    if (found !== undefined) return found;
    const foreignRoot = state.foreignSessions.get(id);
    if (foreignRoot !== undefined) throw new NotOwnedHere(foreignRoot);
    if (log.absent.has(`session:${id}`)) return null;
    throw new EngineFault({ sessions: [id] });
  };
  const put = (next: SessionRecord) => {
    const before = state.sessions.get(next.sessionId);
    state.putSession(next);
    log.undo.push(() => {
      if (before === undefined) state.dropSession(next.sessionId);
      else state.putSession(before);
    });
  };
  const counts = (table: Map<string, number>, ids: readonly string[]) =>
    new Map(ids.map((id) => [id, table.get(id) ?? 0]));
  return {
    async findSession(sessionId: string) {
      return session(sessionId);
    },
    async insertSession(next: SessionRecord) {
      assert(session(next.sessionId) === null, 'session ids are unique');
      put(next);
      log.records.push({ kind: 'session_inserted', session: next });
    },
    async updateSession(next: SessionRecord) {
      assert(session(next.sessionId) !== null, 'only an existing session is updated');
      put(next);
      log.records.push({ kind: 'session_updated', session: next });
    },
    async countLiveSessions(accountIds: readonly string[]) {
      return counts(state.liveByAccount, accountIds);
    },
    async countLiveCarrierSessions(carrierIds: readonly string[]) {
      return counts(state.liveByCarrier, carrierIds);
    },
    async listStaleSessions(nowMs: number, limit: number): Promise<SessionRecord[]> {
      const stale: SessionRecord[] = [];
      for (const entry of state.sessions.values()) {
        if (entry.state === 'live' && entry.deadlineMs <= nowMs) {
          stale.push(entry);
        }
      }
      return stale.sort((a, b) => a.deadlineMs - b.deadlineMs ||
        byString(a.sessionId, b.sessionId)).slice(0, limit);
    },
    listLiveSessions: (query: LiveSessionQuery) => durableRead((tx) => tx.listLiveSessions(query)),
    async insertCdr(cdr: Cdr) {
      log.records.push({ kind: 'cdr_inserted', cdr });
    },
    listCdrs: (query: CdrQuery) => durableRead((tx) => tx.listCdrs(query)),
  };
}

function bundlePrimitives(state: EngineState, log: DecisionLog) {
  return {
    async findBundles(accountId: string): Promise<BundleRecord[]> {
      if (!state.bundleAccounts.has(accountId)) {
        throw new EngineFault({ bundleAccounts: [accountId] });
      }
      const held: BundleRecord[] = [];
      for (const bundle of state.bundles.values()) {
        if (bundle.accountId === accountId) held.push(bundle);
      }
      return held.sort((a, b) => byString(a.id, b.id));
    },
    async insertBundle(bundle: BundleRecord) {
      if (!state.bundles.has(bundle.id) && !log.absent.has(`bundle:${bundle.id}`)) {
        throw new EngineFault({ bundleIds: [bundle.id] });
      }
      assert(!state.bundles.has(bundle.id), 'bundle ids are unique');
      setWithUndo(state.bundles, bundle.id, bundle, log.undo);
      log.records.push({ kind: 'bundle_inserted', bundle });
    },
    async addBundleSeconds(bundleId: string, deltaSeconds: number) {
      const bundle = state.bundles.get(bundleId);
      if (bundle === undefined) throw new EngineFault({ bundleIds: [bundleId] });
      const secondsRemaining = bundle.secondsRemaining + deltaSeconds;
      assert(secondsRemaining >= 0, 'a bundle never holds fewer than 0 seconds');
      setWithUndo(state.bundles, bundleId, { ...bundle, secondsRemaining }, log.undo);
      log.records.push({ kind: 'bundle_seconds_added', bundleId, deltaSeconds });
    },
  };
}

function idempotencyAndRates(state: EngineState, log: DecisionLog) {
  return {
    async findIdempotentOutcome(key: string) {
      const found = state.outcomes.get(key);
      if (found !== undefined) return found;
      if (log.absent.has(`outcome:${key}`)) return null;
      throw new EngineFault({ outcomes: [key] });
    },
    async saveIdempotentOutcome(outcome: IdempotentOutcome) {
      if (!state.outcomes.has(outcome.key) && !log.absent.has(`outcome:${outcome.key}`)) {
        throw new EngineFault({ outcomes: [outcome.key] });
      }
      assert(!state.outcomes.has(outcome.key), 'an idempotency key is stored once');
      setWithUndo(state.outcomes, outcome.key, outcome, log.undo);
      log.records.push({ kind: 'outcome_saved', outcome });
    },
    async saveExchangeRate(rate: ExchangeRate) {
      const key = ratePairKey(rate);
      const known = state.rates.get(key);
      if (known === undefined) throw new EngineFault({ ratePairs: [rate] });
      const next = known.filter((entry) => entry.validFromMs !== rate.validFromMs);
      next.push(rate);
      setWithUndo(state.rates, key, next, log.undo);
      log.records.push({ kind: 'exchange_rate_saved', rate });
    },
    async findExchangeRate(query: { fromCurrency: ExchangeRate['fromCurrency'];
      toCurrency: ExchangeRate['toCurrency']; atMs: number }) {
      const known = state.rates.get(ratePairKey(query));
      if (known === undefined) throw new EngineFault({ ratePairs: [query] });
      let best: ExchangeRate | null = null;
      for (const rate of known) {
        if (rate.validFromMs > query.atMs) continue;
        if (best === null || rate.validFromMs > best.validFromMs) best = rate;
      }
      return best;
    },
  };
}
