import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { createSqliteLedgerStore } from '../../src/storage/sqlite/sqlite-ledger-store.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { createPostgresLedgerStore } from '../../src/storage/postgres/postgres-ledger-store.ts';
import { runLedgerWorkload, type WorkloadConfig } from './ledger-workload.ts';

/**
 * A separate OS process running the workload against a shared database. Forked by the
 * concurrency test with its configuration as JSON in argv[2]; answers its report over IPC.
 */
interface WorkerConfig extends WorkloadConfig {
  readonly store: { kind: 'sqlite'; path: string } |
    { kind: 'postgres'; connectionString: string; schema: string; poolSize: number };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  if (config.store.kind === 'sqlite') {
    const database = new SqliteDatabase({ path: config.store.path });
    try {
      process.send?.(await runLedgerWorkload(createSqliteLedgerStore(database), config));
    } finally {
      await database.close();
    }
    return;
  }
  const database = new PostgresDatabase({ connectionString: config.store.connectionString,
    schema: config.store.schema, poolSize: config.store.poolSize });
  try {
    process.send?.(await runLedgerWorkload(createPostgresLedgerStore(database), config));
  } finally {
    await database.close();
  }
}

main().then(() => process.disconnect?.(), (error: unknown) => {
  console.error(error);
  process.exitCode = 1;
  process.disconnect?.();
});
