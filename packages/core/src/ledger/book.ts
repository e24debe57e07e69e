import { assert } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import type { AccountId } from './account.ts';

/**
 * A book is one side of the double entry. Each account owns a `main` book (its balance with its
 * parent) and one `revenue` book per currency its children pay in. Each currency has one system
 * book `@world/<CUR>`: money from outside (top-ups) and to outside (carrier cost).
 * Balance = credits - debits.
 */
export type BookId = string & { readonly __brand: 'book_id' };

export const bookKinds = ['main', 'revenue', 'world'] as const;
export type BookKind = (typeof bookKinds)[number];

export interface Book {
  readonly id: BookId;
  /** null for a world book. */
  readonly accountId: AccountId | null;
  readonly kind: BookKind;
  readonly currency: CurrencyCode;
}

/**
 * The projection of a book. World books are not projected (their row would be the hottest of
 * all and nothing limits them): their balances read 0 and the verification computes them from
 * the journal alone.
 */
export interface BookBalance extends Book {
  readonly postedMicros: Micros;
  /** Sum of live reservations debiting this book: only main books hold reservations. */
  readonly pendingMicros: Micros;
}

export interface BookDelta {
  readonly bookId: BookId;
  readonly postedDeltaMicros: Micros;
  readonly pendingDeltaMicros: Micros;
}

export function mainBookId(accountId: AccountId): BookId {
  return `${accountId}/main` as BookId;
}

export function revenueBookId(accountId: AccountId, currency: CurrencyCode): BookId {
  return `${accountId}/revenue/${currency}` as BookId;
}

export function worldBookId(currency: CurrencyCode): BookId {
  return `@world/${currency}` as BookId;
}

export function mainBook(accountId: AccountId, currency: CurrencyCode): Book {
  return { id: mainBookId(accountId), accountId, kind: 'main', currency };
}

export function revenueBook(accountId: AccountId, currency: CurrencyCode): Book {
  return { id: revenueBookId(accountId, currency), accountId, kind: 'revenue', currency };
}

export function worldBook(currency: CurrencyCode): Book {
  return { id: worldBookId(currency), accountId: null, kind: 'world', currency };
}

const worldPrefix = '@world/';

export function isWorldBookId(id: BookId): boolean {
  return id.startsWith(worldPrefix);
}

/** The account that owns a book; null for a world book. */
export function bookOwner(id: BookId): AccountId | null {
  if (isWorldBookId(id)) return null;
  const slash = id.indexOf('/');
  assert(slash > 0, 'a book id starts with its account id');
  return id.slice(0, slash) as AccountId;
}

/** The deltas the projection keeps: world books are not projected. */
export function projectedDeltas(deltas: readonly BookDelta[]): BookDelta[] {
  return deltas.filter((delta) => !isWorldBookId(delta.bookId));
}

/** Sums deltas per book, in a stable order, dropping books whose deltas cancel out. */
export function mergeBookDeltas(deltas: readonly BookDelta[]): BookDelta[] {
  const byBook = new Map<BookId, { posted: bigint; pending: bigint }>();
  for (const delta of deltas) {
    const sum = byBook.get(delta.bookId) ?? { posted: 0n, pending: 0n };
    sum.posted += delta.postedDeltaMicros;
    sum.pending += delta.pendingDeltaMicros;
    byBook.set(delta.bookId, sum);
  }
  const merged: BookDelta[] = [];
  for (const [bookId, sum] of [...byBook].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (sum.posted === 0n && sum.pending === 0n) continue;
    merged.push({ bookId, postedDeltaMicros: sum.posted as Micros,
      pendingDeltaMicros: sum.pending as Micros });
  }
  assert(merged.length <= deltas.length, 'merging never adds books');
  return merged;
}
