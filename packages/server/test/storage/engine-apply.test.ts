import {
  compactBatch,
  micros,
  type AccountId,
  type BookId,
  type CompactedBatch,
  type EngineRecord,
} from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { replayEngineBatch } from '../../src/storage/engine/engine-storage-sql.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { storeKinds } from '../charging/charging-harness.ts';
import {
  closeTheDay,
  driveCalls,
  openTempDatabase,
  provision,
  recordedWorld,
  type Database,
} from './engine-apply-world.ts';
import { prng } from './ledger-workload.ts';

// The fast appliers (engine-apply-sqlite.ts, engine-apply-postgres.ts) against the replay of
// the records with the row primitives: the batches of real engine decisions are written by
// the fast path into one database and replayed into another, and every row of every table the
// engine writes must be the same. PostgreSQL is the real server: unreachable, the tests fail.

/** Each table the engine writes, with the key its rows are compared in. */
const tables = {
  accounts: 'id',
  books: 'id',
  transfers: 'id',
  reservations: 'id',
  reservation_legs: 'reservation_id, leg_index',
  sessions: 'session_id',
  session_levels: 'account_id, session_id',
  cdrs: 'id',
  cdr_levels: 'account_id, cdr_id',
  spend_windows: 'account_id, period_key',
  bundles: 'id',
  idempotency: 'key',
  exchange_rates: 'from_currency, to_currency, valid_from_ms',
} as const;

async function rowsOf(database: Database, sql: string): Promise<unknown[]> {
  if (database instanceof SqliteDatabase) return database.connection.prepare(sql).all();
  return (await database.pool.query(sql)).rows;
}

async function dumpTables(database: Database): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(tables)) {
    dump[table] = await rowsOf(database, `SELECT * FROM ${table} ORDER BY ${key}`);
  }
  return dump;
}

/**
 * The same records cut into fewer, larger batches: consecutive batches joined, up to
 * `joinedMax` at a time. A joined batch is one the engine could have made (the records of
 * its decisions in their order), and it compacts more: a call authorized in one batch and
 * updated in the next is then created and moved on by one batch.
 */
function joinBatches(batches: readonly (readonly EngineRecord[])[], random: () => number):
  EngineRecord[][] {
  const joinedMax = 8;
  const joined: EngineRecord[][] = [];
  for (let start = 0; start < batches.length;) {
    const end = Math.min(batches.length, start + 1 + Math.floor(random() * joinedMax));
    joined.push(batches.slice(start, end).flat());
    start = end;
  }
  return joined;
}

/** How many rows of each kind the batches' compactions wrote, over all batches. */
function compactedCounts(batches: readonly (readonly EngineRecord[])[]) {
  const counts: Record<string, number> = {};
  let merged = 0;
  for (const records of batches) {
    const batch: CompactedBatch = compactBatch(records);
    for (const [field, rows] of Object.entries(batch)) {
      counts[field] = (counts[field] ?? 0) + (rows as unknown[]).length;
    }
    // A session created and moved on by the same batch: written once, as its last value.
    merged += batch.sessionsInserted.filter((session) => session.lastRequestNumber > 0).length;
  }
  return { counts, merged };
}

const seeds = [20_261_207, 7, 424_242];
const rounds = 40;

describe.each(storeKinds)('the engine appliers on %s', (kind) => {
  it.each(seeds)('leave every table as the replay of the records does (seed %i)', async (seed) => {
    // The engine writes its batches with the fast path into `fast`; the same batches are
    // replayed into `replayed`, and written joined by the fast path into `joined`.
    const [fast, replayed, joined] = [await openTempDatabase(kind),
      await openTempDatabase(kind), await openTempDatabase(kind)];
    try {
      const random = prng(seed);
      const { harness, engine, batches } = await recordedWorld(fast.storage);
      await provision(harness);
      await driveCalls(harness, random, rounds);
      await closeTheDay(harness);
      await engine.idle();
      for (const records of batches) await replayEngineBatch(replayed.storage, records);
      const joinedBatches = joinBatches(batches, random);
      for (const records of joinedBatches) await joined.storage.appendBatch(records);
      const expected = await dumpTables(replayed.database);
      expect(await dumpTables(fast.database), `seed ${seed}`).toEqual(expected);
      expect(await dumpTables(joined.database), `seed ${seed}`).toEqual(expected);
      // The workload reaches every kind of row, and joined batches that merge a session's
      // creation with its later requests.
      const { counts, merged } = compactedCounts(joinedBatches);
      const missing = Object.entries(counts).filter(([, count]) => count === 0);
      expect(missing, `seed ${seed}`).toEqual([]);
      expect(merged, `seed ${seed}`).toBeGreaterThan(0);
      expect(expected['cdrs']!.length, `seed ${seed}`).toBeGreaterThan(10);
    } finally {
      for (const handle of [fast, replayed, joined]) await handle.close();
    }
  });

  it('rolls a refused batch back whole and says why', async () => {
    const handle = await openTempDatabase(kind);
    try {
      const root = { id: 'op' as AccountId, tier: 'super_admin', parentId: null, name: 'op',
        currency: 'USD', mode: 'postpaid', creditLimitMicros: null, dailyLimitMicros: null,
        monthlyLimitMicros: null, concurrentCallsMax: null, timeZone: 'UTC', state: 'active',
        rateDeckId: null, createdAtMs: 0, updatedAtMs: 0 } as const;
      // Given a batch whose second record moves a book that was never created,
      const records: EngineRecord[] = [{ kind: 'account_inserted', account: root as never },
        { kind: 'book_deltas', deltas: [{ bookId: 'op/main' as BookId,
          postedDeltaMicros: micros(1n), pendingDeltaMicros: micros(0n) }] }];
      // when it is appended, it fails on the check the row primitive made,
      await expect(handle.storage.appendBatch(records))
        .rejects.toThrow('a delta changes one existing book');
      // and the account of its first record was not written either.
      expect(await rowsOf(handle.database, 'SELECT id FROM accounts')).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
