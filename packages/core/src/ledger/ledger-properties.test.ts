import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../kernel/currency.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { AccountId } from './account.ts';
import { mainBook, mergeBookDeltas, worldBook, type BookId } from './book.ts';
import { planCommit } from './commit-plan.ts';
import { decodeLedgerJson, encodeLedgerJson } from './idempotency.ts';
import type { Reservation } from './reservation.ts';
import { checkTransfer, transferDeltas, type NewTransfer } from './transfer.ts';

const usd = 'USD' as CurrencyCode;
const books = ['a', 'b', 'c', 'd'].map((id) => mainBook(id as AccountId, usd));
const amount = fc.oneof(fc.constantFrom(1n, 2n, 999_999n, 1_000_000n),
  fc.bigInt({ min: 1n, max: 10n ** 12n }));

const transfer = fc.record({ from: fc.nat(3), to: fc.nat(3), amount })
  .filter(({ from, to }) => from !== to)
  .map(({ from, to, amount: value }): NewTransfer => ({ kind: 'charge',
    debitBookId: books[from]?.id as BookId, creditBookId: books[to]?.id as BookId,
    currency: usd, amountMicros: micros(value), reference: 'p', reservationId: null,
    reversesTransferId: null, createdAtMs: 0 }));

describe('ledger properties', () => {
  it('every transfer sums to zero, and any sequence keeps the sum of balances', () => {
    fc.assert(fc.property(fc.array(transfer, { maxLength: 50 }), (transfers) => {
      for (const item of transfers) {
        const debit = books.find((book) => book.id === item.debitBookId);
        const credit = books.find((book) => book.id === item.creditBookId);
        if (debit === undefined || credit === undefined) throw new Error('known books');
        checkTransfer(item, debit, credit);
      }
      const merged = mergeBookDeltas(transfers.flatMap(transferDeltas));
      const sum = merged.reduce((total, delta) => total + delta.postedDeltaMicros, 0n);
      expect(sum).toBe(0n);
    }));
  });

  it('a commit never posts more than is held, and releases exactly the rest', () => {
    const legs = fc.array(fc.record({ held: amount, fraction: fc.double({ min: 0, max: 1.2,
      noNaN: true }) }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(legs, (generated) => {
      const reservation: Reservation = { id: 'r', reference: 'r', state: 'open',
        createdAtMs: 0, expiresAtMs: 10, closedAtMs: null,
        legs: generated.map((leg, index) => ({ accountId: `a${index}` as AccountId,
          debitBookId: mainBook(`a${index}` as AccountId, usd).id,
          creditBookId: worldBook(usd).id, creditAccountId: null, currency: usd,
          pendingMicros: micros(leg.held), committedMicros: micros(0n) })) };
      const amounts = generated.map((leg) =>
        micros(BigInt(Math.floor(Number(leg.held) * leg.fraction))) as Micros);
      const plan = planCommit({ reservation, amountsMicros: amounts, keepOpen: null, nowMs: 1 });
      const exceeds = amounts.some((value, index) => value > (generated[index]?.held ?? 0n));
      expect(plan.ok ? 'ok' : plan.code).toBe(exceeds ? 'commit_exceeds_reserved' : 'ok');
      if (!plan.ok) return;
      const released = plan.value.pendingDeltas.reduce((total, delta) =>
        total + delta.pendingDeltaMicros, 0n);
      const held = generated.reduce((total, leg) => total + leg.held, 0n);
      expect(released).toBe(-held);
      const posted = plan.value.transfers.reduce((total, item) => total + item.amountMicros, 0n);
      expect(posted).toBe(amounts.reduce((total, value) => total + value, 0n));
    }));
  });

  it('stored outcomes keep bigints exact', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
      const decoded = decodeLedgerJson(encodeLedgerJson({ amount: value, list: [value] }));
      expect(decoded).toEqual({ amount: value, list: [value] });
    }));
  });
});
