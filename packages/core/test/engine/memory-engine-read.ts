import {
  micros,
  spendKey,
  type AccountId,
  type BookId,
  type BookTotal,
  type Cdr,
  type CdrQuery,
  type ChargingTransaction,
  type ExchangeRate,
  type LiveSessionQuery,
  type LiveSessionView,
  type LockedAccount,
  type Reservation,
  type SessionRecord,
  type SpendWindow,
  type SpendWindowKey,
  type TransferId,
  type TransferQuery,
} from '../../src/index.ts';
import { byText, mainOf, type EngineTables } from './memory-engine-tables.ts';

function readOnly(): never {
  throw new Error('a read transaction of the engine storage writes nothing');
}

/**
 * A read-only ChargingTransaction over the committed tables: the API's reads and the journal
 * reads a decision makes. Every write primitive throws: only `appendBatch` writes.
 */
export function readTransaction(tables: EngineTables): ChargingTransaction {
  return {
    ...accountReads(tables),
    ...journalReads(tables),
    ...reservationReads(tables),
    ...sessionReads(tables),
    async findIdempotentOutcome(key: string) {
      return tables.outcomes.get(key) ?? null;
    },
    async findExchangeRate(query: { fromCurrency: string; toCurrency: string; atMs: number }) {
      let best: ExchangeRate | null = null;
      for (const rate of tables.rates.values()) {
        if (rate.fromCurrency !== query.fromCurrency || rate.toCurrency !== query.toCurrency ||
          rate.validFromMs > query.atMs) continue;
        if (best === null || rate.validFromMs > best.validFromMs) best = rate;
      }
      return best;
    },
    async findBundles(accountId: string) {
      return [...tables.bundles.values()].filter((bundle) => bundle.accountId === accountId)
        .sort((a, b) => byText(a.id, b.id));
    },
    insertAccount: readOnly,
    updateAccount: readOnly,
    ensureBooks: readOnly,
    applyBookDeltas: readOnly,
    insertTransfers: readOnly,
    addSpend: readOnly,
    insertReservation: readOnly,
    updateReservation: readOnly,
    saveIdempotentOutcome: readOnly,
    saveExchangeRate: readOnly,
    insertSession: readOnly,
    updateSession: readOnly,
    insertCdr: readOnly,
    insertBundle: readOnly,
    addBundleSeconds: readOnly,
  };
}

function accountReads(tables: EngineTables) {
  return {
    async findAccount(id: AccountId) {
      return tables.accounts.get(id) ?? null;
    },
    async lockAccounts(ids: readonly AccountId[]): Promise<LockedAccount[]> {
      return ids.flatMap((id) => {
        const account = tables.accounts.get(id);
        const main = mainOf(tables, id);
        return account === undefined || main === undefined ? [] : [{ account, main }];
      });
    },
    async listChildren(query: { parentId: AccountId; tier: string | null;
      afterId: AccountId | null; openOnly: boolean; limit: number }) {
      return [...tables.accounts.values()]
        .filter((account) => account.parentId === query.parentId &&
          (query.tier === null || account.tier === query.tier) &&
          (!query.openOnly || account.state !== 'closed') &&
          (query.afterId === null || account.id > query.afterId))
        .sort((a, b) => byText(a.id, b.id))
        .slice(0, query.limit);
    },
    async listAccounts(page: { afterId: AccountId | null; limit: number }) {
      return [...tables.accounts.values()]
        .filter((account) => page.afterId === null || account.id > page.afterId)
        .sort((a, b) => byText(a.id, b.id))
        .slice(0, page.limit);
    },
  };
}

function journalReads(tables: EngineTables) {
  return {
    async findBooks(ids: readonly BookId[]) {
      return ids.flatMap((id) => tables.books.get(id) ?? []);
    },
    async findAccountBooks(accountId: AccountId) {
      return [...tables.books.values()].filter((book) => book.accountId === accountId)
        .sort((a, b) => byText(a.id, b.id));
    },
    async listBooks(page: { afterId: BookId | null; limit: number }) {
      return [...tables.books.values()]
        .filter((book) => page.afterId === null || book.id > page.afterId)
        .sort((a, b) => byText(a.id, b.id))
        .slice(0, page.limit);
    },
    async findTransfer(id: TransferId) {
      return tables.transfersById.get(id) ?? null;
    },
    async listTransfers(query: TransferQuery) {
      return tables.transfers.filter((transfer) =>
        (transfer.debitBookId === query.bookId || transfer.creditBookId === query.bookId) &&
        (query.afterId === null || transfer.id > query.afterId))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, query.limit);
    },
    async sumReversals(id: TransferId) {
      return micros(tables.reversalsOf.get(id) ?? 0n);
    },
    async journalTotals(bookIds: readonly BookId[]): Promise<BookTotal[]> {
      return bookIds.flatMap((bookId) => {
        const total = tables.journalTotals.get(bookId);
        return total === undefined ? [] : [{ bookId, amountMicros: micros(total) }];
      });
    },
    async findSpendWindows(keys: readonly SpendWindowKey[]): Promise<SpendWindow[]> {
      return keys.flatMap((key) => {
        const spent = tables.spend.get(spendKey(key));
        return spent === undefined ? [] : [{ ...key, spentMicros: spent }];
      });
    },
  };
}

function openReservations(tables: EngineTables): Reservation[] {
  return [...tables.openReservations].map((id) => tables.reservations.get(id)!);
}

function reservationReads(tables: EngineTables) {
  return {
    async findReservation(id: string) {
      return tables.reservations.get(id) ?? null;
    },
    async listExpiredReservations(nowMs: number, limit: number) {
      return openReservations(tables).filter((entry) => entry.expiresAtMs <= nowMs)
        .sort((a, b) => a.expiresAtMs - b.expiresAtMs || byText(a.id, b.id))
        .slice(0, limit);
    },
    async reservationTotals(bookIds: readonly BookId[]): Promise<BookTotal[]> {
      const wanted = new Set<string>(bookIds);
      const totals = new Map<BookId, bigint>();
      for (const entry of openReservations(tables)) {
        for (const leg of entry.legs) {
          if (!wanted.has(leg.debitBookId)) continue;
          totals.set(leg.debitBookId, (totals.get(leg.debitBookId) ?? 0n) + leg.pendingMicros);
        }
      }
      return [...totals].map(([bookId, amount]) => ({ bookId, amountMicros: micros(amount) }));
    },
  };
}

export function liveSessionsOf(tables: EngineTables): SessionRecord[] {
  return [...tables.liveSessions].map((id) => tables.sessions.get(id)!);
}

function liveView(session: SessionRecord): LiveSessionView {
  return { sessionId: session.sessionId, accountId: session.accountId, caller: session.caller,
    callee: session.callee, startedAtMs: session.startedAtMs, usedSeconds: session.usedSeconds,
    grantedUntilSeconds: session.grantedUntilSeconds, hangupAtMs: session.hangupAtMs };
}

function cdrAccounts(cdr: Cdr): Set<string> {
  return new Set([cdr.accountId, ...cdr.levels.map((level) => level.accountId)]);
}

function sessionReads(tables: EngineTables) {
  const countLive = (ids: readonly string[], has: (session: SessionRecord, id: string) =>
    boolean) => new Map(ids.map((id) =>
    [id, liveSessionsOf(tables).filter((session) => has(session, id)).length]));
  return {
    async findSession(sessionId: string) {
      return tables.sessions.get(sessionId) ?? null;
    },
    async countLiveSessions(accountIds: readonly string[]) {
      return countLive(accountIds, (session, id) =>
        session.levels.some((level) => level.accountId === id));
    },
    async countLiveCarrierSessions(carrierIds: readonly string[]) {
      return countLive(carrierIds, (session, id) => session.carrierId === id);
    },
    async listStaleSessions(nowMs: number, limit: number) {
      return liveSessionsOf(tables).filter((session) => session.deadlineMs <= nowMs)
        .sort((a, b) => a.deadlineMs - b.deadlineMs || byText(a.sessionId, b.sessionId))
        .slice(0, limit);
    },
    async listLiveSessions(query: LiveSessionQuery) {
      return liveSessionsOf(tables).filter((session) =>
        session.levels.some((level) => level.accountId === query.scopeAccountId) &&
        session.sessionId > (query.afterSessionId ?? ''))
        .sort((a, b) => byText(a.sessionId, b.sessionId))
        .slice(0, query.limit).map(liveView);
    },
    async listCdrs(query: CdrQuery) {
      return [...tables.cdrs.values()].filter((cdr) =>
        cdrAccounts(cdr).has(query.scopeAccountId) &&
        (query.accountId === undefined || cdr.accountId === query.accountId) &&
        cdr.endedAtMs >= (query.fromMs ?? 0) &&
        (query.toMs === undefined || cdr.endedAtMs < query.toMs) &&
        cdr.id > (query.afterId ?? ''))
        .sort((a, b) => byText(a.id, b.id)).slice(0, query.limit);
    },
  };
}
