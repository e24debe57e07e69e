import {
  micros,
  spendKey,
  type Account,
  type BookBalance,
  type BookDelta,
  type BundleRecord,
  type Cdr,
  type CompactedBatch,
  type EngineRecord,
  type ExchangeRate,
  type IdempotentOutcome,
  type Reservation,
  type SessionRecord,
  type SpendWindow,
  type Transfer,
} from '../src/index.ts';

/**
 * The tables the engine's storage writes, as plain maps, and two ways to write a batch into
 * them: record by record with the semantics of the SQL row primitives (the replay), and the
 * compacted batch with the semantics of the fast appliers. A statement SQL would refuse (a
 * duplicate key, a missing row an UPDATE asserts, a CHECK below 0) throws.
 */
export interface ModelTables {
  readonly accounts: Map<string, Account>;
  readonly books: Map<string, BookBalance>;
  readonly transfers: Map<bigint, Transfer>;
  readonly reservations: Map<string, Reservation>;
  readonly spend: Map<string, SpendWindow>;
  readonly outcomes: Map<string, IdempotentOutcome>;
  readonly rates: Map<string, ExchangeRate>;
  readonly sessions: Map<string, SessionRecord>;
  /** `${accountId} ${sessionId}` */
  readonly sessionLevels: Set<string>;
  readonly cdrs: Map<string, Cdr>;
  readonly bundles: Map<string, BundleRecord>;
}

export function emptyTables(): ModelTables {
  return { accounts: new Map(), books: new Map(), transfers: new Map(),
    reservations: new Map(), spend: new Map(), outcomes: new Map(), rates: new Map(),
    sessions: new Map(), sessionLevels: new Set(), cdrs: new Map(), bundles: new Map() };
}

export function copyTables(tables: ModelTables): ModelTables {
  return { accounts: new Map(tables.accounts), books: new Map(tables.books),
    transfers: new Map(tables.transfers), reservations: new Map(tables.reservations),
    spend: new Map(tables.spend), outcomes: new Map(tables.outcomes),
    rates: new Map(tables.rates), sessions: new Map(tables.sessions),
    sessionLevels: new Set(tables.sessionLevels), cdrs: new Map(tables.cdrs),
    bundles: new Map(tables.bundles) };
}

function refused(message: string): never {
  throw new Error(`the database refuses: ${message}`);
}

function insert<V>(map: Map<string | bigint, V>, key: string | bigint, value: V): void {
  if (map.has(key)) refused(`duplicate key ${key}`);
  map.set(key, value);
}

function existing<V>(map: Map<string, V>, key: string): V {
  return map.get(key) ?? refused(`no row ${key}`);
}

function addToBook(tables: ModelTables, delta: BookDelta): void {
  const book = existing(tables.books, delta.bookId);
  const pending = book.pendingMicros + delta.pendingDeltaMicros;
  if (pending < 0n) refused(`book ${book.id} pending below 0`);
  tables.books.set(book.id, { ...book, pendingMicros: micros(pending),
    postedMicros: micros(book.postedMicros + delta.postedDeltaMicros) });
}

function addSpend(tables: ModelTables, window: SpendWindow): void {
  const key = spendKey(window);
  const spent = (tables.spend.get(key)?.spentMicros ?? 0n) + window.spentMicros;
  if (spent < 0n) refused(`spend ${key} below 0`);
  tables.spend.set(key, { ...window, spentMicros: micros(spent) });
}

/** UPDATE reservations and reservation_legs: state, expiry, close, each leg's amounts. */
function updateReservation(tables: ModelTables, next: Reservation): void {
  const before = existing(tables.reservations, next.id);
  if (before.legs.length !== next.legs.length) refused('an update keeps the legs');
  tables.reservations.set(next.id, { ...before, state: next.state,
    expiresAtMs: next.expiresAtMs, closedAtMs: next.closedAtMs,
    legs: before.legs.map((leg, index) => ({ ...leg,
      pendingMicros: next.legs[index]!.pendingMicros,
      committedMicros: next.legs[index]!.committedMicros })) });
}

function addBundleSeconds(tables: ModelTables, bundleId: string, deltaSeconds: number): void {
  const bundle = tables.bundles.get(bundleId);
  if (bundle === undefined) return;
  const secondsRemaining = bundle.secondsRemaining + deltaSeconds;
  if (secondsRemaining < 0) refused(`bundle ${bundleId} below 0 seconds`);
  tables.bundles.set(bundleId, { ...bundle, secondsRemaining });
}

function deleteSessionLevels(tables: ModelTables, sessionId: string): void {
  for (const row of [...tables.sessionLevels]) {
    if (row.endsWith(` ${sessionId}`)) tables.sessionLevels.delete(row);
  }
}

function insertSessionLevel(tables: ModelTables, accountId: string, sessionId: string): void {
  const row = `${accountId} ${sessionId}`;
  if (tables.sessionLevels.has(row)) refused(`duplicate session level ${row}`);
  tables.sessionLevels.add(row);
}

/** One record, as the row primitives write it (engine-apply.ts, the replay). */
export function replayRecord(tables: ModelTables, record: EngineRecord): void {
  switch (record.kind) {
    case 'account_inserted': return insert(tables.accounts, record.account.id, record.account);
    case 'account_updated':
      existing(tables.accounts, record.account.id);
      tables.accounts.set(record.account.id, record.account);
      return;
    case 'books_ensured':
      for (const book of record.books) {
        if (tables.books.has(book.id)) continue;
        tables.books.set(book.id, { ...book, postedMicros: micros(0n),
          pendingMicros: micros(0n) });
      }
      return;
    case 'book_deltas': return record.deltas.forEach((delta) => addToBook(tables, delta));
    case 'transfers_inserted':
      return record.transfers.forEach((transfer) =>
        insert(tables.transfers, transfer.id, transfer));
    case 'reservation_inserted':
      return insert(tables.reservations, record.reservation.id, record.reservation);
    case 'reservation_updated': return updateReservation(tables, record.reservation);
    case 'spend_added': return record.windows.forEach((window) => addSpend(tables, window));
    case 'outcome_saved': return insert(tables.outcomes, record.outcome.key, record.outcome);
    case 'exchange_rate_saved':
      tables.rates.set(rateKeyOf(record.rate), record.rate);
      return;
    default: return replayChargingRecord(tables, record);
  }
}

function replayChargingRecord(tables: ModelTables, record: EngineRecord): void {
  switch (record.kind) {
    case 'session_inserted': {
      const session = record.session;
      insert(tables.sessions, session.sessionId, session);
      if (session.state !== 'live') return;
      for (const level of session.levels) {
        insertSessionLevel(tables, level.accountId, session.sessionId);
      }
      return;
    }
    case 'session_updated':
      // A plain UPDATE: no row, no change.
      if (tables.sessions.has(record.session.sessionId)) {
        tables.sessions.set(record.session.sessionId, record.session);
      }
      if (record.session.state !== 'live') deleteSessionLevels(tables, record.session.sessionId);
      return;
    case 'cdr_inserted': return insert(tables.cdrs, record.cdr.id, record.cdr);
    case 'bundle_inserted': return insert(tables.bundles, record.bundle.id, record.bundle);
    case 'bundle_seconds_added':
      return addBundleSeconds(tables, record.bundleId, record.deltaSeconds);
    default: throw new Error(`unexpected record ${record.kind}`);
  }
}

export function rateKeyOf(rate: ExchangeRate): string {
  return `${rate.fromCurrency}/${rate.toCurrency}/${rate.validFromMs}`;
}

/** A compacted batch, as the fast appliers write it. */
export function applyCompacted(tables: ModelTables, batch: CompactedBatch): void {
  for (const account of batch.accountsInserted) insert(tables.accounts, account.id, account);
  for (const account of batch.accountsUpdated) {
    existing(tables.accounts, account.id);
    tables.accounts.set(account.id, account);
  }
  for (const book of batch.booksCreated) {
    if (!tables.books.has(book.id)) {
      tables.books.set(book.id, { ...book, postedMicros: micros(0n), pendingMicros: micros(0n) });
    }
    addToBook(tables, { bookId: book.id, postedDeltaMicros: book.postedMicros,
      pendingDeltaMicros: book.pendingMicros });
  }
  for (const delta of batch.bookDeltas) addToBook(tables, delta);
  for (const transfer of batch.transfers) insert(tables.transfers, transfer.id, transfer);
  for (const reservation of batch.reservationsInserted) {
    insert(tables.reservations, reservation.id, reservation);
  }
  for (const reservation of batch.reservationsUpdated) updateReservation(tables, reservation);
  for (const window of batch.spend) addSpend(tables, window);
  for (const outcome of batch.outcomes) insert(tables.outcomes, outcome.key, outcome);
  for (const rate of batch.exchangeRates) tables.rates.set(rateKeyOf(rate), rate);
  applyCompactedCharging(tables, batch);
}

function applyCompactedCharging(tables: ModelTables, batch: CompactedBatch): void {
  for (const session of batch.sessionsInserted) {
    insert(tables.sessions, session.sessionId, session);
  }
  for (const session of batch.sessionsUpdated) {
    existing(tables.sessions, session.sessionId);
    tables.sessions.set(session.sessionId, session);
  }
  for (const row of batch.sessionLevelsInserted) {
    insertSessionLevel(tables, row.accountId, row.sessionId);
  }
  for (const sessionId of batch.sessionLevelsDeleted) deleteSessionLevels(tables, sessionId);
  for (const cdr of batch.cdrs) insert(tables.cdrs, cdr.id, cdr);
  for (const bundle of batch.bundlesInserted) insert(tables.bundles, bundle.id, bundle);
  for (const delta of batch.bundleDeltas) {
    existing(tables.bundles, delta.bundleId);
    addBundleSeconds(tables, delta.bundleId, delta.deltaSeconds);
  }
}

/** The tables as sorted plain data, for a deep comparison. */
export function tableRows(tables: ModelTables): Record<string, unknown[]> {
  const sorted = <K, V>(map: Map<K, V>) =>
    [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { accounts: sorted(tables.accounts), books: sorted(tables.books),
    transfers: sorted(tables.transfers), reservations: sorted(tables.reservations),
    spend: sorted(tables.spend), outcomes: sorted(tables.outcomes), rates: sorted(tables.rates),
    sessions: sorted(tables.sessions), sessionLevels: [...tables.sessionLevels].sort(),
    cdrs: sorted(tables.cdrs), bundles: sorted(tables.bundles) };
}
