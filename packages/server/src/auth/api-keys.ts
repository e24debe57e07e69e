import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { problem, success, type Clock, type Result } from '@tollgate/core';
import { scopeCovers, type ApiKeyScope } from './api-key-scope.ts';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.ts';
import { createApiKeyUsage } from './api-key-usage.ts';
import { secretsEqual } from './secret-compare.ts';

/**
 * Who is calling. The operator holds `TOLLGATE_ADMIN_KEY` and acts on every account tree (it
 * creates the first super_admin of an empty database) with every route; every other key
 * belongs to one account, acts on that account's subtree only, and calls the routes its scope
 * allows until it expires.
 */
export type Principal =
  | { readonly kind: 'operator' }
  | { readonly kind: 'account'; readonly accountId: string; readonly keyId: string;
    readonly scope: ApiKeyScope; readonly expiresAtMs: number | null };

/** Why a key cannot be made. */
export const apiKeyCodes = ['scope_insufficient', 'invalid_key_expiry'] as const;
export type ApiKeyCode = (typeof apiKeyCodes)[number];

export const apiKeyLimits = {
  /** Longer bearer tokens are refused before hashing. */
  keyLengthMax: 256,
  labelLengthMax: 100,
  keysListedMax: 100,
  /** 32 random bytes: a key cannot be guessed, so a plain hash (no salt, no stretching) is safe. */
  keyBytes: 32,
  /**
   * A known key is remembered this long, so a busy switch is not looked up on every request;
   * a revocation on another node takes effect within it (on this node, at once). Expiry is
   * checked on every request, cached or not.
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

/** The scope a principal acts with: the operator's is `full`. */
export function keyScopeOf(principal: Principal): ApiKeyScope {
  return principal.kind === 'operator' ? 'full' : principal.scope;
}

export interface NewKeyRequest {
  /** Who makes the key: the new key is never wider, nor longer-lived, than its maker. */
  readonly creator: Principal;
  readonly scope: ApiKeyScope;
  /** Null: as long as the maker lives (forever for a key without expiry, and the operator). */
  readonly expiresAtMs: number | null;
}

/**
 * The scope and expiry a new key gets (pure). A key makes keys no wider than itself, and a key
 * that expires makes keys that expire no later: a temporary key cannot mint permanent ones.
 */
export function checkNewKey(request: NewKeyRequest, nowMs: number):
  Result<{ scope: ApiKeyScope; expiresAtMs: number | null }, ApiKeyCode> {
  const { creator, scope, expiresAtMs } = request;
  if (!scopeCovers(keyScopeOf(creator), scope)) {
    return problem('scope_insufficient',
      `a ${keyScopeOf(creator)} key cannot make a ${scope} key`);
  }
  if (expiresAtMs !== null && expiresAtMs <= nowMs) {
    return problem('invalid_key_expiry', 'expires_at must be in the future');
  }
  const creatorExpiresAtMs = creator.kind === 'operator' ? null : creator.expiresAtMs;
  if (creatorExpiresAtMs === null) return success({ scope, expiresAtMs });
  if (expiresAtMs !== null && expiresAtMs > creatorExpiresAtMs) {
    return problem('scope_insufficient', 'a key cannot make a key that outlives it');
  }
  return success({ scope, expiresAtMs: expiresAtMs ?? creatorExpiresAtMs });
}

export interface CreatedApiKey {
  readonly record: ApiKeyRecord;
  /** The secret: returned once, never stored. */
  readonly key: string;
}

export interface ApiKeys {
  /** The principal of a bearer token, or null when it is unknown, revoked or expired. */
  authenticate(key: string): Promise<Principal | null>;
  createKey(input: NewKeyRequest & { accountId: string; label: string }):
    Promise<Result<CreatedApiKey, ApiKeyCode>>;
  /** With each key's latest use on this node, written or not. */
  listKeys(accountId: string): Promise<ApiKeyRecord[]>;
  revokeKey(input: { accountId: string; id: string }): Promise<boolean>;
  revokeKeysByLabel(input: { accountId: string; label: string }): Promise<number>;
  /** Writes the last-used times not yet written (before the database closes). */
  flushUsage(): Promise<void>;
}

function principalOfRecord(record: ApiKeyRecord): Principal {
  return { kind: 'account', accountId: record.accountId, keyId: record.id,
    scope: record.scope, expiresAtMs: record.expiresAtMs };
}

export function createApiKeys(deps: {
  store: ApiKeyStore;
  clock: Clock;
  /** Empty: there is no operator key. */
  adminKey: string;
  /** A last-used write failed (it is tried again later). */
  onUsageError?: (error: unknown) => void;
}): ApiKeys {
  const adminHash = deps.adminKey === '' ? null : Buffer.from(hashApiKey(deps.adminKey), 'hex');
  const usage = createApiKeyUsage({ store: deps.store,
    onError: deps.onUsageError ?? (() => undefined) });
  const known = new Map<string, { principal: Principal; cachedUntilMs: number }>();
  const lookUp = async (hash: string, nowMs: number): Promise<Principal | null> => {
    const cached = known.get(hash);
    if (cached !== undefined && cached.cachedUntilMs > nowMs) return cached.principal;
    const record = await deps.store.findActiveKey(hash);
    // The index found the row by hash; the hash itself is checked in constant time, so no
    // path through this function compares secret material byte by byte.
    if (record === null || !secretsEqual(record.keyHash, hash)) {
      known.delete(hash);
      return null;
    }
    const principal = principalOfRecord(record);
    if (known.size >= apiKeyLimits.cacheEntriesMax) known.clear();
    known.set(hash, { principal, cachedUntilMs: nowMs + apiKeyLimits.cacheTtlMs });
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
      const nowMs = deps.clock.nowMs();
      const principal = await lookUp(hash, nowMs);
      if (principal === null || principal.kind === 'operator') return principal;
      if (principal.expiresAtMs !== null && principal.expiresAtMs <= nowMs) return null;
      usage.record(principal.keyId, nowMs);
      return principal;
    },
    createKey: async (input) => {
      const nowMs = deps.clock.nowMs();
      const checked = checkNewKey(input, nowMs);
      if (!checked.ok) return checked;
      const key = keyPrefix + randomBytes(apiKeyLimits.keyBytes).toString('base64url');
      const record: ApiKeyRecord = { id: randomId('key'), keyHash: hashApiKey(key),
        accountId: input.accountId, label: input.label, scope: checked.value.scope,
        createdAtMs: nowMs, expiresAtMs: checked.value.expiresAtMs, revokedAtMs: null,
        lastUsedAtMs: null };
      await deps.store.insertKey(record);
      return success({ record, key });
    },
    listKeys: async (accountId) => {
      const records = await deps.store.listKeys({ accountId, limit: apiKeyLimits.keysListedMax });
      return records.map((record) => {
        const seenAtMs = usage.lastUsedAtMs(record.id);
        return seenAtMs === null || (record.lastUsedAtMs ?? 0) >= seenAtMs ? record
          : { ...record, lastUsedAtMs: seenAtMs };
      });
    },
    revokeKey: ({ accountId, id }) => {
      known.clear();
      return deps.store.revokeKey({ accountId, id, atMs: deps.clock.nowMs() });
    },
    revokeKeysByLabel: ({ accountId, label }) => {
      known.clear();
      return deps.store.revokeKeysByLabel({ accountId, label, atMs: deps.clock.nowMs() });
    },
    flushUsage: () => usage.flush(deps.clock.nowMs()),
  };
}
