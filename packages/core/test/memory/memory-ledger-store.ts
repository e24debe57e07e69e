import {
  assert,
  compareAccountIds,
  micros,
  type Account,
  type AccountId,
  type Book,
  type BookBalance,
  type BookDelta,
  type BookId,
  type BookTotal,
  type ExchangeRate,
  type IdempotentOutcome,
  type LedgerStore,
  type LedgerTransaction,
  type LockedAccount,
  type Micros,
  type NewTransfer,
  type Reservation,
  type SpendWindow,
  type Transfer,
  type TransferId,
} from '../../src/index.ts';

/**
 * The in-memory ledger store: the reference model for the contract suite and the simulation.
 * Transactions run one at a time; every change records how to undo it, and a transaction that
 * throws is undone in reverse order.
 */
interface MemoryState {
  readonly accounts: Map<AccountId, Account>;
  readonly books: Map<BookId, BookBalance>;
  readonly transfers: Transfer[];
  readonly reservations: Map<string, Reservation>;
  readonly spend: Map<string, Micros>;
  readonly outcomes: Map<string, IdempotentOutcome>;
  readonly rates: Map<string, ExchangeRate>;
}

export function createMemoryLedgerStore(): LedgerStore {
  const state: MemoryState = { accounts: new Map(), books: new Map(), transfers: [],
    reservations: new Map(), spend: new Map(), outcomes: new Map(), rates: new Map() };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    transaction<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        const undo: Array<() => void> = [];
        try {
          return await work(memoryTransaction(state, undo));
        } catch (error) {
          for (const step of undo.reverse()) step();
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

function setWithUndo<K, V>(map: Map<K, V>, key: K, value: V, undo: Array<() => void>): void {
  const had = map.has(key);
  const before = map.get(key);
  map.set(key, value);
  undo.push(() => (had ? map.set(key, before as V) : map.delete(key)));
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function memoryTransaction(state: MemoryState, undo: Array<() => void>): LedgerTransaction {
  return {
    ...accountPrimitives(state, undo),
    ...journalPrimitives(state, undo),
    ...transferPrimitives(state, undo),
    ...reservationPrimitives(state, undo),
    async findIdempotentOutcome(key) {
      return state.outcomes.get(key) ?? null;
    },
    async saveIdempotentOutcome(outcome) {
      assert(!state.outcomes.has(outcome.key), 'an idempotency key is stored once');
      setWithUndo(state.outcomes, outcome.key, outcome, undo);
    },
    async saveExchangeRate(rate) {
      const key = `${rate.fromCurrency}/${rate.toCurrency}/${rate.validFromMs}`;
      setWithUndo(state.rates, key, rate, undo);
    },
    async findExchangeRate({ fromCurrency, toCurrency, atMs }) {
      let best: ExchangeRate | null = null;
      for (const rate of state.rates.values()) {
        if (rate.fromCurrency !== fromCurrency || rate.toCurrency !== toCurrency) continue;
        if (rate.validFromMs > atMs) continue;
        if (best === null || rate.validFromMs > best.validFromMs) best = rate;
      }
      return best;
    },
  };
}

function accountPrimitives(state: MemoryState, undo: Array<() => void>) {
  return {
    async findAccount(id: AccountId) {
      return state.accounts.get(id) ?? null;
    },
    async lockAccounts(ids: readonly AccountId[]): Promise<LockedAccount[]> {
      for (let index = 1; index < ids.length; index += 1) {
        assert(compareAccountIds(ids[index - 1] as AccountId, ids[index] as AccountId) < 0,
          'accounts are locked in the global order');
      }
      const locked: LockedAccount[] = [];
      for (const id of ids) {
        const account = state.accounts.get(id);
        if (account === undefined) continue;
        const main = state.books.get(`${id}/main` as BookId);
        assert(main !== undefined, 'an account has a main book');
        locked.push({ account, main });
      }
      return locked;
    },
    async insertAccount(account: Account) {
      assert(!state.accounts.has(account.id), 'account ids are unique');
      setWithUndo(state.accounts, account.id, account, undo);
    },
    async updateAccount(account: Account) {
      assert(state.accounts.has(account.id), 'only an existing account is updated');
      setWithUndo(state.accounts, account.id, account, undo);
    },
    async listChildren(query: { parentId: AccountId; tier: string | null;
      afterId: AccountId | null; openOnly: boolean; limit: number }) {
      return [...state.accounts.values()]
        .filter((account) => account.parentId === query.parentId &&
          (query.tier === null || account.tier === query.tier) &&
          (!query.openOnly || account.state !== 'closed') &&
          (query.afterId === null || account.id > query.afterId))
        .sort((a, b) => byString(a.id, b.id))
        .slice(0, query.limit);
    },
    async listAccounts(page: { afterId: AccountId | null; limit: number }) {
      return [...state.accounts.values()]
        .filter((account) => page.afterId === null || account.id > page.afterId)
        .sort((a, b) => byString(a.id, b.id))
        .slice(0, page.limit);
    },
  };
}

function journalPrimitives(state: MemoryState, undo: Array<() => void>) {
  return {
    async ensureBooks(books: readonly Book[]) {
      for (const book of books) {
        if (state.books.has(book.id)) continue;
        setWithUndo(state.books, book.id,
          { ...book, postedMicros: micros(0n), pendingMicros: micros(0n) }, undo);
      }
    },
    async findBooks(ids: readonly BookId[]) {
      return ids.flatMap((id) => state.books.get(id) ?? []);
    },
    async findAccountBooks(accountId: AccountId) {
      return [...state.books.values()].filter((book) => book.accountId === accountId)
        .sort((a, b) => byString(a.id, b.id));
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
          pendingMicros: micros(book.pendingMicros + delta.pendingDeltaMicros) }, undo);
      }
    },
    async findSpendWindows(keys: readonly { accountId: AccountId; periodKey: string }[]) {
      return keys.flatMap((key): SpendWindow[] => {
        const spent = state.spend.get(`${key.accountId} ${key.periodKey}`);
        return spent === undefined ? [] : [{ ...key, spentMicros: spent }];
      });
    },
    async addSpend(windows: readonly SpendWindow[]) {
      for (const window of windows) {
        const key = `${window.accountId} ${window.periodKey}`;
        setWithUndo(state.spend, key,
          micros((state.spend.get(key) ?? 0n) + window.spentMicros), undo);
      }
    },
  };
}

function transferPrimitives(state: MemoryState, undo: Array<() => void>) {
  return {
    async insertTransfers(transfers: readonly NewTransfer[]) {
      const stored = transfers.map((transfer, index): Transfer => {
        assert(state.books.has(transfer.debitBookId) && state.books.has(transfer.creditBookId),
          'transfers move money between existing books');
        return { ...transfer, id: BigInt(state.transfers.length + index + 1) as TransferId };
      });
      const lengthBefore = state.transfers.length;
      state.transfers.push(...stored);
      undo.push(() => state.transfers.splice(lengthBefore));
      return stored;
    },
    async findTransfer(id: TransferId) {
      return state.transfers.find((transfer) => transfer.id === id) ?? null;
    },
    async listTransfers(query: { bookId: BookId; afterId: TransferId | null; limit: number }) {
      return state.transfers.filter((transfer) =>
        (transfer.debitBookId === query.bookId || transfer.creditBookId === query.bookId) &&
        (query.afterId === null || transfer.id > query.afterId)).slice(0, query.limit);
    },
    async sumReversals(id: TransferId) {
      let sum = 0n;
      for (const transfer of state.transfers) {
        if (transfer.reversesTransferId === id) sum += transfer.amountMicros;
      }
      return micros(sum);
    },
    async journalTotals(bookIds: readonly BookId[]): Promise<BookTotal[]> {
      const wanted = new Set(bookIds);
      const totals = new Map<BookId, bigint>();
      for (const transfer of state.transfers) {
        if (wanted.has(transfer.debitBookId)) {
          totals.set(transfer.debitBookId,
            (totals.get(transfer.debitBookId) ?? 0n) - transfer.amountMicros);
        }
        if (wanted.has(transfer.creditBookId)) {
          totals.set(transfer.creditBookId,
            (totals.get(transfer.creditBookId) ?? 0n) + transfer.amountMicros);
        }
      }
      return [...totals].map(([bookId, amount]) => ({ bookId, amountMicros: micros(amount) }));
    },
  };
}

function reservationPrimitives(state: MemoryState, undo: Array<() => void>) {
  return {
    async insertReservation(reservation: Reservation) {
      if (state.reservations.has(reservation.id)) return false;
      setWithUndo(state.reservations, reservation.id, reservation, undo);
      return true;
    },
    async findReservation(id: string) {
      return state.reservations.get(id) ?? null;
    },
    async updateReservation(reservation: Reservation) {
      const before = state.reservations.get(reservation.id);
      assert(before !== undefined && before.legs.length === reservation.legs.length,
        'an update keeps the legs of a reservation');
      setWithUndo(state.reservations, reservation.id, reservation, undo);
    },
    async listExpiredReservations(nowMs: number, limit: number) {
      return [...state.reservations.values()]
        .filter((reservation) => reservation.state === 'open' && reservation.expiresAtMs <= nowMs)
        .sort((a, b) => a.expiresAtMs - b.expiresAtMs || byString(a.id, b.id))
        .slice(0, limit);
    },
    async reservationTotals(bookIds: readonly BookId[]): Promise<BookTotal[]> {
      const wanted = new Set(bookIds);
      const totals = new Map<BookId, bigint>();
      for (const reservation of state.reservations.values()) {
        if (reservation.state !== 'open') continue;
        for (const leg of reservation.legs) {
          if (!wanted.has(leg.debitBookId)) continue;
          totals.set(leg.debitBookId, (totals.get(leg.debitBookId) ?? 0n) + leg.pendingMicros);
        }
      }
      return [...totals].map(([bookId, amount]) => ({ bookId, amountMicros: micros(amount) }));
    },
  };
}
