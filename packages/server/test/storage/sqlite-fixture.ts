import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase, type SqliteOptions } from '../../src/storage/sqlite/sqlite-database.ts';
import { createSqliteLedgerStore } from '../../src/storage/sqlite/sqlite-ledger-store.ts';
import type { StoreHandle } from '../../../core/test/contract/ledger-store-contract.ts';

/** A fresh SQLite ledger in a temporary directory, migrated; closing removes the directory. */
export async function openTempSqliteLedger(
  options: Omit<SqliteOptions, 'path'> = {},
): Promise<StoreHandle & { database: SqliteDatabase; path: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'));
  const path = join(directory, 'ledger.sqlite');
  const database = new SqliteDatabase({ ...options, path });
  database.migrate();
  return {
    database,
    path,
    store: createSqliteLedgerStore(database),
    close: async () => {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
