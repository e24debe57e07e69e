import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The floors under the ledger bench, measured on the same machine in the same run: what one
 * durable commit costs with nothing of the ledger around it. A ledger figure is read as a
 * fraction of these (docs/benchmark.md asks for the ratio and the measured fsync latency).
 */
export interface LedgerFloors {
  readonly fdatasyncMs: number;
  readonly sqliteFullTxPerS: number;
  readonly postgres: Array<{ clients: number; rows: 'spread' | 'hot'; txPerS: number }> |
    { error: string };
}

const floorLimits = {
  fsyncWrites: 500,
  fsyncWriteBytes: 4_096,
  sqliteTransactions: 5_000,
  postgresTransactions: 4_000,
  postgresRows: 1_000,
  balanceMicros: 10n ** 15n,
} as const;

function perSecond(count: number, startedMs: number): number {
  return Math.round(count / ((performance.now() - startedMs) / 1_000));
}

/** Latency of one 4 KiB append + fdatasync in the temporary directory the bench writes to. */
function measureFdatasyncMs(directory: string): number {
  const file = openSync(join(directory, 'fsync.probe'), 'w');
  const block = Buffer.alloc(floorLimits.fsyncWriteBytes, 1);
  try {
    const startedMs = performance.now();
    for (let index = 0; index < floorLimits.fsyncWrites; index += 1) {
      writeSync(file, block);
      fdatasyncSync(file);
    }
    return Math.round((performance.now() - startedMs) / floorLimits.fsyncWrites * 1_000) / 1_000;
  } finally {
    closeSync(file);
  }
}

/** SQLite WAL, synchronous FULL: one conditional UPDATE per BEGIN IMMEDIATE ... COMMIT. */
function measureSqliteFull(directory: string): number {
  const connection = new Database(join(directory, 'floor.sqlite'));
  try {
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
    connection.exec('CREATE TABLE book (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)');
    connection.prepare('INSERT INTO book VALUES (1, ?)').run(floorLimits.balanceMicros);
    const debit = connection.prepare(
      'UPDATE book SET balance = balance - 1 WHERE id = 1 AND balance >= 1');
    const [begin, commit] = [connection.prepare('BEGIN IMMEDIATE'), connection.prepare('COMMIT')];
    const startedMs = performance.now();
    for (let index = 0; index < floorLimits.sqliteTransactions; index += 1) {
      begin.run();
      debit.run();
      commit.run();
    }
    return perSecond(floorLimits.sqliteTransactions, startedMs);
  } finally {
    connection.close();
  }
}

/** PostgreSQL: one-row conditional UPDATE transactions (autocommit) from `clients` clients. */
async function measurePostgres(pool: pg.Pool, table: string, clients: number,
  rows: 'spread' | 'hot'): Promise<number> {
  const connections = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
  let started = 0;
  let nextRow = 0;
  try {
    const startedMs = performance.now();
    await Promise.all(connections.map(async (client) => {
      while (started < floorLimits.postgresTransactions) {
        started += 1;
        nextRow = (nextRow + 1) % floorLimits.postgresRows;
        await client.query({ name: `floor_debit_${table}`, values: [rows === 'hot' ? 0 : nextRow],
          text: `UPDATE ${table} SET balance = balance - 1 WHERE id = $1 AND balance >= 1` });
      }
    }));
    return perSecond(floorLimits.postgresTransactions, startedMs);
  } finally {
    for (const client of connections) client.release();
  }
}

async function measurePostgresFloors(url: string): Promise<LedgerFloors['postgres']> {
  const table = `bench_floor_${process.pid}`;
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  try {
    await pool.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, balance BIGINT NOT NULL)`);
    await pool.query(`INSERT INTO ${table} SELECT g, $1 FROM generate_series(0, $2) g`,
      [floorLimits.balanceMicros, floorLimits.postgresRows - 1]);
    const results = [];
    for (const [clients, rows] of [[1, 'spread'], [8, 'spread'], [8, 'hot']] as const) {
      results.push({ clients, rows, txPerS: await measurePostgres(pool, table, clients, rows) });
    }
    return results;
  } catch (error) {
    return { error: String(error) };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

export async function measureLedgerFloors(postgresUrl: string): Promise<LedgerFloors> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-floor-'));
  try {
    return { fdatasyncMs: measureFdatasyncMs(directory),
      sqliteFullTxPerS: measureSqliteFull(directory),
      postgres: await measurePostgresFloors(postgresUrl) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
