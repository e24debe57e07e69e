import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempSqliteLedger } from './sqlite-fixture.ts';

/**
 * Group commit in SqliteDatabase.transaction: write transactions queued together share one
 * BEGIN IMMEDIATE ... COMMIT, each in its own savepoint. Observed through a second connection
 * (another reader of the same file), which sees only what was committed.
 */
type Handle = Awaited<ReturnType<typeof openTempSqliteLedger>>;

const probeSchema = `CREATE TABLE probe (id TEXT PRIMARY KEY,
  parent_id TEXT REFERENCES probe (id)) STRICT`;

function insertProbe(connection: Database.Database, id: string, parentId: string | null = null):
  void {
  connection.prepare('INSERT INTO probe (id, parent_id) VALUES (?, ?)').run(id, parentId);
}

// The database of the test running now (tests of a file run one after the other).
let handle: Handle;
let reader: Database.Database;

function committedIds(): string[] {
  return (reader.prepare('SELECT id FROM probe ORDER BY id').all() as Array<{ id: string }>)
    .map((row) => row.id);
}

/** A fresh database with the probe table for each test of the calling describe. */
function useProbeDatabase(): void {
  beforeEach(async () => {
    handle = await openTempSqliteLedger({ groupCommitUnitsMax: 4, busyTimeoutMs: 50 });
    handle.database.connection.exec(probeSchema);
    reader = new Database(handle.path, { readonly: true });
  });
  afterEach(async () => {
    reader.close();
    await handle.close();
  });
}

describe('sqlite group commit: batches', () => {
  useProbeDatabase();

  it('commits units queued together once, and settles none before that commit', async () => {
    const settled: string[] = [];
    const seenByReader: string[][] = [];
    const units = ['a', 'b', 'c'].map((id) => handle.database.transaction(async (connection) => {
      insertProbe(connection, id);
      // Still inside the batch: nothing of it is visible elsewhere, nothing has settled.
      seenByReader.push(committedIds());
      expect(settled).toEqual([]);
      return id;
    }).then((value) => {
      // A unit settles only when what it wrote is durable and visible to every reader.
      expect(committedIds()).toContain(value);
      settled.push(value);
      return value;
    }));
    expect(await Promise.all(units)).toEqual(['a', 'b', 'c']);
    expect(seenByReader).toEqual([[], [], []]);
    expect(committedIds()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back a unit that throws alone; the others of its batch commit', async () => {
    const failure = new Error('refused');
    const results = await Promise.allSettled([
      handle.database.transaction(async (connection) => insertProbe(connection, 'a')),
      handle.database.transaction(async (connection) => {
        insertProbe(connection, 'b1');
        insertProbe(connection, 'b2');
        throw failure;
      }),
      handle.database.transaction(async (connection) => {
        // The failed unit's writes are gone for the next unit of the same batch too.
        const ids = connection.prepare('SELECT id FROM probe ORDER BY id').all();
        insertProbe(connection, 'c');
        return ids;
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected',
      'fulfilled']);
    expect(results[1]).toEqual({ status: 'rejected', reason: failure });
    expect(results[2]).toEqual({ status: 'fulfilled', value: [{ id: 'a' }] });
    expect(committedIds()).toEqual(['a', 'c']);
  });

});

describe('sqlite group commit: failed COMMIT and bounds', () => {
  useProbeDatabase();

  it('rejects every unit of the batch when its COMMIT fails, then carries on', async () => {
    const results = await Promise.allSettled([
      handle.database.transaction(async (connection) => insertProbe(connection, 'a')),
      handle.database.transaction(async (connection) => {
        // A deferred foreign key is checked only by the COMMIT: this one fails it.
        connection.pragma('defer_foreign_keys = ON');
        insertProbe(connection, 'orphan', 'missing');
      }),
      handle.database.transaction(async (connection) => insertProbe(connection, 'c')),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    }
    expect(committedIds()).toEqual([]);
    expect(handle.database.connection.inTransaction).toBe(false);
    await handle.database.transaction(async (connection) => insertProbe(connection, 'd'));
    expect(committedIds()).toEqual(['d']);
  });

  it('bounds a batch by groupCommitUnitsMax', async () => {
    const seenByReader = await Promise.all(Array.from({ length: 6 }, (_unused, index) =>
      handle.database.transaction(async (connection) => {
        const seen = committedIds().length;
        insertProbe(connection, `u${index}`);
        return seen;
      })));
    // Units 0-3 form the first batch (4 at most); 4-5 start after its COMMIT.
    expect(seenByReader).toEqual([0, 0, 0, 0, 4, 4]);
  });

});

describe('sqlite group commit: ordering and failures', () => {
  useProbeDatabase();

  it('runs a read-only transaction on its own connection: it sees the last commit only',
    async () => {
      await handle.database.transaction(async (connection) => insertProbe(connection, 'a'));
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      // A write that has not committed yet: the read neither waits for it nor sees it.
      const pending = handle.database.transaction(async (connection) => {
        insertProbe(connection, 'b');
        await held;
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const read = await handle.database.transaction(async (connection) =>
        connection.prepare('SELECT count(*) AS n FROM probe').get(), { readOnly: true });
      expect(read).toEqual({ n: 1n });
      release();
      await pending;
      const after = await handle.database.transaction(async (connection) =>
        connection.prepare('SELECT count(*) AS n FROM probe').get(), { readOnly: true });
      expect(after).toEqual({ n: 2n });
    });

  it('keeps a unit that awaits something slow whole, and lets others join its batch', async () => {
    const order: string[] = [];
    const slow = handle.database.transaction(async (connection) => {
      insertProbe(connection, 'slow-1');
      order.push('slow started');
      await new Promise((resolve) => setTimeout(resolve, 20));
      insertProbe(connection, 'slow-2');
      order.push('slow ended');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = handle.database.transaction(async (connection) => {
      order.push('late');
      expect(committedIds()).toEqual([]);
      insertProbe(connection, 'late');
    });
    await Promise.all([slow, late]);
    expect(order).toEqual(['slow started', 'slow ended', 'late']);
    expect(committedIds()).toEqual(['late', 'slow-1', 'slow-2']);
  });

  it('leaves no unit behind when writers keep coming in waves', async () => {
    // One writer alone finds any window in which a queued unit has no batch left to take it.
    for (const writers of [1, 12]) {
      await Promise.all(Array.from({ length: writers }, async (_unused, writer) => {
        for (let index = 0; index < 20; index += 1) {
          await handle.database.transaction(async (connection) =>
            insertProbe(connection, `w${writers}-${writer}-${index}`));
          for (let step = 0; step < (writer + index) % 6; step += 1) await Promise.resolve();
        }
      }));
    }
    expect(committedIds()).toHaveLength(13 * 20);
  });

});

describe('sqlite group commit: lost batches', () => {
  useProbeDatabase();

  it('rejects the whole batch when a unit ends the transaction itself', async () => {
    const results = await Promise.allSettled([
      handle.database.transaction(async (connection) => insertProbe(connection, 'a')),
      handle.database.transaction(async (connection) => {
        connection.exec('ROLLBACK');
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(committedIds()).toEqual([]);
    await handle.database.transaction(async (connection) => insertProbe(connection, 'b'));
    expect(committedIds()).toEqual(['b']);
  });

  it('fails the units of a batch that cannot take the write lock, then recovers', async () => {
    const other = new Database(handle.path, { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled(['a', 'b'].map((id) =>
      handle.database.transaction(async (connection) => insertProbe(connection, id))));
    other.exec('ROLLBACK');
    other.close();
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    }
    await handle.database.transaction(async (connection) => insertProbe(connection, 'c'));
    expect(committedIds()).toEqual(['c']);
  });
});
