import {
  assert,
  type ChargingTransaction,
  type CompactedBatch,
  type EngineRecord,
  type Transfer,
} from '@tollgate/core';
import type { SqlRunner } from '../shared/sql-runner.ts';
import { applyPostgresBatch } from './engine-apply-postgres.ts';
import { applySqliteBatch } from './engine-apply-sqlite.ts';

/** What applying the engine's records needs beyond the ChargingTransaction primitives. */
export interface EngineWrites {
  /** Inserts transfers with the ids the engine gave them. */
  insertTransfersWithIds(transfers: readonly Transfer[]): Promise<void>;
}

/**
 * Writes a compacted batch (compactBatch) inside the transaction `runner` belongs to, with
 * the SQL of its dialect: each row once, a statement per row in a synchronous loop on SQLite,
 * one statement for the whole batch on PostgreSQL. The tables end up as the replay below
 * leaves them (engine-apply.test.ts compares the two on both dialects).
 */
export async function applyCompactedBatch(runner: SqlRunner, batch: CompactedBatch):
  Promise<void> {
  const driver = runner.driver;
  assert(driver !== undefined, 'the engine writes through a runner that names its driver');
  if (driver.dialect === 'sqlite') applySqliteBatch(driver.connection, batch);
  else await applyPostgresBatch(driver.client, batch);
}

/**
 * Applies a batch of the engine's records, in order, with the row primitives of one SQL
 * transaction: after it, the tables hold what the engine held in memory when it took the last
 * decision of the batch. Nothing here decides: every check was made in memory. It costs ten
 * or more statements per decision; appendBatch writes compacted batches instead and keeps this
 * as the reference the fast path is checked against.
 */
export async function applyEngineRecords(
  tx: ChargingTransaction,
  writes: EngineWrites,
  records: readonly EngineRecord[],
): Promise<void> {
  for (const record of records) {
    switch (record.kind) {
      case 'account_inserted': await tx.insertAccount(record.account); break;
      case 'account_updated': await tx.updateAccount(record.account); break;
      case 'books_ensured': await tx.ensureBooks(record.books); break;
      case 'book_deltas': await tx.applyBookDeltas(record.deltas); break;
      case 'transfers_inserted': await writes.insertTransfersWithIds(record.transfers); break;
      case 'reservation_inserted': {
        const inserted = await tx.insertReservation(record.reservation);
        if (!inserted) throw new Error(`reservation ${record.reservation.id} exists`);
        break;
      }
      case 'reservation_updated': await tx.updateReservation(record.reservation); break;
      case 'spend_added': await tx.addSpend(record.windows); break;
      case 'outcome_saved': await tx.saveIdempotentOutcome(record.outcome); break;
      case 'exchange_rate_saved': await tx.saveExchangeRate(record.rate); break;
      case 'session_inserted': await tx.insertSession(record.session); break;
      case 'session_updated': await tx.updateSession(record.session); break;
      case 'cdr_inserted': await tx.insertCdr(record.cdr); break;
      case 'bundle_inserted': await tx.insertBundle(record.bundle); break;
      case 'bundle_seconds_added':
        await tx.addBundleSeconds(record.bundleId, record.deltaSeconds);
        break;
    }
  }
}
