import { createLedgerService, ManualClock } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyRecord, ApiKeyStore } from '../../src/auth/api-key-store.ts';
import { apiKeyUsageLimits } from '../../src/auth/api-key-usage.ts';
import { createApiKeys, hashApiKey, type ApiKeys } from '../../src/auth/api-keys.ts';
import { createPostgresApiKeyStore } from '../../src/storage/postgres/postgres-api-stores.ts';
import { createPostgresLedgerStore } from '../../src/storage/postgres/postgres-ledger-store.ts';
import { createSqliteApiKeyStore } from '../../src/storage/sqlite/sqlite-api-stores.ts';
import { createSqliteLedgerStore } from '../../src/storage/sqlite/sqlite-ledger-store.ts';
import { openTempPostgresLedger } from './postgres-fixture.ts';
import { openTempSqliteLedger } from './sqlite-fixture.ts';

// One contract for the API key store (migration 9: scope, expiry, last use) on both dialects;
// PostgreSQL fails, never skips, when it is down.
const kinds = ['sqlite', 'postgres'] as const;
const startMs = 1_800_000_000_000;
const minuteMs = apiKeyUsageLimits.writeIntervalMs;

function record(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { id, keyHash: hashApiKey(`secret-${id}`), accountId: 'cu_1', label: 'switch',
    scope: 'charging', createdAtMs: startMs, expiresAtMs: startMs + 3_600_000,
    revokedAtMs: null, lastUsedAtMs: null, ...overrides };
}

/** The store with its writes of last use counted. */
function counting(store: ApiKeyStore): { store: ApiKeyStore; uses: () => number } {
  let uses = 0;
  return { uses: () => uses, store: { ...store, recordKeyUse: async (use) => {
    uses += 1;
    await store.recordKeyUse(use);
  } } };
}

for (const kind of kinds) {
  describe(`API key store contract on ${kind}`, () => {
    let store: ApiKeyStore;
    let legacyInsert: (id: string) => Promise<void>;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const clock = new ManualClock(startMs);
      const legacySql = `INSERT INTO api_keys (id, key_hash, account_id, label, created_at_ms)
        VALUES ('key_legacy', 'legacy-hash', 'cu_1', 'old', 1)`;
      if (kind === 'sqlite') {
        const handle = await openTempSqliteLedger();
        store = createSqliteApiKeyStore(handle.database);
        close = handle.close;
        legacyInsert = async () => handle.database.transaction(async (connection) => {
          connection.prepare(legacySql).run();
        });
        await seedAccount(createLedgerService({ store: createSqliteLedgerStore(handle.database),
          clock }));
      } else {
        const handle = await openTempPostgresLedger('apikeys');
        store = createPostgresApiKeyStore(handle.database);
        close = handle.close;
        legacyInsert = async () => {
          await handle.database.pool.query(legacySql);
        };
        await seedAccount(createLedgerService({
          store: createPostgresLedgerStore(handle.database), clock }));
      }
    });
    afterAll(async () => {
      await close?.();
    });

    it('keeps scope, expiry and last use, and finds active keys by hash', async () => {
      const stored = record('key_a');
      await store.insertKey(stored);
      await store.insertKey(record('key_b', { scope: 'read_only', expiresAtMs: null }));
      expect(await store.findActiveKey(stored.keyHash)).toEqual(stored);
      expect((await store.listKeys({ accountId: 'cu_1', limit: 10 }))
        .map((entry) => [entry.id, entry.scope, entry.expiresAtMs]))
        .toEqual([['key_a', 'charging', startMs + 3_600_000], ['key_b', 'read_only', null]]);
      expect(await store.revokeKey({ accountId: 'cu_1', id: 'key_b', atMs: startMs + 1 }))
        .toBe(true);
      expect(await store.findActiveKey(record('key_b').keyHash)).toBeNull();
    });
    it('records the last use without ever moving it back', async () => {
      await store.recordKeyUse({ id: 'key_a', usedAtMs: startMs + 20 });
      await store.recordKeyUse({ id: 'key_a', usedAtMs: startMs + 10 });
      expect((await store.findActiveKey(record('key_a').keyHash))?.lastUsedAtMs)
        .toBe(startMs + 20);
      await store.recordKeyUse({ id: 'key_a', usedAtMs: startMs + 30 });
      expect((await store.findActiveKey(record('key_a').keyHash))?.lastUsedAtMs)
        .toBe(startMs + 30);
    });
    it('gives keys made before migration 9 the full scope, no expiry, no use', async () => {
      await legacyInsert('key_legacy');
      expect(await store.findActiveKey('legacy-hash')).toMatchObject({ scope: 'full',
        expiresAtMs: null, lastUsedAtMs: null });
    });
    it('refuses a scope that does not exist', async () => {
      await expect(store.insertKey(record('key_bad', { scope: 'root' as never })))
        .rejects.toThrow();
    });
    it('writes the last use at most once a minute per key, and all of it at the end', async () => {
      const clock = new ManualClock(startMs);
      const counted = counting(store);
      const keys: ApiKeys = createApiKeys({ store: counted.store, clock, adminKey: '' });
      const made = await keys.createKey({ accountId: 'cu_1', label: 'busy', scope: 'charging',
        expiresAtMs: null, creator: { kind: 'operator' } });
      if (!made.ok) throw new Error(made.message);
      const { key, record: { id } } = made.value;
      const stored = async () => (await store.listKeys({ accountId: 'cu_1', limit: 10 }))
        .find((entry) => entry.id === id)?.lastUsedAtMs;
      const listed = async () => (await keys.listKeys('cu_1'))
        .find((entry) => entry.id === id)?.lastUsedAtMs;
      for (let request = 0; request < 100; request += 1) await keys.authenticate(key);
      await keys.flushUsage();
      expect([counted.uses(), await stored()]).toEqual([1, startMs]);
      clock.advanceMs(minuteMs / 2);
      for (let request = 0; request < 100; request += 1) await keys.authenticate(key);
      // Not written yet, but listed from memory.
      expect([counted.uses(), await stored(), await listed()])
        .toEqual([1, startMs, startMs + minuteMs / 2]);
      clock.advanceMs(minuteMs / 2);
      await keys.authenticate(key);
      await keys.authenticate(key);
      await keys.flushUsage();
      expect([counted.uses(), await stored()]).toEqual([2, startMs + minuteMs]);
      clock.advanceMs(1_000);
      await keys.authenticate(key);
      // Shutdown writes what the interval held back.
      await keys.flushUsage();
      expect([counted.uses(), await stored()]).toEqual([3, startMs + minuteMs + 1_000]);
      await keys.flushUsage();
      expect(counted.uses()).toBe(3);
    });
  });
}

async function seedAccount(ledger: ReturnType<typeof createLedgerService>): Promise<void> {
  for (const [id, tier, parentId] of [['op', 'super_admin', null], ['rs', 'admin', 'op'],
    ['cu_1', 'customer', 'rs']] as const) {
    const created = await ledger.createAccount({ id, tier, parentId, name: id,
      currency: 'USD' });
    if (!created.ok) throw new Error(created.message);
  }
}
