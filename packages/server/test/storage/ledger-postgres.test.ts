import pg from 'pg';
import { expect, it } from 'vitest';
import { describeLedgerContract } from '../../../core/test/contract/ledger-store-contract.ts';
import { runLedgerSimulation } from '../../../core/test/contract/ledger-simulation.ts';
import { openTempPostgresLedger, postgresTestUrl } from './postgres-fixture.ts';

it('reaches PostgreSQL (these tests fail, never skip, without it)', async () => {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
  await client.end();
  expect(rows[0]?.one).toBe(1);
});

describeLedgerContract('postgres', () => openTempPostgresLedger('contract', { poolSize: 2 }));

// Group commit is on by default; off, every transaction runs alone on its connection, with the
// same write-behind of the ledger primitives. The simulation covers both paths.
for (const [seed, groupCommitUnitsMax] of [[201, undefined], [202, 1]] as const) {
  const mode = groupCommitUnitsMax === 1 ? 'group commit off' : 'group commit on';
  it(`keeps every invariant after every step (postgres, ${mode}, seed ${seed})`, async () => {
    const handle = await openTempPostgresLedger('simulation', { poolSize: 2,
      ...(groupCommitUnitsMax === undefined ? {} : { groupCommitUnitsMax }) });
    try {
      const counts = await runLedgerSimulation({ store: handle.store, seed, steps: 120 });
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(120);
      expect(await handle.database.migrate()).toBe(0);
    } finally {
      await handle.close();
    }
  });
}
