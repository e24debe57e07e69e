import { micros } from '../kernel/money.ts';
import type { Account } from '../ledger/account.ts';
import type { Book, BookBalance, BookDelta, BookId } from '../ledger/book.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import type { IdempotentOutcome } from '../ledger/idempotency.ts';
import type { Reservation } from '../ledger/reservation.ts';
import { spendKey, type SpendWindow } from '../ledger/spend-window.ts';
import type { Transfer } from '../ledger/transfer.ts';
import type { Cdr } from '../charging/charging-types.ts';
import type { BundleRecord, SessionRecord } from '../charging/session-record.ts';
import type { EngineRecord } from './engine-records.ts';

/** A session_levels row: one account of a live session's chain. */
export interface SessionLevelRow {
  readonly accountId: string;
  readonly sessionId: string;
}

export interface BundleSecondsDelta {
  readonly bundleId: string;
  readonly deltaSeconds: number;
}

/**
 * A batch of engine records reduced to the rows storage writes: what the records do, applied
 * in order, with each row written once. Whole values keep their last value; additions (book
 * balances, spend, bundle seconds) are summed, which lands on the same final value, and the
 * CHECK constraints (pending, spend and seconds never below 0) hold for it because they held
 * for the last step of the replay. Writing the arrays in the order of the fields respects the
 * foreign keys: accounts (parents first), books, transfers (in journal order), reservations,
 * sessions, then the session_levels and CDRs that point at them.
 *
 * Update semantics follow the SQL of the row primitives, so the tables end up as the replay
 * leaves them: an account or session update writes every column; a reservation update writes
 * only its state, expiry, close instant and each leg's pending and committed amounts.
 */
export interface CompactedBatch {
  /** Accounts the batch created, with their last value, in the order they were created. */
  readonly accountsInserted: readonly Account[];
  readonly accountsUpdated: readonly Account[];
  /**
   * Books the batch created, holding the sum of the batch's deltas to them: insert, or add to
   * the row when the id exists (ensureBooks does nothing on a known id, then the deltas add).
   */
  readonly booksCreated: readonly BookBalance[];
  /** Summed deltas of the other books, sorted by id, without those that cancel out. */
  readonly bookDeltas: readonly BookDelta[];
  readonly transfers: readonly Transfer[];
  /** Created by the batch: the created value with the state its last update left. */
  readonly reservationsInserted: readonly Reservation[];
  readonly reservationsUpdated: readonly Reservation[];
  /** Summed per window; a sum of 0 is kept, as the replay leaves a row for it. */
  readonly spend: readonly SpendWindow[];
  readonly outcomes: readonly IdempotentOutcome[];
  /** The last rate given per (from, to, valid from). */
  readonly exchangeRates: readonly ExchangeRate[];
  readonly sessionsInserted: readonly SessionRecord[];
  readonly sessionsUpdated: readonly SessionRecord[];
  /**
   * Rows of the sessions the batch created live and did not close. Charging only ever closes
   * a live session (never the reverse), so session_levels follows each session's final state;
   * the rule here is the replay's own, so the two agree whatever the states do.
   */
  readonly sessionLevelsInserted: readonly SessionLevelRow[];
  /** Sessions created before the batch and closed by it: their rows are deleted. */
  readonly sessionLevelsDeleted: readonly string[];
  readonly cdrs: readonly Cdr[];
  /** Bundles the batch created, with the seconds the batch added to them since. */
  readonly bundlesInserted: readonly BundleRecord[];
  /** Summed seconds of the other bundles, without those that cancel out. */
  readonly bundleDeltas: readonly BundleSecondsDelta[];
}

interface Written<V> {
  value: V;
  readonly inserted: boolean;
}

interface SessionEntry extends Written<SessionRecord> {
  /** The chain written to session_levels when the batch created the session live. */
  readonly levelAccountIds: readonly string[];
  /** An update of the batch left it not live: its rows are deleted (and never come back). */
  closed: boolean;
}

interface Balance {
  readonly book: Book | null;
  posted: bigint;
  pending: bigint;
}

const byBookId = (a: BookDelta, b: BookDelta): number =>
  (a.bookId < b.bookId ? -1 : a.bookId > b.bookId ? 1 : 0);

/** Reduces the records of one batch, in decision order, to the rows to write (see above). */
export function compactBatch(records: readonly EngineRecord[]): CompactedBatch {
  const compactor = new BatchCompactor();
  for (const record of records) compactor.add(record);
  return compactor.result();
}

class BatchCompactor {
  readonly accounts = new Map<string, Written<Account>>();
  /** Book id -> its summed deltas, and its value when the batch creates it. */
  readonly balances = new Map<string, Balance>();
  readonly transfers: Transfer[] = [];
  readonly reservations = new Map<string, Written<Reservation>>();
  readonly spend = new Map<string, SpendWindow>();
  readonly outcomes: IdempotentOutcome[] = [];
  readonly rates = new Map<string, ExchangeRate>();
  readonly sessions = new Map<string, SessionEntry>();
  readonly cdrs: Cdr[] = [];
  readonly bundles = new Map<string, BundleRecord>();
  readonly bundleDeltas = new Map<string, number>();

  add(record: EngineRecord): void {
    switch (record.kind) {
      case 'account_inserted':
      case 'account_updated': {
        const inserted = record.kind === 'account_inserted';
        this.#put(this.accounts, record.account.id, record.account, inserted);
        return;
      }
      case 'books_ensured':
        for (const book of record.books) this.#ensureBook(book);
        return;
      case 'book_deltas':
        for (const delta of record.deltas) this.#addDelta(delta);
        return;
      case 'transfers_inserted':
        for (const transfer of record.transfers) this.transfers.push(transfer);
        return;
      case 'reservation_inserted':
        this.reservations.set(record.reservation.id, { value: record.reservation,
          inserted: true });
        return;
      case 'reservation_updated': return this.#updateReservation(record.reservation);
      case 'spend_added':
        for (const window of record.windows) this.#addSpend(window);
        return;
      case 'outcome_saved':
        this.outcomes.push(record.outcome);
        return;
      case 'exchange_rate_saved':
        this.rates.set(rateKey(record.rate), record.rate);
        return;
      case 'session_inserted': return this.#insertSession(record.session);
      case 'session_updated': return this.#updateSession(record.session);
      case 'cdr_inserted':
        this.cdrs.push(record.cdr);
        return;
      case 'bundle_inserted': return this.#insertBundle(record.bundle);
      case 'bundle_seconds_added':
        return this.#addBundleSeconds(record.bundleId, record.deltaSeconds);
    }
  }

  result(): CompactedBatch {
    const accounts = [...this.accounts.values()];
    const reservations = [...this.reservations.values()];
    const sessions = [...this.sessions.values()];
    return {
      accountsInserted: valuesOf(accounts, true),
      accountsUpdated: valuesOf(accounts, false),
      ...this.#books(),
      transfers: this.transfers,
      reservationsInserted: valuesOf(reservations, true),
      reservationsUpdated: valuesOf(reservations, false),
      spend: [...this.spend.values()],
      outcomes: this.outcomes,
      exchangeRates: [...this.rates.values()],
      sessionsInserted: valuesOf(sessions, true),
      sessionsUpdated: valuesOf(sessions, false),
      sessionLevelsInserted: sessions.flatMap((entry) => entry.inserted && !entry.closed
        ? entry.levelAccountIds.map((accountId) =>
          ({ accountId, sessionId: entry.value.sessionId })) : []),
      sessionLevelsDeleted: sessions.filter((entry) => !entry.inserted && entry.closed)
        .map((entry) => entry.value.sessionId),
      cdrs: this.cdrs,
      bundlesInserted: [...this.bundles.values()],
      bundleDeltas: [...this.bundleDeltas].filter(([, delta]) => delta !== 0)
        .map(([bundleId, deltaSeconds]) => ({ bundleId, deltaSeconds })),
    };
  }

  /** A value keeps the flag of its first write: an update of a created row is still new. */
  #put<V>(map: Map<string, Written<V>>, id: string, value: V, inserted: boolean): void {
    const entry = map.get(id);
    if (entry === undefined || inserted) map.set(id, { value, inserted });
    else entry.value = value;
  }

  #ensureBook(book: Book): void {
    const known = this.balances.get(book.id);
    if (known !== undefined && known.book !== null) return;
    // Deltas met before the book was ensured went to a row that existed: they add to it.
    this.balances.set(book.id, { book, posted: known?.posted ?? 0n,
      pending: known?.pending ?? 0n });
  }

  #addDelta(delta: BookDelta): void {
    const sum = this.balances.get(delta.bookId);
    if (sum === undefined) {
      this.balances.set(delta.bookId, { book: null, posted: delta.postedDeltaMicros,
        pending: delta.pendingDeltaMicros });
      return;
    }
    sum.posted += delta.postedDeltaMicros;
    sum.pending += delta.pendingDeltaMicros;
  }

  #books(): Pick<CompactedBatch, 'booksCreated' | 'bookDeltas'> {
    const booksCreated: BookBalance[] = [];
    const bookDeltas: BookDelta[] = [];
    for (const [id, sum] of this.balances) {
      if (sum.book !== null) {
        booksCreated.push({ ...sum.book, postedMicros: micros(sum.posted),
          pendingMicros: micros(sum.pending) });
      } else if (sum.posted !== 0n || sum.pending !== 0n) {
        bookDeltas.push({ bookId: id as BookId, postedDeltaMicros: micros(sum.posted),
          pendingDeltaMicros: micros(sum.pending) });
      }
    }
    // Sorted: on PostgreSQL rows are locked in id order, the order every writer uses.
    return { booksCreated, bookDeltas: bookDeltas.sort(byBookId) };
  }

  #updateReservation(next: Reservation): void {
    const entry = this.reservations.get(next.id);
    if (entry === undefined || !entry.inserted) {
      this.reservations.set(next.id, { value: next, inserted: false });
      return;
    }
    // An update writes only what changes; the created row keeps the rest of its first value.
    entry.value = { ...entry.value, state: next.state, expiresAtMs: next.expiresAtMs,
      closedAtMs: next.closedAtMs, legs: entry.value.legs.map((leg, index) => {
        const updated = next.legs[index] ?? leg;
        return { ...leg, pendingMicros: updated.pendingMicros,
          committedMicros: updated.committedMicros };
      }) };
  }

  #addSpend(window: SpendWindow): void {
    const key = spendKey(window);
    const sum = this.spend.get(key);
    this.spend.set(key, sum === undefined ? window
      : { ...sum, spentMicros: micros(sum.spentMicros + window.spentMicros) });
  }

  #insertSession(session: SessionRecord): void {
    this.sessions.set(session.sessionId, { value: session, inserted: true, closed: false,
      levelAccountIds: session.state === 'live'
        ? session.levels.map((level) => level.accountId) : [] });
  }

  #updateSession(session: SessionRecord): void {
    const entry = this.sessions.get(session.sessionId);
    const closed = session.state !== 'live';
    if (entry === undefined) {
      this.sessions.set(session.sessionId, { value: session, inserted: false, closed,
        levelAccountIds: [] });
      return;
    }
    entry.value = session;
    entry.closed ||= closed;
  }

  #insertBundle(bundle: BundleRecord): void {
    // Seconds added before the row existed changed no row.
    this.bundleDeltas.delete(bundle.id);
    this.bundles.set(bundle.id, bundle);
  }

  #addBundleSeconds(bundleId: string, deltaSeconds: number): void {
    const created = this.bundles.get(bundleId);
    if (created !== undefined) {
      this.bundles.set(bundleId, { ...created,
        secondsRemaining: created.secondsRemaining + deltaSeconds });
      return;
    }
    this.bundleDeltas.set(bundleId, (this.bundleDeltas.get(bundleId) ?? 0) + deltaSeconds);
  }
}

function valuesOf<V>(entries: readonly Written<V>[], inserted: boolean): V[] {
  return entries.filter((entry) => entry.inserted === inserted).map((entry) => entry.value);
}

function rateKey(rate: ExchangeRate): string {
  return `${rate.fromCurrency}/${rate.toCurrency}/${rate.validFromMs}`;
}
