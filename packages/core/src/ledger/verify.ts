import { micros, type Micros } from '../kernel/money.ts';
import type { Account, AccountId } from './account.ts';
import type { BookBalance, BookId } from './book.ts';
import type { BookTotal } from './ledger-store.ts';

/**
 * The ledger's self-check: the projection is recomputed from the journal and the reservations
 * and compared. Pure: the use case feeds it pages read from one snapshot.
 */
export const verifyFindingKinds = [
  'posted_mismatch',
  'pending_mismatch',
  'negative_pending',
  'currency_unbalanced',
  'below_credit_limit',
] as const;
export type VerifyFindingKind = (typeof verifyFindingKinds)[number];

export interface VerifyFinding {
  readonly kind: VerifyFindingKind;
  readonly bookId: BookId | null;
  readonly accountId: AccountId | null;
  readonly currency: string | null;
  /** What the journal (or the rule) says. */
  readonly expectedMicros: Micros;
  /** What the projection holds. */
  readonly actualMicros: Micros;
}

export interface VerifyReport {
  readonly booksChecked: number;
  readonly accountsChecked: number;
  readonly transfersNetByCurrency: ReadonlyMap<string, Micros>;
  /** Inconsistencies: exact count; `findings` lists at most verifyFindingsMax of them. */
  readonly findingCount: number;
  readonly findings: readonly VerifyFinding[];
  /**
   * Accounts below minus their credit limit. Not an inconsistency: a charge posted with
   * `overdraft: 'allow'` or a lowered limit leads there, but reservations never do.
   */
  readonly overdrawnCount: number;
  readonly overdrawn: readonly VerifyFinding[];
  /** True when the projection equals the journal and every currency sums to zero. */
  readonly ok: boolean;
}

/**
 * Compares a page of books with their journal totals and live reservations. World books are
 * not projected, so only their journal totals count (towards the currency sums).
 */
export function compareBooks(
  books: readonly BookBalance[],
  journal: readonly BookTotal[],
  reserved: readonly BookTotal[],
  netByCurrency: Map<string, bigint>,
): VerifyFinding[] {
  const journalByBook = new Map(journal.map((total) => [total.bookId, total.amountMicros]));
  const reservedByBook = new Map(reserved.map((total) => [total.bookId, total.amountMicros]));
  const findings: VerifyFinding[] = [];
  for (const book of books) {
    const posted = journalByBook.get(book.id) ?? micros(0n);
    const pending = reservedByBook.get(book.id) ?? micros(0n);
    netByCurrency.set(book.currency, (netByCurrency.get(book.currency) ?? 0n) + posted);
    if (book.kind === 'world') continue;
    const base = { bookId: book.id, accountId: book.accountId, currency: book.currency };
    if (book.postedMicros !== posted) {
      findings.push({ ...base, kind: 'posted_mismatch', expectedMicros: posted,
        actualMicros: book.postedMicros });
    }
    if (book.pendingMicros !== pending) {
      findings.push({ ...base, kind: 'pending_mismatch', expectedMicros: pending,
        actualMicros: book.pendingMicros });
    }
    if (book.pendingMicros < 0n) {
      findings.push({ ...base, kind: 'negative_pending', expectedMicros: micros(0n),
        actualMicros: book.pendingMicros });
    }
  }
  return findings;
}

/** Every currency's books must sum to zero over the whole journal. */
export function currencyFindings(netByCurrency: ReadonlyMap<string, bigint>): VerifyFinding[] {
  const findings: VerifyFinding[] = [];
  for (const [currency, net] of netByCurrency) {
    if (net === 0n) continue;
    findings.push({ kind: 'currency_unbalanced', bookId: null, accountId: null, currency,
      expectedMicros: micros(0n), actualMicros: micros(net) });
  }
  return findings;
}

/** No main book below minus its account's credit limit (unless the limit is unlimited). */
export function creditFindings(
  accounts: readonly Account[],
  mainBooks: readonly BookBalance[],
): VerifyFinding[] {
  const byAccount = new Map(mainBooks.map((book) => [book.accountId, book]));
  const findings: VerifyFinding[] = [];
  for (const account of accounts) {
    const book = byAccount.get(account.id);
    if (book === undefined || account.creditLimitMicros === null) continue;
    if (book.postedMicros < -account.creditLimitMicros) {
      findings.push({ kind: 'below_credit_limit', bookId: book.id, accountId: account.id,
        currency: book.currency, expectedMicros: micros(-account.creditLimitMicros),
        actualMicros: book.postedMicros });
    }
  }
  return findings;
}
