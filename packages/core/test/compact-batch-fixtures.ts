import {
  micros,
  type Account,
  type AccountId,
  type Book,
  type BookBalance,
  type BookId,
  type BundleRecord,
  type Cdr,
  type CurrencyCode,
  type Reservation,
  type ReservationLeg,
  type SessionRecord,
  type SessionState,
  type Transfer,
  type TransferId,
} from '../src/index.ts';
import { emptyTables, type ModelTables } from './compact-batch-model.ts';

/** Rows for the compaction tests: small, valid, distinguishable by their numbers. */
export const usd = 'USD' as CurrencyCode;

export function accountRow(id: string, parentId: string | null, stamp = 0): Account {
  return { id: id as AccountId, tier: parentId === null ? 'super_admin' : 'customer',
    parentId: parentId as AccountId | null, name: `${id}-${stamp}`, currency: usd,
    mode: 'prepaid', creditLimitMicros: micros(0n), dailyLimitMicros: null,
    monthlyLimitMicros: null, concurrentCallsMax: null, timeZone: 'UTC', state: 'active',
    rateDeckId: null, createdAtMs: 0, updatedAtMs: stamp };
}

export function bookRow(id: string, accountId: string | null): Book {
  return { id: id as BookId, accountId: accountId as AccountId | null,
    kind: accountId === null ? 'world' : id.includes('/revenue/') ? 'revenue' : 'main',
    currency: usd };
}

export function balanceRow(book: Book, posted: bigint, pending: bigint): BookBalance {
  return { ...book, postedMicros: micros(posted), pendingMicros: micros(pending) };
}

export function transferRow(id: bigint, debit: string, credit: string, amount: bigint,
  reverses: bigint | null = null): Transfer {
  return { id: id as TransferId, kind: 'charge', debitBookId: debit as BookId,
    creditBookId: credit as BookId, currency: usd, amountMicros: micros(amount),
    reference: `ref-${id}`, reservationId: null,
    reversesTransferId: reverses as TransferId | null, createdAtMs: Number(id) };
}

export function legRow(accountId: string, pending: bigint, committed = 0n): ReservationLeg {
  return { accountId: accountId as AccountId, debitBookId: `${accountId}/main` as BookId,
    creditBookId: '@world/USD' as BookId, creditAccountId: null, currency: usd,
    pendingMicros: micros(pending), committedMicros: micros(committed) };
}

export function reservationRow(id: string, legs: readonly ReservationLeg[],
  state: Reservation['state'] = 'open', stamp = 0): Reservation {
  return { id, reference: `ref-${id}-${stamp}`, state, createdAtMs: stamp,
    expiresAtMs: stamp + 1_000, closedAtMs: state === 'open' ? null : stamp, legs };
}

export function sessionRow(id: string, state: SessionState, accountIds: readonly string[],
  stamp = 0): SessionRecord {
  return { sessionId: id, accountId: accountIds[0] ?? 'c1', state, caller: '1',
    callee: '44', startedAtMs: 0, lastRequestNumber: stamp, usedSeconds: stamp,
    grantedUntilSeconds: stamp + 30, hangupAtMs: stamp, deadlineMs: stamp,
    levels: accountIds.map((accountId) => ({ accountId, parentId: null, currency: usd,
      deckId: null, rateNumerator: 1n, rateDenominator: 1n, committedMicros: micros(0n),
      reservedMicros: micros(BigInt(stamp)), payeeAccountId: null })),
    carrierId: null, bundleId: null, bundleSecondsHeld: 0, lastAnswerJson: `{"n":${stamp}}`,
    updatedAtMs: stamp };
}

export function cdrRow(id: string, sessionId: string, accountId: string): Cdr {
  return { id, sessionId, accountId, caller: '1', callee: '44', startedAtMs: 0, endedAtMs: 1,
    usedSeconds: 1, billedSeconds: 6, bundleSeconds: 0, costMicros: micros(6n),
    currency: usd, disposition: 'normal', levels: [], carrier: null };
}

export function bundleRow(id: string, accountId: string, seconds: number): BundleRecord {
  return { id, accountId, prefixes: ['44'], timeBand: null, secondsRemaining: seconds,
    validUntilMs: null, createdAtMs: 0 };
}

/**
 * What storage holds before the batch: a three-level tree with balances, an open reservation,
 * a live and a closed session, a spend window, a bundle and one transfer.
 */
export function initialTables(): ModelTables {
  const tables = emptyTables();
  for (const account of [accountRow('root', null), accountRow('r1', 'root'),
    accountRow('c1', 'r1')]) tables.accounts.set(account.id, account);
  const balances = [balanceRow(bookRow('root/main', 'root'), 0n, 0n),
    balanceRow(bookRow('r1/main', 'r1'), -300n, 300n),
    balanceRow(bookRow('c1/main', 'c1'), 1_000n, 500n),
    balanceRow(bookRow('r1/revenue/USD', 'r1'), 40n, 0n),
    balanceRow(bookRow('@world/USD', null), 0n, 0n)];
  for (const book of balances) tables.books.set(book.id, book);
  tables.transfers.set(1n, transferRow(1n, '@world/USD', 'c1/main', 1_000n));
  const reservation = reservationRow('res-old', [legRow('c1', 500n), legRow('r1', 300n)]);
  tables.reservations.set(reservation.id, reservation);
  for (const session of [sessionRow('old-live', 'live', ['c1', 'r1', 'root']),
    sessionRow('old-closed', 'closed', ['c1', 'r1'])]) {
    tables.sessions.set(session.sessionId, session);
  }
  for (const accountId of ['c1', 'r1', 'root']) tables.sessionLevels.add(`${accountId} old-live`);
  tables.spend.set('c1 D1', { accountId: 'c1' as AccountId, periodKey: 'D1',
    spentMicros: micros(100n) });
  tables.bundles.set('b-old', bundleRow('b-old', 'c1', 60));
  return tables;
}
