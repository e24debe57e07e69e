import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@tollgate/core';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.ts';

/**
 * Who is calling. The operator holds `TOLLGATE_ADMIN_KEY` and acts on every account tree (it
 * creates the first super_admin of an empty database); every other key belongs to one account
 * and acts on that account's subtree only.
 */
export type Principal =
  | { readonly kind: 'operator' }
  | { readonly kind: 'account'; readonly accountId: string; readonly keyId: string };

export const apiKeyLimits = {
  /** Longer bearer tokens are refused before hashing. */
  keyLengthMax: 256,
  labelLengthMax: 100,
  keysListedMax: 100,
  /** 32 random bytes: a key cannot be guessed, so a plain hash (no salt, no stretching) is safe. */
  keyBytes: 32,
  /**
   * A known key is remembered this long, so a busy switch is not looked up on every request;
   * a revocation on another node takes effect within it (on this node, at once).
   */
  cacheTtlMs: 5_000,
  cacheEntriesMax: 10_000,
} as const;

const keyPrefix = 'tg_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export interface CreatedApiKey {
  readonly record: ApiKeyRecord;
  /** The secret: returned once, never stored. */
  readonly key: string;
}

export interface ApiKeys {
  /** The principal of a bearer token, or null when it is unknown or revoked. */
  authenticate(key: string): Promise<Principal | null>;
  createKey(input: { accountId: string; label: string }): Promise<CreatedApiKey>;
  listKeys(accountId: string): Promise<ApiKeyRecord[]>;
  revokeKey(input: { accountId: string; id: string }): Promise<boolean>;
  revokeKeysByLabel(input: { accountId: string; label: string }): Promise<number>;
}

export function createApiKeys(deps: {
  store: ApiKeyStore;
  clock: Clock;
  /** Empty: there is no operator key. */
  adminKey: string;
}): ApiKeys {
  const adminHash = deps.adminKey === '' ? null : Buffer.from(hashApiKey(deps.adminKey), 'hex');
  const known = new Map<string, { principal: Principal; expiresAtMs: number }>();
  const lookUp = async (hash: string): Promise<Principal | null> => {
    const nowMs = deps.clock.nowMs();
    const cached = known.get(hash);
    if (cached !== undefined && cached.expiresAtMs > nowMs) return cached.principal;
    const record = await deps.store.findActiveKey(hash);
    if (record === null) {
      known.delete(hash);
      return null;
    }
    const principal: Principal = { kind: 'account', accountId: record.accountId,
      keyId: record.id };
    if (known.size >= apiKeyLimits.cacheEntriesMax) known.clear();
    known.set(hash, { principal, expiresAtMs: nowMs + apiKeyLimits.cacheTtlMs });
    return principal;
  };
  return {
    authenticate: async (key) => {
      if (key.length === 0 || key.length > apiKeyLimits.keyLengthMax) return null;
      const hash = hashApiKey(key);
      // Compare hashes in constant time: the admin key is the one secret held in memory.
      if (adminHash !== null && timingSafeEqual(adminHash, Buffer.from(hash, 'hex'))) {
        return { kind: 'operator' };
      }
      return lookUp(hash);
    },
    createKey: async ({ accountId, label }) => {
      const key = keyPrefix + randomBytes(apiKeyLimits.keyBytes).toString('base64url');
      const record: ApiKeyRecord = { id: randomId('key'), keyHash: hashApiKey(key), accountId,
        label, createdAtMs: deps.clock.nowMs(), revokedAtMs: null };
      await deps.store.insertKey(record);
      return { record, key };
    },
    listKeys: (accountId) => deps.store.listKeys({ accountId,
      limit: apiKeyLimits.keysListedMax }),
    revokeKey: ({ accountId, id }) => {
      known.clear();
      return deps.store.revokeKey({ accountId, id, atMs: deps.clock.nowMs() });
    },
    revokeKeysByLabel: ({ accountId, label }) => {
      known.clear();
      return deps.store.revokeKeysByLabel({ accountId, label, atMs: deps.clock.nowMs() });
    },
  };
}
