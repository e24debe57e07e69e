import { expect, it } from 'vitest';
import { describeLedgerContract } from '../../../core/test/contract/ledger-store-contract.ts';
import { runLedgerSimulation } from '../../../core/test/contract/ledger-simulation.ts';
import { openTempSqliteLedger } from './sqlite-fixture.ts';

describeLedgerContract('sqlite', () => openTempSqliteLedger());

for (const seed of [101, 102]) {
  it(`keeps every invariant after every step (sqlite, seed ${seed})`, async () => {
    const handle = await openTempSqliteLedger();
    try {
      const counts = await runLedgerSimulation({ store: handle.store, seed, steps: 150 });
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(150);
    } finally {
      await handle.close();
    }
  });
}

it('migrates once: a second migration finds nothing to do', async () => {
  const handle = await openTempSqliteLedger();
  try {
    expect(handle.database.migrate()).toBe(0);
  } finally {
    await handle.close();
  }
});
