import type { EngineStorage } from '@tollgate/core';
import type { TollgateMetrics } from './metrics.ts';

/**
 * The engine's storage with each batch commit measured: its records and the time it took to
 * store and commit them. One observation per batch, not per call: a batch holds up to
 * `engineBatchDecisionsMax` decisions. Every other method is passed through unchanged.
 */
export function meteredEngineStorage(storage: EngineStorage,
  metrics: TollgateMetrics | undefined): EngineStorage {
  if (metrics === undefined) return storage;
  const records = metrics.batchRecords;
  const seconds = metrics.commitSeconds;
  return {
    loadSnapshot: () => storage.loadSnapshot(),
    loadSessions: (ids) => storage.loadSessions(ids),
    loadSpendWindows: (keys) => storage.loadSpendWindows(keys),
    loadBundles: (query) => storage.loadBundles(query),
    loadOutcomes: (keys) => storage.loadOutcomes(keys),
    loadReservations: (ids) => storage.loadReservations(ids),
    loadExchangeRates: (pairs) => storage.loadExchangeRates(pairs),
    loadAccounts: (ids) => storage.loadAccounts(ids),
    allocateTransferIds: (count) => storage.allocateTransferIds(count),
    appendBatch: async (batch) => {
      const startedMs = performance.now();
      await storage.appendBatch(batch);
      seconds.observe((performance.now() - startedMs) / 1_000);
      records.observe(batch.length);
    },
    read: (work) => storage.read(work),
  };
}
