import { describe, expect, it } from 'vitest';
import type { Cdr } from '../charging/charging-types.ts';
import { micros } from '../kernel/money.ts';
import type { BookId } from '../ledger/book.ts';
import type { Reservation } from '../ledger/reservation.ts';
import type { Transfer, TransferId } from '../ledger/transfer.ts';
import { compareCallCharges, orphanChargeFindings } from './reconcile-calls.ts';
import { compareHolds } from './reconcile-holds.ts';

// A customer `cu` under a root `op` routed to carrier `x` (accrual account `_x`).
const cdr: Cdr = { id: 'c:s1', sessionId: 's1', accountId: 'cu', caller: '1', callee: '44',
  startedAtMs: 0, endedAtMs: 60_000, usedSeconds: 60, billedSeconds: 60, bundleSeconds: 0,
  costMicros: micros(200_000n), currency: 'USD' as Cdr['currency'], disposition: 'normal',
  levels: [
    { accountId: 'cu', deckId: 'd', prefix: '44', currency: 'USD' as Cdr['currency'],
      costMicros: micros(200_000n), billedSeconds: 60 },
    { accountId: 'op', deckId: 'x', prefix: '44', currency: 'USD' as Cdr['currency'],
      costMicros: micros(70_000n), billedSeconds: 60 }],
  carrier: { carrierId: 'x', prefix: '44', currency: 'USD' as Cdr['currency'],
    costMicros: micros(70_000n), billedSeconds: 60 } };

function charge(id: number, debit: string, credit: string, amount: bigint): Transfer {
  return { id: BigInt(id) as TransferId, kind: 'charge', debitBookId: debit as BookId,
    creditBookId: credit as BookId, currency: 'USD' as Transfer['currency'],
    amountMicros: micros(amount), reference: 's:s1', reservationId: 's:s1',
    reversesTransferId: null, createdAtMs: 1_000 };
}

const healthy = [charge(1, 'cu/main', 'op/revenue/USD', 150_000n),
  charge(2, 'cu/main', 'op/revenue/USD', 50_000n),
  charge(3, 'op/main', '_x/revenue/USD', 70_000n)];
const scope = new Set(['cu', 'op']);

describe('compareCallCharges', () => {
  it('finds nothing when every level was charged its CDR cost, in any number of slices', () => {
    const result = compareCallCharges({ scopeAccountIds: scope, cdrs: [cdr],
      chargesBySession: new Map([['s1', healthy]]) });
    expect(result.findings).toEqual([]);
    expect(result.carriers).toEqual([{ carrierId: 'x', currency: 'USD', calls: 1,
      cdrMicros: 70_000n, accruedMicros: 70_000n }]);
  });

  it.each([
    ['a level charged one micro less', [healthy[0]!, { ...healthy[1]!, amountMicros:
      micros(49_999n) }, healthy[2]!], 'level_charge_mismatch', 'cu', 199_999n],
    ['a carrier accrual one micro more', [healthy[0]!, healthy[1]!, { ...healthy[2]!,
      amountMicros: micros(70_001n) }], 'carrier_accrual_mismatch', 'op', 70_001n],
    ['a level never charged', [healthy[2]!], 'cdr_without_transfer', 'cu', 0n],
  ] as const)('finds %s', (_label, transfers, kind, accountId, actual) => {
    const result = compareCallCharges({ scopeAccountIds: scope, cdrs: [cdr],
      chargesBySession: new Map([['s1', [...transfers]]]) });
    expect(result.findings).toMatchObject([{ kind, accountId, sessionId: 's1',
      actualMicros: actual }]);
  });

  it('leaves out levels above the scope', () => {
    const result = compareCallCharges({ scopeAccountIds: new Set(['cu']), cdrs: [cdr],
      chargesBySession: new Map([['s1', [healthy[0]!, healthy[1]!]]]) });
    expect(result.findings).toEqual([]);
    expect(result.carriers).toEqual([]);
  });

  it('lists charges without a CDR per paying account', () => {
    expect(orphanChargeFindings(new Map([['s1', healthy]])).map((finding) =>
      [finding.accountId, finding.actualMicros, finding.transferIds])).toEqual([
      ['cu', 200_000n, [1n, 2n]], ['op', 70_000n, [3n]]]);
  });
});

describe('compareHolds', () => {
  const reservation = (state: Reservation['state']): Reservation => ({ id: 's:s2',
    reference: 's:s2', state, createdAtMs: 0, expiresAtMs: 1, closedAtMs: null,
    legs: [{ accountId: 'cu' as never, debitBookId: 'cu/main' as BookId,
      creditBookId: 'op/revenue/USD' as BookId, creditAccountId: 'op' as never,
      currency: 'USD' as never, pendingMicros: micros(40_000n),
      committedMicros: micros(0n) }] });
  const held = [{ bookId: 'cu/main' as BookId, amountMicros: micros(40_000n) }];

  it('finds nothing when the holds are the live sessions\' open legs', () => {
    expect(compareHolds({ live: [{ sessionId: 's2', accountId: 'cu',
      reservation: reservation('open') }], reservedByBook: held })).toEqual([]);
  });

  it('finds a hold left without a live session, and a live session without a hold', () => {
    expect(compareHolds({ live: [], reservedByBook: held })).toMatchObject([
      { kind: 'hold_without_session', accountId: 'cu', expectedMicros: 0n,
        actualMicros: 40_000n }]);
    expect(compareHolds({ live: [{ sessionId: 's2', accountId: 'cu',
      reservation: reservation('committed') }], reservedByBook: [] })).toMatchObject([
      { kind: 'session_without_hold', sessionId: 's2' }]);
  });
});
