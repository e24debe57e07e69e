import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerStore } from '../../src/index.ts';
import { describeAccountContract } from './ledger-contract-accounts.ts';
import { describeReservationContract } from './ledger-contract-reservations.ts';
import { describeTransferContract } from './ledger-contract-transfers.ts';
import { harness, type LedgerHarness } from './ledger-fixtures.ts';

export interface StoreHandle {
  readonly store: LedgerStore;
  close(): Promise<void>;
}

/** Gives each test a fresh, empty store through `current()`. */
export type HarnessSource = () => LedgerHarness;

/**
 * The contract every LedgerStore adapter must meet, run through the ledger's use cases: the
 * same suite for the in-memory reference, SQLite and PostgreSQL. Each test gets a new store.
 */
export function describeLedgerContract(
  name: string,
  makeStore: () => Promise<StoreHandle>,
): void {
  describe(`ledger contract: ${name}`, () => {
    let handle: StoreHandle | null = null;
    let current: LedgerHarness | null = null;
    beforeEach(async () => {
      handle = await makeStore();
      current = harness(handle.store);
    });
    afterEach(async () => {
      await handle?.close();
      handle = null;
      current = null;
    });
    const source: HarnessSource = () => {
      if (current === null) throw new Error('no store: the harness is used outside a test');
      return current;
    };
    it('starts empty and consistent', async () => {
      const report = await source().ledger.verifyLedger();
      expect(report.ok && report.value.ok).toBe(true);
    });
    describeAccountContract(source);
    describeTransferContract(source);
    describeReservationContract(source);
  });
}
