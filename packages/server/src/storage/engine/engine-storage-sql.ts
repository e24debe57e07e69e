import {
  assert,
  compactBatch,
  type AccountId,
  type BookId,
  type CompactedBatch,
  type BundleRecord,
  type ChargingTransaction,
  type EngineRecord,
  type EngineStorage,
  type ExchangeRate,
  type ExchangeRatePair,
} from '@tollgate/core';
import {
  fromDbBundle,
  fromDbSession,
  type BundleRow,
  type SessionRow,
} from '../shared/charging-mapping.ts';
import {
  fromDbAccount,
  fromDbExchangeRate,
  toDbTransfer,
  type AccountRow,
  type ExchangeRateRow,
} from '../shared/ledger-mapping.ts';
import type { SqlRunner } from '../shared/sql-runner.ts';
import { applyCompactedBatch, applyEngineRecords } from './engine-apply.ts';
import { coalesced } from './coalesced-loads.ts';

/** One transaction of a dialect, with its primitives and a runner for the engine's own SQL. */
export interface EngineDialect {
  /**
   * `singleStatement`: the work runs exactly one statement, which is atomic on its own; the
   * dialect may then skip BEGIN and COMMIT (two round trips per batch on PostgreSQL).
   */
  transaction<T>(work: (tx: ChargingTransaction, sql: SqlRunner) => Promise<T>,
    options: { readOnly: boolean; singleStatement?: boolean }): Promise<T>;
  /** The INSERT of one transfer with its id: (id, kind, debit, credit, currency, amount,
   * reference, reservation, reverses, created). */
  readonly insertTransferSql: string;
  allocateTransferIds(count: number): Promise<bigint[]>;
  /** Writes a compacted batch its own way (SQLite: on a worker thread); absent: `transaction`. */
  readonly appendCompacted?: (batch: CompactedBatch) => Promise<void>;
  /**
   * One read statement over committed state, outside any explicit transaction (a statement is
   * its own snapshot): for the hot single-statement loads. Absent: a read-only transaction.
   */
  readonly readStatement?: <Row>(sql: string, params: readonly unknown[]) => Promise<Row[]>;
  /** Rows by id in one statement: the SQL per table, and the one parameter for the ids. */
  readonly byIds: {
    readonly sessions: string;
    readonly accounts: string;
    param(ids: readonly string[]): unknown;
  };
}

/** Rows a snapshot reads at most per table: far above any real installation of one node. */
const snapshotRowsMax = 50_000_000;
/** Far past any instant: every open reservation and live session is "expired" by then. */
const instantMsMax = 8_640_000_000_000_000;
const snapshotPageMax = 10_000;

const sql = {
  bundleById: 'SELECT * FROM bundles WHERE id = ?',
  ratesOfPair: 'SELECT * FROM exchange_rates WHERE from_currency = ? AND to_currency = ?',
} as const;

type AppendBatch = (records: readonly EngineRecord[]) => Promise<void>;

/** The replay of each storage made here: the old path, kept as the fast one's reference. */
const replays = new WeakMap<EngineStorage, AppendBatch>();

/**
 * Appends a batch the old way, record by record with the row primitives (applyEngineRecords).
 * For tests that check the fast path against it; `storage` must come from engineStorageOver.
 */
export function replayEngineBatch(storage: EngineStorage, records: readonly EngineRecord[]):
  Promise<void> {
  const replay = replays.get(storage);
  assert(replay !== undefined, 'the storage is an SQL engine storage');
  return replay(records);
}

/** Every row of a listing paged by id (`afterId`), page after page until a short one. */
async function everyPage<Id extends string, Row extends { readonly id: Id }>(
  page: (afterId: Id | null) => Promise<Row[]>,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (let afterId: Id | null = null; ;) {
    const next = await page(afterId);
    rows.push(...next);
    if (next.length < snapshotPageMax) return rows;
    afterId = next.at(-1)!.id;
  }
}

/** What `find` finds of `keys`, one after the other (one connection, one transaction). */
async function each<K, V>(keys: readonly K[], find: (key: K) => Promise<V | null>):
  Promise<V[]> {
  const found: V[] = [];
  for (const key of keys) {
    const value = await find(key);
    if (value !== null) found.push(value);
  }
  return found;
}

/**
 * The engine's storage port over SQL, shared by SQLite and PostgreSQL: loads use the read
 * primitives of a read-only transaction; a batch is compacted (each row written once, see
 * compactBatch) and written in one write transaction with the dialect's own SQL, so the
 * tables the API reads are written in the same commit at a cost per row, not per record.
 */
export function engineStorageOver(dialect: EngineDialect): EngineStorage {
  const read = <T>(work: (tx: ChargingTransaction, runner: SqlRunner) => Promise<T>) =>
    dialect.transaction(work, { readOnly: true });
  /** One statement, outside a transaction where the dialect can: the hot loads of faults. */
  const readByIds = async <Row>(sqlText: string, ids: readonly string[]): Promise<Row[]> => {
    const params = [dialect.byIds.param(ids)];
    return dialect.readStatement === undefined
      ? read((_tx, runner) => runner.all<Row>(sqlText, params))
      : dialect.readStatement<Row>(sqlText, params);
  };
  const storage: EngineStorage = {
    loadSnapshot: () => read(async (tx) => {
      const accounts = await everyPage((afterId: AccountId | null) => tx.listAccounts({ afterId,
        limit: snapshotPageMax }));
      const books = await everyPage((afterId: BookId | null) => tx.listBooks({ afterId,
        limit: snapshotPageMax }));
      const openReservations = await tx.listExpiredReservations(instantMsMax, snapshotRowsMax);
      const liveSessions = await tx.listStaleSessions(instantMsMax, snapshotRowsMax);
      assert(openReservations.length < snapshotRowsMax && liveSessions.length < snapshotRowsMax,
        'a snapshot fits its bound');
      return { accounts, books, openReservations, liveSessions };
    }),
    loadSessions: coalesced(async (ids) =>
      (await readByIds<SessionRow>(dialect.byIds.sessions, ids)).map(fromDbSession),
    (session) => session.sessionId),
    loadReservations: (ids) => read((tx) => each(ids, (id) => tx.findReservation(id))),
    loadSpendWindows: (keys) => read((tx) => tx.findSpendWindows(keys)),
    loadOutcomes: (keys) => read((tx) => each(keys, (key) => tx.findIdempotentOutcome(key))),
    loadAccounts: async (ids) =>
      (await readByIds<AccountRow>(dialect.byIds.accounts, ids)).map(fromDbAccount),
    loadBundles: (query) => read(async (tx, runner) => {
      const bundles: BundleRecord[] = [];
      for (const id of query.accountIds) bundles.push(...await tx.findBundles(id));
      for (const id of query.bundleIds) {
        const rows = await runner.all<BundleRow>(sql.bundleById, [id]);
        bundles.push(...rows.map(fromDbBundle));
      }
      return bundles;
    }),
    loadExchangeRates: (pairs: readonly ExchangeRatePair[]) => read(async (_tx, runner) => {
      const rates: ExchangeRate[] = [];
      for (const pair of pairs) {
        const rows = await runner.all<ExchangeRateRow>(sql.ratesOfPair,
          [pair.fromCurrency, pair.toCurrency]);
        rates.push(...rows.map(fromDbExchangeRate));
      }
      return rates;
    }),
    allocateTransferIds: (count) => dialect.allocateTransferIds(count),
    appendBatch: (records) => {
      // Compacted before the transaction opens: the write lock is held for the writes only.
      const batch = compactBatch(records);
      if (dialect.appendCompacted !== undefined) return dialect.appendCompacted(batch);
      return dialect.transaction((_tx, runner) => applyCompactedBatch(runner, batch),
        { readOnly: false, singleStatement: true });
    },
    read: (work) => read((tx) => work(tx)),
  };
  replays.set(storage, replayOver(dialect));
  return storage;
}

function replayOver(dialect: EngineDialect): AppendBatch {
  return (records) => dialect.transaction((tx, runner) => applyEngineRecords(tx, {
    insertTransfersWithIds: async (transfers) => {
      for (const transfer of transfers) {
        await runner.run(dialect.insertTransferSql, toDbTransfer(transfer));
      }
    },
  }, records), { readOnly: false });
}
