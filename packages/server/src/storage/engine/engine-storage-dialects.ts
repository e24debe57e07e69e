import type pg from 'pg';
import type { ChargingTransaction, EngineStorage } from '@tollgate/core';
import { toDollarPlaceholders, type SqlRunner } from '../shared/sql-runner.ts';
import { chargingPrimitives } from '../shared/charging-primitives.ts';
import { postgresRunner } from '../postgres/postgres-charging-store.ts';
import type { PostgresDatabase } from '../postgres/postgres-database.ts';
import { postgresLedgerTransaction } from '../postgres/postgres-ledger-transaction.ts';
import { sqliteRunner } from '../sqlite/sqlite-charging-store.ts';
import type { SqliteBatchWriter } from '../sqlite/sqlite-batch-writer.ts';
import type { SqliteDatabase } from '../sqlite/sqlite-database.ts';
import { sqliteLedgerTransaction } from '../sqlite/sqlite-ledger-transaction.ts';
import { engineStorageOver } from './engine-storage-sql.ts';

const transferColumns = `id, kind, debit_book_id, credit_book_id, currency, amount_micros,
  reference, reservation_id, reverses_transfer_id, created_at_ms`;
const transferValues = '?, ?, ?, ?, ?, ?, ?, ?, ?, ?';

/**
 * SQLite: one process owns the file (the engine is its only writer), so transfer ids are
 * counted in memory from the highest id ever given (AUTOINCREMENT never reuses one).
 */
export function sqliteEngineStorage(database: SqliteDatabase,
  writer?: SqliteBatchWriter): EngineStorage {
  let nextId: bigint | null = null;
  return engineStorageOver({
    ...(writer === undefined ? {} : { appendCompacted: (batch) => writer.append(batch) }),
    transaction: (work, options) => database.transaction((connection) => {
      const runner = sqliteRunner(connection);
      return work({ ...sqliteLedgerTransaction(connection), ...chargingPrimitives(runner) },
        runner);
    }, options),
    insertTransferSql: `INSERT INTO transfers (${transferColumns}) VALUES (${transferValues})`,
    byIds: {
      sessions: 'SELECT * FROM sessions WHERE session_id IN (SELECT value FROM json_each(?))',
      accounts: 'SELECT * FROM accounts WHERE id IN (SELECT value FROM json_each(?))',
      param: (ids) => JSON.stringify(ids),
    },
    allocateTransferIds: async (count) => {
      nextId ??= await database.transaction(async (connection) => {
        const row = connection.prepare(`SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence
          WHERE name = 'transfers'), 0), COALESCE((SELECT MAX(id) FROM transfers), 0)) AS top`)
          .get() as { top: number | bigint };
        return BigInt(row.top) + 1n;
      }, { readOnly: true });
      const first: bigint = nextId;
      nextId = first + BigInt(count);
      return Array.from({ length: count }, (_, index) => first + BigInt(index));
    },
  });
}

/** Where the engine's batches commit: a connection that holds the owned trees' locks. */
export interface PostgresBatchWriter {
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>,
    options?: { singleStatement?: boolean }): Promise<T>;
}

/**
 * PostgreSQL: transfer ids come from the table's identity sequence, a block at a time. Loads
 * and reads use the pool; batches commit through `writer` when the node shares the database
 * with others (../postgres/postgres-ownership.ts), else through the pool.
 */
export function postgresEngineStorage(database: PostgresDatabase,
  writer?: PostgresBatchWriter): EngineStorage {
  const over = <T>(client: pg.PoolClient, work: (tx: ChargingTransaction, runner: SqlRunner) =>
    Promise<T>) => {
    const runner = postgresRunner(client);
    return work({ ...postgresLedgerTransaction(client), ...chargingPrimitives(runner) },
      runner);
  };
  return engineStorageOver({
    transaction: (work, options) => (options.readOnly || writer === undefined
      ? database.transaction((client) => over(client, work), options)
      : writer.transaction((client) => over(client, work),
        { singleStatement: options.singleStatement === true })),
    insertTransferSql: `INSERT INTO transfers (${transferColumns}) OVERRIDING SYSTEM VALUE
      VALUES (${transferValues})`,
    byIds: {
      sessions: 'SELECT * FROM sessions WHERE session_id = ANY(?::text[])',
      accounts: 'SELECT * FROM accounts WHERE id = ANY(?::text[])',
      param: (ids) => [...ids],
    },
    // One round trip instead of three (BEGIN, the statement, COMMIT): every new call needs one.
    readStatement: async <Row>(sql: string, params: readonly unknown[]) =>
      (await database.pool.query(toDollarPlaceholders(sql), [...params])).rows as Row[],
    allocateTransferIds: (count) => database.transaction(async (client) => {
      const { rows } = await client.query<{ id: string | bigint }>(
        `SELECT nextval(pg_get_serial_sequence('transfers', 'id')) AS id
          FROM generate_series(1, $1)`, [count]);
      return rows.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }, { readOnly: false }),
  });
}
