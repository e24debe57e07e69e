import type Database from 'better-sqlite3';
import type { ChargingStore, ChargingTransaction } from '@tollgate/core';
import { chargingPrimitives } from '../shared/charging-primitives.ts';
import type { SqlRunner } from '../shared/sql-runner.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { sqliteLedgerTransaction } from './sqlite-ledger-transaction.ts';

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Statements prepared once per connection and SQL text. */
export function sqliteRunner(connection: Database.Database): SqlRunner {
  let cache = statementCaches.get(connection);
  if (cache === undefined) {
    cache = new Map();
    statementCaches.set(connection, cache);
  }
  const statements = cache;
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = connection.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    all: async <Row>(sql: string, params: readonly unknown[]) =>
      prepare(sql).all(...params) as Row[],
    run: async (sql, params) => {
      prepare(sql).run(...params);
    },
    driver: { dialect: 'sqlite', connection },
  };
}

/** The charging store over SQLite: ledger and charging primitives share each transaction. */
export function createSqliteChargingStore(database: SqliteDatabase): ChargingStore {
  return {
    transaction: <T>(work: (tx: ChargingTransaction) => Promise<T>,
      options: { readOnly?: boolean } = {}) =>
      database.transaction((connection) => work({ ...sqliteLedgerTransaction(connection),
        ...chargingPrimitives(sqliteRunner(connection)) }), options),
  };
}
