import type Database from 'better-sqlite3';
import { assert, type CompactedBatch } from '@tollgate/core';
import {
  cdrLevelAccountIds,
  toDbBundle,
  toDbCdr,
  toDbSession,
} from '../shared/charging-mapping.ts';
import { chargingSql } from '../shared/charging-primitives.ts';
import {
  toDbAccount,
  toDbReservationLegs,
  toDbTransfer,
  transferColumns,
} from '../shared/ledger-mapping.ts';
import {
  ledgerStatements,
  preparedPerConnection,
} from '../sqlite/sqlite-ledger-statements.ts';

/** The engine's own statements; the others are the row primitives' (prepared once as well). */
const sql = {
  // A book the batch created, with the batch's deltas to it: a new row starts from them, and
  // a known id keeps its row and adds them (what ensureBooks then applyBookDeltas did).
  createBook: `INSERT INTO books (id, account_id, kind, currency, posted_micros, pending_micros)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE
    SET posted_micros = posted_micros + excluded.posted_micros,
    pending_micros = pending_micros + excluded.pending_micros`,
  insertTransfer: `INSERT INTO transfers (${transferColumns.join(', ')})
    VALUES (${transferColumns.map(() => '?').join(', ')})`,
  insertSession: chargingSql.insertSession,
  updateSession: chargingSql.updateSession,
  insertSessionLevel: chargingSql.insertSessionLevel,
  deleteSessionLevels: chargingSql.deleteSessionLevels,
  insertCdr: chargingSql.insertCdr,
  insertCdrLevel: chargingSql.insertCdrLevel,
  insertBundle: chargingSql.insertBundle,
  addBundleSeconds: chargingSql.addBundleSeconds,
} as const;

const engineStatements = preparedPerConnection(sql);

function changedOne(result: Database.RunResult, why: string): void {
  assert(result.changes === 1, why);
}

/**
 * Rows written whole: the new ones inserted, the known ones updated in every column but the
 * key, which the UPDATE names last (the statements of the row primitives).
 */
function writeWhole<Row>(
  statements: { insert: Database.Statement; update: Database.Statement; noun: string },
  rows: { inserted: readonly Row[]; updated: readonly Row[] },
  cells: (row: Row) => unknown[],
): void {
  for (const row of rows.inserted) statements.insert.run(cells(row));
  for (const row of rows.updated) {
    const [key, ...rest] = cells(row);
    changedOne(statements.update.run([...rest, key]), `an update changes one ${statements.noun}`);
  }
}

/**
 * Writes a compacted batch with prepared statements in plain loops, inside the transaction
 * the caller holds on `connection`. better-sqlite3 is synchronous, so nothing here awaits: a
 * row costs one step through SQLite, not a promise and a turn of the event loop. The arrays
 * are written in the order CompactedBatch gives them, which is the order the foreign keys
 * need; the assertions are those of the row primitives (an update changes the row it names).
 */
export function applySqliteBatch(connection: Database.Database, batch: CompactedBatch): void {
  applyLedger(connection, batch);
  applyCharging(connection, batch);
}

function applyLedger(connection: Database.Database, batch: CompactedBatch): void {
  const s = ledgerStatements(connection);
  const e = engineStatements(connection);
  writeWhole({ insert: s.insertAccount, update: s.updateAccount, noun: 'account' },
    { inserted: batch.accountsInserted, updated: batch.accountsUpdated }, toDbAccount);
  for (const book of batch.booksCreated) {
    e.createBook.run(book.id, book.accountId, book.kind, book.currency, book.postedMicros,
      book.pendingMicros);
  }
  for (const delta of batch.bookDeltas) {
    changedOne(s.applyBookDelta.run(delta.postedDeltaMicros, delta.pendingDeltaMicros,
      delta.bookId), 'a delta changes one existing book');
  }
  for (const transfer of batch.transfers) e.insertTransfer.run(toDbTransfer(transfer));
  for (const reservation of batch.reservationsInserted) {
    changedOne(s.insertReservation.run(reservation.id, reservation.reference, reservation.state,
      reservation.createdAtMs, reservation.expiresAtMs, reservation.closedAtMs),
    'a new reservation id is not stored yet');
    for (const row of toDbReservationLegs(reservation)) s.insertLeg.run(row);
  }
  for (const reservation of batch.reservationsUpdated) {
    changedOne(s.updateReservation.run(reservation.state, reservation.expiresAtMs,
      reservation.closedAtMs, reservation.id), 'an update changes one reservation');
    for (const [index, leg] of reservation.legs.entries()) {
      changedOne(s.updateLeg.run(leg.pendingMicros, leg.committedMicros, reservation.id, index),
        'an update keeps the legs of a reservation');
    }
  }
  for (const window of batch.spend) {
    s.addSpend.run(window.accountId, window.periodKey, window.spentMicros);
  }
  for (const outcome of batch.outcomes) {
    s.saveOutcome.run(outcome.key, outcome.operation, outcome.requestJson, outcome.outcomeJson,
      outcome.createdAtMs);
  }
  for (const rate of batch.exchangeRates) {
    s.saveRate.run(rate.fromCurrency, rate.toCurrency, rate.validFromMs, rate.rate);
  }
}

function applyCharging(connection: Database.Database, batch: CompactedBatch): void {
  const e = engineStatements(connection);
  writeWhole({ insert: e.insertSession, update: e.updateSession, noun: 'session' },
    { inserted: batch.sessionsInserted, updated: batch.sessionsUpdated }, toDbSession);
  for (const row of batch.sessionLevelsInserted) {
    e.insertSessionLevel.run(row.accountId, row.sessionId);
  }
  for (const sessionId of batch.sessionLevelsDeleted) e.deleteSessionLevels.run(sessionId);
  for (const cdr of batch.cdrs) {
    e.insertCdr.run(toDbCdr(cdr));
    for (const accountId of cdrLevelAccountIds(cdr)) e.insertCdrLevel.run(accountId, cdr.id);
  }
  for (const bundle of batch.bundlesInserted) e.insertBundle.run(toDbBundle(bundle));
  for (const delta of batch.bundleDeltas) {
    changedOne(e.addBundleSeconds.run(delta.deltaSeconds, delta.bundleId),
      'seconds are added to a stored bundle');
  }
}
