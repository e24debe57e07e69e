import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CompactedBatch } from '@tollgate/core';
import { applySqliteBatch } from '../engine/engine-apply-sqlite.ts';
import type { BatchReply, BatchRequest, BatchWorkerData } from './sqlite-batch-writer.ts';

/**
 * The thread that writes the charging engine's batches to SQLite: its own connection, one
 * BEGIN IMMEDIATE ... COMMIT per batch. The apply and the fsync of the commit happen here, off
 * the event loop that decides and answers requests.
 */
const settings = workerData as BatchWorkerData;
const connection = new Database(settings.path, { timeout: settings.busyTimeoutMs });
connection.defaultSafeIntegers(true);
connection.pragma('journal_mode = WAL');
connection.pragma(`synchronous = ${settings.synchronous}`);
connection.pragma('foreign_keys = ON');
const begin = connection.prepare('BEGIN IMMEDIATE');
const commit = connection.prepare('COMMIT');
const rollback = connection.prepare('ROLLBACK');

function write(batch: CompactedBatch): BatchReply['outcome'] {
  try {
    begin.run();
    applySqliteBatch(connection, batch);
    commit.run();
    return { ok: true };
  } catch (error) {
    if (connection.inTransaction) rollback.run();
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on('message', (request: BatchRequest | 'close') => {
  if (request === 'close') {
    connection.close();
    parentPort?.close();
    return;
  }
  const reply: BatchReply = { id: request.id, outcome:
    write(deserialize(request.batchBytes) as CompactedBatch) };
  parentPort?.postMessage(reply);
});
