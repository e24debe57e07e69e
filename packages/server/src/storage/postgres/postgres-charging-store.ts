import type pg from 'pg';
import type { ChargingStore, ChargingTransaction } from '@tollgate/core';
import { chargingPrimitives } from '../shared/charging-primitives.ts';
import { toDollarPlaceholders, type SqlRunner } from '../shared/sql-runner.ts';
import type { PostgresDatabase } from './postgres-database.ts';
import { postgresLedgerTransaction } from './postgres-ledger-transaction.ts';

const statementNames = new Map<string, { name: string; text: string }>();

/** Named (server-side prepared) statements, one name per SQL text. */
function prepared(sql: string): { name: string; text: string } {
  let entry = statementNames.get(sql);
  if (entry === undefined) {
    entry = { name: `charging_${statementNames.size}`, text: toDollarPlaceholders(sql) };
    statementNames.set(sql, entry);
  }
  return entry;
}

export function postgresRunner(client: pg.PoolClient): SqlRunner {
  return {
    all: async <Row>(sql: string, params: readonly unknown[]) => {
      const result = await client.query({ ...prepared(sql), values: [...params] });
      return result.rows as Row[];
    },
    run: async (sql, params) => {
      await client.query({ ...prepared(sql), values: [...params] });
    },
    driver: { dialect: 'postgres', client },
  };
}

/** The charging store over PostgreSQL: ledger and charging primitives share each transaction. */
export function createPostgresChargingStore(database: PostgresDatabase): ChargingStore {
  return {
    transaction: <T>(work: (tx: ChargingTransaction) => Promise<T>,
      options: { readOnly?: boolean } = {}) =>
      database.transaction((client) => work({ ...postgresLedgerTransaction(client),
        ...chargingPrimitives(postgresRunner(client)) }), options),
  };
}
