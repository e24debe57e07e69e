import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  PostgresDatabase,
  type PostgresOptions,
} from '../../src/storage/postgres/postgres-database.ts';
import { createPostgresLedgerStore } from '../../src/storage/postgres/postgres-ledger-store.ts';
import type { StoreHandle } from '../../../core/test/contract/ledger-store-contract.ts';

/**
 * PostgreSQL for tests: the real server, never skipped. When it is unreachable the tests fail
 * with the connection error (CI must start it).
 */
export const postgresTestUrl = process.env['DATABASE_URL_TEST'] ??
  'postgres://postgres@127.0.0.1:5432/test';

export function uniqueSchemaName(label: string): string {
  return `t_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated ledger in its own schema; closing drops the schema. */
export async function openTempPostgresLedger(
  label: string,
  options: Omit<PostgresOptions, 'connectionString' | 'schema'> = {},
): Promise<StoreHandle & { database: PostgresDatabase; schema: string }> {
  const schema = uniqueSchemaName(label);
  const database = new PostgresDatabase({ ...options, connectionString: postgresTestUrl, schema });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    await dropSchema(schema);
    throw error;
  }
  return {
    database,
    schema,
    store: createPostgresLedgerStore(database),
    close: async () => {
      await database.close();
      await dropSchema(schema);
    },
  };
}
