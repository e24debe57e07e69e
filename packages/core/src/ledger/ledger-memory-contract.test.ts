import { describeLedgerContract } from '../../test/contract/ledger-store-contract.ts';
import { createMemoryLedgerStore } from '../../test/memory/memory-ledger-store.ts';

describeLedgerContract('memory', async () => ({
  store: createMemoryLedgerStore(),
  close: async () => undefined,
}));
