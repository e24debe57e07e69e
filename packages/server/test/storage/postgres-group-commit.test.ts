import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AssertionError,
  TransactionConflictError,
  createLedgerService,
  micros,
  type BookId,
  type LedgerStore,
} from '@tollgate/core';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import {
  postgresLedgerTransaction,
} from '../../src/storage/postgres/postgres-ledger-transaction.ts';
import { openTempPostgresLedger, postgresTestUrl } from './postgres-fixture.ts';

/**
 * Group commit in PostgresDatabase.transaction: the write transactions of a process queued
 * together share one transaction, each in a savepoint, and settle after its COMMIT. Observed
 * through a second connection, which sees only what was committed.
 */
type Handle = Awaited<ReturnType<typeof openTempPostgresLedger>>;

// The parent reference is checked at COMMIT, which lets a unit make the COMMIT fail.
const probeSchema = `CREATE TABLE probe (id TEXT PRIMARY KEY,
  parent_id TEXT REFERENCES probe (id) DEFERRABLE INITIALLY DEFERRED)`;

async function insertProbe(client: pg.PoolClient, id: string, parentId: string | null = null):
  Promise<void> {
  await client.query('INSERT INTO probe (id, parent_id) VALUES ($1, $2)', [id, parentId]);
}

// The database of the test running now (tests of a file run one after the other).
let handle: Handle;
let observer: pg.Pool;

async function committedIds(): Promise<string[]> {
  return (await observer.query<{ id: string }>(
    `SELECT id FROM ${handle.schema}.probe ORDER BY id`)).rows.map((row) => row.id);
}

/** A fresh schema with the probe table for each test of the calling describe. */
function useProbeDatabase(): void {
  beforeEach(async () => {
    handle = await openTempPostgresLedger('group', { poolSize: 3, groupCommitUnitsMax: 4,
      groupCommitLockWaitMs: 5, groupCommitBatchesMax: 2, transactionAttemptsMax: 3 });
    await handle.database.pool.query(probeSchema);
    // A pool: the settle callbacks of one batch look at the database at the same time.
    observer = new pg.Pool({ connectionString: postgresTestUrl, max: 4 });
  });
  afterEach(async () => {
    await observer.end();
    await handle.close();
  });
}

/** Writers that each run `writes` transactions one after the other. */
async function writeInWaves(writers: number): Promise<void> {
  const writes = 20;
  await Promise.all(Array.from({ length: writers }, async (_unused, writer) => {
    for (let index = 0; index < writes; index += 1) {
      await handle.database.transaction(async (client) =>
        insertProbe(client, `w${writers}-${writer}-${index}`));
      // Callers do some work between transactions: vary how many steps they take, so that
      // some submit while a batch is between its last look at the queue and its end.
      for (let step = 0; step < (writer + index) % 6; step += 1) await Promise.resolve();
    }
  }));
}

describe('postgres group commit: batches', () => {
  useProbeDatabase();

  it('commits units queued together once, and settles none before that commit', async () => {
    const settled: string[] = [];
    const seen: string[][] = [];
    const units = ['a', 'b', 'c'].map((id) => handle.database.transaction(async (client) => {
      await insertProbe(client, id);
      seen.push(await committedIds());
      expect(settled).toEqual([]);
      return id;
    }).then(async (value) => {
      expect(await committedIds()).toContain(value);
      settled.push(value);
      return value;
    }));
    expect(await Promise.all(units)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([[], [], []]);
  });

  it('rolls back a unit that throws alone; the others of its batch commit', async () => {
    const failure = new Error('refused');
    const results = await Promise.allSettled([
      handle.database.transaction(async (client) => insertProbe(client, 'a')),
      handle.database.transaction(async (client) => {
        await insertProbe(client, 'b');
        await client.query('SELECT 1 / 0');
      }),
      handle.database.transaction(async (client) => {
        await insertProbe(client, 'c1');
        throw failure;
      }),
      handle.database.transaction(async (client) => {
        const { rows } = await client.query('SELECT id FROM probe ORDER BY id');
        await insertProbe(client, 'd');
        return rows;
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected',
      'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22012' });
    expect(results[2]).toEqual({ status: 'rejected', reason: failure });
    expect(results[3]).toEqual({ status: 'fulfilled', value: [{ id: 'a' }] });
    expect(await committedIds()).toEqual(['a', 'd']);
  });

});

describe('postgres group commit: failed COMMIT and bounds', () => {
  useProbeDatabase();

  it('rejects every unit of the batch when its COMMIT fails, then carries on', async () => {
    const results = await Promise.allSettled([
      handle.database.transaction(async (client) => insertProbe(client, 'a')),
      handle.database.transaction(async (client) => insertProbe(client, 'orphan', 'missing')),
      handle.database.transaction(async (client) => insertProbe(client, 'c')),
    ]);
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: '23503' });
    }
    expect(await committedIds()).toEqual([]);
    await handle.database.transaction(async (client) => insertProbe(client, 'd'));
    expect(await committedIds()).toEqual(['d']);
  });

  it('bounds a batch by groupCommitUnitsMax', async () => {
    const seen = await Promise.all(Array.from({ length: 6 }, (_unused, index) =>
      handle.database.transaction(async (client) => {
        const committed = (await committedIds()).length;
        await insertProbe(client, `u${index}`);
        return committed;
      })));
    expect(seen).toEqual([0, 0, 0, 0, 4, 4]);
  });

});

describe('postgres group commit: locks', () => {
  useProbeDatabase();

  it('never lets a batch that holds locks wait: the unit runs first in the next batch',
    async () => {
      await handle.database.transaction(async (client) => {
        await insertProbe(client, 'held');
        await insertProbe(client, 'free');
      });
      const other = new pg.Client({ connectionString: postgresTestUrl });
      await other.connect();
      await other.query('BEGIN');
      await other.query(`SELECT * FROM ${handle.schema}.probe WHERE id = 'held' FOR UPDATE`);
      const order: string[] = [];
      const lockRow = (id: string) => handle.database.transaction(async (client) => {
        await client.query('SELECT * FROM probe WHERE id = $1 FOR UPDATE', [id]);
        await insertProbe(client, `${id}-done`);
        order.push(id);
      });
      // 'free' is kept first, so 'held' may not wait in that batch: it times out, is rolled
      // back to its savepoint and waits as the first unit of the next batch.
      const [free, held] = [lockRow('free'), lockRow('held')];
      await free;
      expect(await committedIds()).toEqual(['free', 'free-done', 'held']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await other.query('COMMIT');
      await other.end();
      await held;
      expect(order).toEqual(['free', 'held']);
      expect(await committedIds()).toEqual(['free', 'free-done', 'held', 'held-done']);
    });

  it('starts another batch while the first waits for a lock on its first unit', async () => {
    await handle.database.transaction(async (client) => insertProbe(client, 'held'));
    const other = new pg.Client({ connectionString: postgresTestUrl });
    await other.connect();
    await other.query('BEGIN');
    await other.query(`SELECT * FROM ${handle.schema}.probe WHERE id = 'held' FOR UPDATE`);
    const stuck = handle.database.transaction(async (client) => {
      await client.query("SELECT * FROM probe WHERE id = 'held' FOR UPDATE");
      await insertProbe(client, 'after-held');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // This write needs nothing the first batch waits for: a second batch takes it.
    await handle.database.transaction(async (client) => insertProbe(client, 'meanwhile'));
    expect(await committedIds()).toEqual(['held', 'meanwhile']);
    await other.query('COMMIT');
    await other.end();
    await stuck;
    expect(await committedIds()).toEqual(['after-held', 'held', 'meanwhile']);
  });

});

describe('postgres group commit: many writers', () => {
  useProbeDatabase();

  it('leaves no unit behind when writers keep coming in waves', async () => {
    // One writer alone finds any window in which a queued unit has no batch left to take it;
    // many writers fill the batches.
    for (const writers of [1, 12]) await writeInWaves(writers);
    expect(await committedIds()).toHaveLength(13 * 20);
  });

});

describe('postgres group commit: two processes', () => {
  useProbeDatabase();

  it('keeps two processes whose batches lock in crossing orders free of deadlocks',
    async () => {
      await handle.database.transaction(async (client) => {
        await insertProbe(client, 'x');
        await insertProbe(client, 'y');
      });
      // Two pools, each with its own batcher, stand for two processes. One run per unit: a
      // deadlock (40P01) would reject instead of being rerun.
      const openProcess = () => new PostgresDatabase({ connectionString: postgresTestUrl,
        schema: handle.schema, poolSize: 2, groupCommitUnitsMax: 4, transactionAttemptsMax: 1 });
      const [first, second] = [openProcess(), openProcess()];
      const signal = () => {
        let open = (): void => undefined;
        const opened = new Promise<void>((resolve) => { open = resolve; });
        return { open, opened };
      };
      const [xLocked, yLocked] = [signal(), signal()];
      const lock = (id: string) => async (client: pg.PoolClient) => {
        await client.query('SELECT * FROM probe WHERE id = $1 FOR UPDATE', [id]);
        return id;
      };
      try {
        const results = await Promise.all([
          first.transaction(async (client) => {
            await lock('x')(client);
            xLocked.open();
            await yLocked.opened;
          }),
          first.transaction(lock('y')),
          second.transaction(async (client) => {
            await lock('y')(client);
            yLocked.open();
            await xLocked.opened;
          }),
          second.transaction(lock('x')),
        ]);
        expect(results).toEqual([undefined, 'y', undefined, 'x']);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

});

describe('postgres group commit: reruns and read-only work', () => {
  useProbeDatabase();

  it('runs a unit again after a retryable conflict, at most transactionAttemptsMax times',
    async () => {
      let runs = 0;
      const once = handle.database.transaction(async (client) => {
        runs += 1;
        await insertProbe(client, `try-${runs}`);
        if (runs === 1) throw new TransactionConflictError('moved under us');
        return runs;
      });
      expect(await once).toBe(2);
      expect(await committedIds()).toEqual(['try-2']);
      let stubbornRuns = 0;
      const stubborn = handle.database.transaction(async () => {
        stubbornRuns += 1;
        throw new TransactionConflictError('always');
      });
      await expect(stubborn).rejects.toBeInstanceOf(TransactionConflictError);
      expect(stubbornRuns).toBe(3);
    });

  it('runs a read-only transaction outside the batches, on its own snapshot', async () => {
    const read = await handle.database.transaction(async (client) =>
      (await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only'))
      .rows[0]?.transaction_read_only,
    { readOnly: true });
    expect(read).toBe('on');
  });
});

/**
 * Write-behind in the PostgreSQL ledger primitives: writes that answer nothing are held until the
 * unit next reads or ends, and always belong to the unit that made them.
 */
const book = 'cus/main' as BookId;
const delta = (amount: bigint) => [{ bookId: book, postedDeltaMicros: micros(amount),
  pendingDeltaMicros: micros(0n) }];
const outcome = (key: string) => ({ key, operation: 'probe', requestJson: '{}',
  outcomeJson: '{}', createdAtMs: 1 });
const posted = async (store: LedgerStore): Promise<bigint> =>
  store.transaction(async (tx) => (await tx.findBooks([book]))[0]?.postedMicros ?? -1n);

describe('postgres ledger write-behind', () => {
  for (const groupCommitUnitsMax of [1, 8]) {
    describe(`group commit ${groupCommitUnitsMax === 1 ? 'off' : 'on'}`, () => {
      let handle: Handle;
      beforeEach(async () => {
        handle = await openTempPostgresLedger('behind', { poolSize: 2, groupCommitUnitsMax,
          transactionAttemptsMax: 2 });
        const ledger = createLedgerService({ store: handle.store,
          clock: { nowMs: () => 1_000 } });
        const created = await ledger.createAccount({ id: 'cus', tier: 'super_admin',
          parentId: null, name: 'cus', currency: 'USD' });
        expect(created.ok).toBe(true);
      });
      afterEach(async () => {
        await handle.close();
      });

      it('reads its own held writes, and sends them when the unit ends', async () => {
        const seen = await handle.store.transaction(async (tx) => {
          await tx.applyBookDeltas(delta(5n));
          await tx.applyBookDeltas(delta(7n));
          return (await tx.findBooks([book]))[0]?.postedMicros;
        });
        expect(seen).toBe(12n);
        await handle.store.transaction(async (tx) => tx.applyBookDeltas(delta(1n)));
        expect(await posted(handle.store)).toBe(13n);
      });

      it('drops the held writes of a unit that fails; its batch goes on', async () => {
        const results = await Promise.allSettled([
          handle.store.transaction(async (tx) => {
            await tx.applyBookDeltas(delta(100n));
            throw new Error('refused after writing');
          }),
          handle.store.transaction(async (tx) => tx.applyBookDeltas(delta(3n))),
        ]);
        expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
        expect(await posted(handle.store)).toBe(3n);
      });

      it('fails the unit whose held write fails at its end, and only that unit', async () => {
        await handle.store.transaction(async (tx) => tx.saveIdempotentOutcome(outcome('k1')));
        const results = await Promise.allSettled([
          handle.store.transaction(async (tx) => {
            await tx.applyBookDeltas(delta(50n));
            await tx.saveIdempotentOutcome(outcome('k1'));
          }),
          handle.store.transaction(async (tx) => tx.applyBookDeltas(delta(2n))),
        ]);
        expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
        expect(results[1]?.status).toBe('fulfilled');
        expect(await posted(handle.store)).toBe(2n);
      });

      it('checks before COMMIT what each write used to check', async () => {
        const missing = [{ bookId: 'nobody/main' as BookId, postedDeltaMicros: micros(1n),
          pendingDeltaMicros: micros(0n) }];
        await expect(handle.store.transaction(async (tx) => {
          await tx.applyBookDeltas(delta(9n));
          await tx.applyBookDeltas(missing);
        })).rejects.toBeInstanceOf(AssertionError);
        expect(await posted(handle.store)).toBe(0n);
      });
    });
  }

});

describe('postgres ledger primitives outside a unit of work', () => {
  it('refuses ledger primitives over a connection no unit of work owns', async () => {
    const handle = await openTempPostgresLedger('unowned', { poolSize: 1 });
    const client = await handle.database.pool.connect();
    try {
      expect(() => postgresLedgerTransaction(client)).toThrow(AssertionError);
    } finally {
      client.release();
      await handle.close();
    }
  });
});
