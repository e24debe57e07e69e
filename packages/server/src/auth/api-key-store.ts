/** An API key as stored: never the key itself, only its SHA-256 (hex). */
export interface ApiKeyRecord {
  /** Public id (`key_...`), safe to list and log. */
  readonly id: string;
  readonly keyHash: string;
  /** The key acts on this account's subtree. */
  readonly accountId: string;
  readonly label: string;
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
}

/** Where API keys live (SQLite and PostgreSQL adapters in storage/). */
export interface ApiKeyStore {
  insertKey(record: ApiKeyRecord): Promise<void>;
  /** A key that is not revoked, by the hash of its secret. */
  findActiveKey(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Sorted by id. */
  listKeys(query: { accountId: string; limit: number }): Promise<ApiKeyRecord[]>;
  /** True when an active key of the account was revoked. */
  revokeKey(query: { accountId: string; id: string; atMs: number }): Promise<boolean>;
  /** Revokes every active key of the account with this label; returns how many. */
  revokeKeysByLabel(query: { accountId: string; label: string; atMs: number }): Promise<number>;
}
