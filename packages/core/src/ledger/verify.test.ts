import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../kernel/currency.ts';
import { micros } from '../kernel/money.ts';
import type { AccountId } from './account.ts';
import { mainBook, worldBook, type BookBalance } from './book.ts';
import { compareBooks, currencyFindings } from './verify.ts';

const usd = 'USD' as CurrencyCode;
const balance = (book: ReturnType<typeof mainBook>, posted: bigint, pending: bigint):
  BookBalance => ({ ...book, postedMicros: micros(posted), pendingMicros: micros(pending) });

describe('verify', () => {
  it('finds a projection that differs from the journal or the reservations', () => {
    const a = mainBook('a' as AccountId, usd);
    const world = worldBook(usd);
    const net = new Map<string, bigint>();
    const findings = compareBooks([balance(a, 90n, 5n), balance(world, 0n, 0n)],
      [{ bookId: a.id, amountMicros: micros(100n) },
        { bookId: world.id, amountMicros: micros(-100n) }],
      [{ bookId: a.id, amountMicros: micros(7n) }], net);
    expect(findings.map((finding) => [finding.kind, finding.expectedMicros,
      finding.actualMicros])).toEqual([['posted_mismatch', 100n, 90n],
      ['pending_mismatch', 7n, 5n]]);
    expect(currencyFindings(net)).toEqual([]);
  });

  it('finds a currency whose journal does not sum to zero', () => {
    expect(currencyFindings(new Map([['USD', 3n], ['EUR', 0n]])))
      .toMatchObject([{ kind: 'currency_unbalanced', currency: 'USD', actualMicros: 3n }]);
  });
});
