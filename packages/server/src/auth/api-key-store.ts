import type { ApiKeyScope } from './api-key-scope.ts';

/** An API key as stored: never the key itself, only its SHA-256 (hex). */
export interface ApiKeyRecord {
  /** Public id (`key_...`), safe to list and log. */
  readonly id: string;
  readonly keyHash: string;
  /** The key acts on this account's subtree. */
  readonly accountId: string;
  readonly label: string;
  /** Which routes the key may call (api-key-scope.ts); `full` for keys made before scopes. */
  readonly scope: ApiKeyScope;
  readonly createdAtMs: number;
  /** From this instant on the key is refused like a revoked one; null: never. */
  readonly expiresAtMs: number | null;
  readonly revokedAtMs: number | null;
  /** The last authentication written (coalesced: up to a minute behind, see api-keys.ts). */
  readonly lastUsedAtMs: number | null;
}

/** Where API keys live (SQLite and PostgreSQL adapters in storage/). */
export interface ApiKeyStore {
  insertKey(record: ApiKeyRecord): Promise<void>;
  /** A key that is not revoked, by the hash of its secret (it may have expired). */
  findActiveKey(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Sorted by id. */
  listKeys(query: { accountId: string; limit: number }): Promise<ApiKeyRecord[]>;
  /** True when an active key of the account was revoked. */
  revokeKey(query: { accountId: string; id: string; atMs: number }): Promise<boolean>;
  /** Revokes every active key of the account with this label; returns how many. */
  revokeKeysByLabel(query: { accountId: string; label: string; atMs: number }): Promise<number>;
  /**
   * Records that the key authenticated at `usedAtMs`; never moves the stored time back (two
   * nodes may write out of order).
   */
  recordKeyUse(use: { id: string; usedAtMs: number }): Promise<void>;
}
