import type { ApiKeyStore } from './api-key-store.ts';

export const apiKeyUsageLimits = {
  /**
   * A key's last use is written at most this often per node. A switch authenticates hundreds
   * of times a second; one write a minute per key keeps `last_used_at` useful ("is this key
   * still in use?") at no cost to the charging path.
   */
  writeIntervalMs: 60_000,
  /** Keys tracked at once; past it every unwritten use is written and the table starts anew. */
  keysTrackedMax: 10_000,
} as const;

interface Tracked {
  /** The latest authentication seen on this node. */
  usedAtMs: number;
  /** The latest value known written; null: none yet. */
  writtenAtMs: number | null;
  /** When a write was last started (it may have failed): the interval counts from here. */
  attemptedAtMs: number | null;
  writing: boolean;
}

export interface ApiKeyUsage {
  /** Notes an authentication; starts a write when the key's interval has passed. */
  record(keyId: string, nowMs: number): void;
  /** This node's latest authentication of the key, written or not. */
  lastUsedAtMs(keyId: string): number | null;
  /** Writes every use not yet written and waits for the writes under way (at shutdown). */
  flush(nowMs: number): Promise<void>;
}

/**
 * Last-used times, coalesced in memory. Writes run in the background (the request that
 * triggers one does not wait for it); a failed write is reported and tried again a write
 * interval later. Only the key id travels to storage, never the secret or its hash.
 */
export function createApiKeyUsage(deps: {
  store: Pick<ApiKeyStore, 'recordKeyUse'>;
  onError: (error: unknown) => void;
}): ApiKeyUsage {
  let tracked = new Map<string, Tracked>();
  const writes = new Set<Promise<void>>();
  const write = (keyId: string, entry: Tracked, nowMs: number): void => {
    const usedAtMs = entry.usedAtMs;
    entry.writing = true;
    entry.attemptedAtMs = nowMs;
    const done = deps.store.recordKeyUse({ id: keyId, usedAtMs }).then(() => {
      entry.writtenAtMs = Math.max(entry.writtenAtMs ?? usedAtMs, usedAtMs);
    }, deps.onError).finally(() => {
      entry.writing = false;
      writes.delete(done);
    });
    writes.add(done);
  };
  const unwritten = (entry: Tracked) => !entry.writing &&
    (entry.writtenAtMs === null || entry.usedAtMs > entry.writtenAtMs);
  const writeAll = (table: Map<string, Tracked>, nowMs: number) => {
    for (const [keyId, entry] of table) if (unwritten(entry)) write(keyId, entry, nowMs);
  };
  return {
    record: (keyId, nowMs) => {
      let entry = tracked.get(keyId);
      if (entry === undefined) {
        if (tracked.size >= apiKeyUsageLimits.keysTrackedMax) {
          writeAll(tracked, nowMs);
          tracked = new Map();
        }
        entry = { usedAtMs: nowMs, writtenAtMs: null, attemptedAtMs: null, writing: false };
        tracked.set(keyId, entry);
      }
      entry.usedAtMs = Math.max(entry.usedAtMs, nowMs);
      const due = entry.attemptedAtMs === null ||
        nowMs - entry.attemptedAtMs >= apiKeyUsageLimits.writeIntervalMs;
      if (due && unwritten(entry)) write(keyId, entry, nowMs);
    },
    lastUsedAtMs: (keyId) => tracked.get(keyId)?.usedAtMs ?? null,
    flush: async (nowMs) => {
      await Promise.all([...writes]);
      writeAll(tracked, nowMs);
      await Promise.all([...writes]);
    },
  };
}
