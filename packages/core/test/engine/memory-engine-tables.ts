import {
  micros,
  spendKey,
  spendWindowKeys,
  type Account,
  type AccountId,
  type BookBalance,
  type BookId,
  type BundleRecord,
  type Cdr,
  type EngineRecord,
  type ExchangeRate,
  type IdempotentOutcome,
  type Micros,
  type Reservation,
  type SessionRecord,
  type Transfer,
  type TransferId,
} from '../../src/index.ts';

/**
 * The committed tables of the in-memory engine storage: what a restart loads from and what the
 * API reads. Besides the rows it keeps a few indexes the checks of the simulation read (journal
 * totals per book, debits per reference and book, CDRs per session), each maintained from the
 * transfers and CDRs themselves, never from the book projection they are compared with.
 */
export class EngineTables {
  readonly accounts = new Map<string, Account>();
  readonly books = new Map<string, BookBalance>();
  readonly transfers: Transfer[] = [];
  readonly transfersById = new Map<bigint, Transfer>();
  readonly reservations = new Map<string, Reservation>();
  readonly openReservations = new Set<string>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly liveSessions = new Set<string>();
  readonly cdrs = new Map<string, Cdr>();
  readonly cdrsBySession = new Map<string, number>();
  readonly spend = new Map<string, Micros>();
  readonly bundles = new Map<string, BundleRecord>();
  readonly outcomes = new Map<string, IdempotentOutcome>();
  readonly rates = new Map<string, ExchangeRate>();
  /** Credits minus debits of each book, from the transfers. */
  readonly journalTotals = new Map<string, bigint>();
  /** reference -> debit book -> amount debited (refunds subtracted). */
  readonly debitsByReference = new Map<string, Map<string, bigint>>();
  readonly reversalsOf = new Map<bigint, bigint>();
  /** Charges debited from main books per spend window, from the transfers (spendKey). */
  readonly chargesByWindow = new Map<string, bigint>();
  /** Sessions whose rows, CDR or money changed since the simulation last looked. */
  readonly dirtySessions = new Set<string>();
  /** Transfer ids handed out by allocateTransferIds and not stored yet. */
  readonly allocatedIds = new Set<bigint>();
  nextTransferId = 1n;
}

/** A broken constraint: what a SQL database would refuse, rolling the whole commit back. */
export class ConstraintViolation extends Error {
  override readonly name = 'ConstraintViolation';
}

type Undo = Array<() => void>;

function violated(message: string): never {
  throw new ConstraintViolation(message);
}

function setUndo<K, V>(map: Map<K, V>, key: K, value: V, undo: Undo): void {
  const had = map.has(key);
  const before = map.get(key);
  map.set(key, value);
  undo.push(() => (had ? map.set(key, before as V) : map.delete(key)));
}

function addUndo<K>(set: Set<K>, key: K, present: boolean, undo: Undo): void {
  const had = set.has(key);
  if (present) set.add(key);
  else set.delete(key);
  undo.push(() => (had ? set.add(key) : set.delete(key)));
}

function addTo(map: Map<string, bigint>, key: string, amount: bigint, undo: Undo): void {
  setUndo(map, key, (map.get(key) ?? 0n) + amount, undo);
}

/**
 * Applies one batch of records in order, all or nothing: a broken constraint undoes every
 * change of the batch and throws. The constraints are those of the SQL schema (primary keys,
 * rows that must exist, the checks on amounts), so a record a database would refuse is refused
 * here too, instead of being silently absorbed by a map.
 */
export function applyRecords(tables: EngineTables, records: readonly EngineRecord[]): void {
  const undo: Undo = [];
  try {
    for (const record of records) applyRecord(tables, record, undo);
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
}

function applyRecord(tables: EngineTables, record: EngineRecord, undo: Undo): void {
  switch (record.kind) {
    case 'account_inserted':
      if (tables.accounts.has(record.account.id)) violated(`account ${record.account.id}`);
      setUndo(tables.accounts, record.account.id, record.account, undo);
      return;
    case 'account_updated':
      if (!tables.accounts.has(record.account.id)) violated(`no account ${record.account.id}`);
      setUndo(tables.accounts, record.account.id, record.account, undo);
      return;
    case 'books_ensured':
      for (const book of record.books) {
        if (tables.books.has(book.id)) continue;
        setUndo(tables.books, book.id,
          { ...book, postedMicros: micros(0n), pendingMicros: micros(0n) }, undo);
      }
      return;
    case 'book_deltas':
      for (const delta of record.deltas) {
        const book = tables.books.get(delta.bookId) ?? violated(`no book ${delta.bookId}`);
        setUndo(tables.books, book.id, { ...book,
          postedMicros: micros(book.postedMicros + delta.postedDeltaMicros),
          pendingMicros: micros(book.pendingMicros + delta.pendingDeltaMicros) }, undo);
      }
      return;
    case 'transfers_inserted':
      for (const transfer of record.transfers) insertTransfer(tables, transfer, undo);
      return;
    case 'reservation_inserted':
    case 'reservation_updated':
      putReservation(tables, record.reservation, record.kind === 'reservation_inserted', undo);
      return;
    case 'spend_added':
      for (const window of record.windows) {
        setUndo(tables.spend, spendKey(window),
          micros((tables.spend.get(spendKey(window)) ?? 0n) + window.spentMicros), undo);
      }
      return;
    default:
      applyChargingRecord(tables, record, undo);
  }
}

function applyChargingRecord(tables: EngineTables, record: EngineRecord, undo: Undo): void {
  switch (record.kind) {
    case 'outcome_saved':
      if (tables.outcomes.has(record.outcome.key)) violated(`outcome ${record.outcome.key}`);
      setUndo(tables.outcomes, record.outcome.key, record.outcome, undo);
      return;
    case 'exchange_rate_saved': {
      const rate = record.rate;
      setUndo(tables.rates, `${rate.fromCurrency}/${rate.toCurrency}/${rate.validFromMs}`, rate,
        undo);
      return;
    }
    case 'session_inserted':
    case 'session_updated':
      putSession(tables, record.session, record.kind === 'session_inserted', undo);
      return;
    case 'cdr_inserted': {
      const cdr = record.cdr;
      if (tables.cdrs.has(cdr.id)) violated(`cdr ${cdr.id} exists`);
      setUndo(tables.cdrs, cdr.id, cdr, undo);
      tables.dirtySessions.add(cdr.sessionId);
      setUndo(tables.cdrsBySession, cdr.sessionId,
        (tables.cdrsBySession.get(cdr.sessionId) ?? 0) + 1, undo);
      return;
    }
    case 'bundle_inserted':
      if (tables.bundles.has(record.bundle.id)) violated(`bundle ${record.bundle.id} exists`);
      setUndo(tables.bundles, record.bundle.id, record.bundle, undo);
      return;
    case 'bundle_seconds_added': {
      const bundle = tables.bundles.get(record.bundleId) ?? violated(`no bundle`);
      const secondsRemaining = bundle.secondsRemaining + record.deltaSeconds;
      if (secondsRemaining < 0) violated(`bundle ${bundle.id} below 0 seconds`);
      setUndo(tables.bundles, bundle.id, { ...bundle, secondsRemaining }, undo);
      return;
    }
    default:
      violated(`unknown record ${record.kind}`);
  }
}

function insertTransfer(tables: EngineTables, transfer: Transfer, undo: Undo): void {
  if (tables.transfersById.has(transfer.id)) violated(`transfer ${transfer.id} exists`);
  if (!tables.allocatedIds.has(transfer.id)) {
    violated(`transfer id ${transfer.id} was never handed out`);
  }
  if (transfer.amountMicros <= 0n) violated(`transfer ${transfer.id} moves nothing`);
  for (const id of [transfer.debitBookId, transfer.creditBookId]) {
    if (!tables.books.has(id)) violated(`transfer ${transfer.id}: no book ${id}`);
  }
  addUndo(tables.allocatedIds, transfer.id, false, undo);
  setUndo(tables.transfersById, transfer.id, transfer, undo);
  const length = tables.transfers.length;
  tables.transfers.push(transfer);
  undo.push(() => tables.transfers.splice(length));
  addTo(tables.journalTotals, transfer.debitBookId, -transfer.amountMicros, undo);
  addTo(tables.journalTotals, transfer.creditBookId, transfer.amountMicros, undo);
  const reference = transfer.reversesTransferId === null ? transfer.reference
    : tables.transfersById.get(transfer.reversesTransferId)?.reference ?? transfer.reference;
  let byBook = tables.debitsByReference.get(reference);
  if (byBook === undefined) {
    byBook = new Map();
    setUndo(tables.debitsByReference, reference, byBook, undo);
  }
  addCharge(tables, transfer, undo);
  if (reference.startsWith('s:')) tables.dirtySessions.add(reference.slice(2));
  if (transfer.reversesTransferId === null) {
    addTo(byBook, transfer.debitBookId, transfer.amountMicros, undo);
  } else {
    addTo(byBook, transfer.creditBookId, -transfer.amountMicros, undo);
    const reversed = transfer.reversesTransferId as bigint;
    setUndo(tables.reversalsOf, reversed,
      (tables.reversalsOf.get(reversed) ?? 0n) + transfer.amountMicros, undo);
  }
}

/** A charge counts in its payer's spend windows, by the payer's local day and month. */
function addCharge(tables: EngineTables, transfer: Transfer, undo: Undo): void {
  const payer = tables.books.get(transfer.debitBookId);
  if (transfer.kind !== 'charge' || payer?.kind !== 'main' || payer.accountId === null) return;
  const account = tables.accounts.get(payer.accountId) ?? violated(`no payer of ${transfer.id}`);
  const { dayKey, monthKey } = spendWindowKeys(account.timeZone, transfer.createdAtMs);
  for (const periodKey of [dayKey, monthKey]) {
    addTo(tables.chargesByWindow, spendKey({ accountId: account.id, periodKey }),
      transfer.amountMicros, undo);
  }
}

function putReservation(tables: EngineTables, reservation: Reservation, insert: boolean,
  undo: Undo): void {
  const before = tables.reservations.get(reservation.id);
  if (insert && before !== undefined) violated(`reservation ${reservation.id} exists`);
  if (!insert && before === undefined) violated(`no reservation ${reservation.id}`);
  if (before !== undefined && before.legs.length !== reservation.legs.length) {
    violated(`reservation ${reservation.id} changed its legs`);
  }
  setUndo(tables.reservations, reservation.id, reservation, undo);
  addUndo(tables.openReservations, reservation.id, reservation.state === 'open', undo);
}

function putSession(tables: EngineTables, session: SessionRecord, insert: boolean,
  undo: Undo): void {
  const before = tables.sessions.get(session.sessionId);
  if (insert && before !== undefined) violated(`session ${session.sessionId} exists`);
  if (!insert && before === undefined) violated(`no session ${session.sessionId}`);
  // session_levels rows: inserted with a live session, deleted when it leaves `live`.
  setUndo(tables.sessions, session.sessionId, session, undo);
  tables.dirtySessions.add(session.sessionId);
  addUndo(tables.liveSessions, session.sessionId, session.state === 'live', undo);
}

/** The main book of an account. */
export function mainOf(tables: EngineTables, accountId: string): BookBalance | undefined {
  return tables.books.get(`${accountId}/main`);
}

export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export type { AccountId, BookId, TransferId };
