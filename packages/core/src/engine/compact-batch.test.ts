import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import type { AccountId } from '../ledger/account.ts';
import type { BookId } from '../ledger/book.ts';
import {
  accountRow,
  bookRow,
  bundleRow,
  cdrRow,
  legRow,
  reservationRow,
  sessionRow,
  initialTables,
  transferRow,
} from '../../test/compact-batch-fixtures.ts';
import {
  applyCompacted,
  copyTables,
  replayRecord,
  tableRows,
} from '../../test/compact-batch-model.ts';
import { recordsOf, step } from '../../test/compact-batch-steps.ts';
import { compactBatch } from './compact-batch.ts';
import type { EngineRecord } from './engine-records.ts';

const delta = (bookId: string, posted: bigint, pending: bigint) =>
  ({ bookId: bookId as BookId, postedDeltaMicros: micros(posted),
    pendingDeltaMicros: micros(pending) });

const spend = (accountId: string, periodKey: string, spent: bigint) =>
  ({ accountId: accountId as AccountId, periodKey, spentMicros: micros(spent) });

describe('compactBatch', () => {
  it('keeps nothing of an empty batch', () => {
    const batch = compactBatch([]);
    expect(Object.values(batch).every((rows) => rows.length === 0)).toBe(true);
  });

  it('writes an account once, with its last value, as new when the batch created it', () => {
    const batch = compactBatch([
      { kind: 'account_inserted', account: accountRow('a', 'root', 1) },
      { kind: 'account_updated', account: accountRow('c1', 'r1', 2) },
      { kind: 'account_updated', account: accountRow('a', 'root', 3) },
      { kind: 'account_updated', account: accountRow('c1', 'r1', 4) },
    ]);
    expect(batch.accountsInserted).toEqual([accountRow('a', 'root', 3)]);
    expect(batch.accountsUpdated).toEqual([accountRow('c1', 'r1', 4)]);
  });

  it('sums book deltas: into the books it creates, per book (sorted) for the others', () => {
    const batch = compactBatch([
      { kind: 'book_deltas', deltas: [delta('r1/main', 5n, 1n), delta('c1/main', -5n, 2n)] },
      { kind: 'books_ensured', books: [bookRow('a/main', 'a')] },
      { kind: 'book_deltas', deltas: [delta('a/main', 7n, 3n), delta('c1/main', 5n, -2n)] },
      { kind: 'books_ensured', books: [bookRow('a/main', 'a')] },
      { kind: 'book_deltas', deltas: [delta('a/main', 1n, -3n), delta('@world/USD', 1n, 0n)] },
    ]);
    expect(batch.booksCreated).toEqual([{ ...bookRow('a/main', 'a'), postedMicros: 8n,
      pendingMicros: 0n }]);
    // c1/main cancels out: no row to touch.
    expect(batch.bookDeltas).toEqual([delta('@world/USD', 1n, 0n), delta('r1/main', 5n, 1n)]);
  });

  it('keeps the created value of a reservation and the state of its last update', () => {
    const created = reservationRow('r', [legRow('c1', 50n)], 'open', 1);
    const committed = reservationRow('r', [legRow('c1', 0n, 40n)], 'committed', 9);
    const other = reservationRow('res-old', [legRow('c1', 0n), legRow('r1', 0n)], 'released', 2);
    const batch = compactBatch([
      { kind: 'reservation_inserted', reservation: created },
      { kind: 'reservation_updated', reservation: other },
      { kind: 'reservation_updated', reservation: committed },
    ]);
    expect(batch.reservationsInserted).toEqual([{ ...created, state: 'committed',
      expiresAtMs: committed.expiresAtMs, closedAtMs: 9, legs: [legRow('c1', 0n, 40n)] }]);
    expect(batch.reservationsUpdated).toEqual([other]);
  });

  it('writes session_levels for new live sessions and deletes them for closed old ones', () => {
    const batch = compactBatch([
      { kind: 'session_inserted', session: sessionRow('short', 'live', ['c1', 'r1'], 1) },
      { kind: 'session_inserted', session: sessionRow('long', 'live', ['c1', 'r1'], 1) },
      { kind: 'session_updated', session: sessionRow('short', 'closed', ['c1', 'r1'], 2) },
      { kind: 'session_updated', session: sessionRow('long', 'live', ['c1', 'r1'], 3) },
      { kind: 'session_updated', session: sessionRow('old-live', 'closed', ['c1'], 4) },
      { kind: 'session_updated', session: sessionRow('old-2', 'live', ['c1'], 5) },
    ]);
    expect(batch.sessionsInserted).toEqual([sessionRow('short', 'closed', ['c1', 'r1'], 2),
      sessionRow('long', 'live', ['c1', 'r1'], 3)]);
    expect(batch.sessionsUpdated).toEqual([sessionRow('old-live', 'closed', ['c1'], 4),
      sessionRow('old-2', 'live', ['c1'], 5)]);
    expect(batch.sessionLevelsInserted).toEqual([{ accountId: 'c1', sessionId: 'long' },
      { accountId: 'r1', sessionId: 'long' }]);
    expect(batch.sessionLevelsDeleted).toEqual(['old-live']);
  });

  it('sums spend per window and keeps a window whose additions cancel out', () => {
    const batch = compactBatch([
      { kind: 'spend_added', windows: [spend('c1', 'D1', 5n), spend('c1', 'M1', 5n)] },
      { kind: 'spend_added', windows: [spend('c1', 'D1', -5n), spend('c1', 'M1', 2n)] },
    ]);
    expect(batch.spend).toEqual([spend('c1', 'D1', 0n), spend('c1', 'M1', 7n)]);
  });

  it('adds seconds to a bundle the batch created, and sums them for the others', () => {
    const batch = compactBatch([
      { kind: 'bundle_seconds_added', bundleId: 'b', deltaSeconds: 99 },
      { kind: 'bundle_inserted', bundle: bundleRow('b', 'c1', 60) },
      { kind: 'bundle_seconds_added', bundleId: 'b', deltaSeconds: -30 },
      { kind: 'bundle_seconds_added', bundleId: 'b-old', deltaSeconds: -10 },
      { kind: 'bundle_seconds_added', bundleId: 'b-old', deltaSeconds: 10 },
      { kind: 'bundle_seconds_added', bundleId: 'b-2', deltaSeconds: -4 },
    ]);
    expect(batch.bundlesInserted).toEqual([bundleRow('b', 'c1', 30)]);
    expect(batch.bundleDeltas).toEqual([{ bundleId: 'b-2', deltaSeconds: -4 }]);
  });

  it('keeps every transfer, outcome and CDR in order, and the last rate per key', () => {
    const rate = (text: string, validFromMs: number) => ({ fromCurrency: 'USD',
      toCurrency: 'EUR', validFromMs, rate: text }) as const;
    const records = [
      { kind: 'transfers_inserted', transfers: [transferRow(5n, 'c1/main', 'r1/main', 3n)] },
      { kind: 'exchange_rate_saved', rate: rate('1.1', 0) },
      { kind: 'cdr_inserted', cdr: cdrRow('x', 's', 'c1') },
      { kind: 'transfers_inserted', transfers: [transferRow(6n, 'r1/main', 'c1/main', 1n, 5n)] },
      { kind: 'exchange_rate_saved', rate: rate('1.2', 10) },
      { kind: 'exchange_rate_saved', rate: rate('1.3', 0) },
      { kind: 'cdr_inserted', cdr: cdrRow('a', 't', 'c1') },
    ] as unknown as EngineRecord[];
    const batch = compactBatch(records);
    expect(batch.transfers.map((transfer) => transfer.id)).toEqual([5n, 6n]);
    expect(batch.cdrs.map((cdr) => cdr.id)).toEqual(['x', 'a']);
    expect(batch.exchangeRates.map((entry) => entry.rate)).toEqual(['1.3', '1.2']);
  });
});

describe('compactBatch against a replay of its records', () => {
  it('leaves the tables as the records applied one by one do', () => {
    // Records from random steps, cut into batches at random points; each batch is compacted
    // and applied on its own, as the committer does.
    const cuts = fc.array(fc.nat(), { maxLength: 4 });
    fc.assert(fc.property(fc.array(step, { maxLength: 80 }), cuts, (steps, cutAt) => {
      const replayed = initialTables();
      const records = recordsOf(steps, replayed);
      const compacted = initialTables();
      const bounds = [...new Set(cutAt.map((at) => at % (records.length + 1)))]
        .sort((a, b) => a - b);
      let start = 0;
      for (const end of [...bounds, records.length]) {
        applyCompacted(compacted, compactBatch(records.slice(start, end)));
        start = end;
      }
      expect(tableRows(compacted)).toEqual(tableRows(replayed));
    }), { numRuns: 300 });
  });

  it('is checked against a model that tells the difference', () => {
    // Given a batch whose summed deltas would be applied twice, the tables differ: the
    // comparison above is not vacuous.
    const records: EngineRecord[] = [{ kind: 'book_deltas', deltas: [delta('c1/main', 1n, 0n)] }];
    const replayed = initialTables();
    for (const record of records) replayRecord(replayed, record);
    const twice = copyTables(initialTables());
    applyCompacted(twice, compactBatch(records));
    applyCompacted(twice, compactBatch(records));
    expect(tableRows(twice)).not.toEqual(tableRows(replayed));
  });
});
