import type { ApiKeyScope } from '../../auth/api-key-scope.ts';
import type { ApiKeyRecord, ApiKeyStore } from '../../auth/api-key-store.ts';
import type { SqlRunner } from './sql-runner.ts';

export { deckStoreOver } from './deck-store-sql.ts';

/**
 * The API-key adapter (the deck adapter is in `deck-store-sql.ts`), written once over
 * `SqlRunner` (the SQL is the same in both dialects). Each dialect supplies `withRunner`: how
 * to run statements on its connection. Rows come back with BIGINT / INTEGER as bigint (both
 * drivers are set up so), hence Number().
 */
export type WithRunner = <T>(work: (runner: SqlRunner) => Promise<T>,
  options?: { readonly readOnly?: boolean }) => Promise<T>;

type DbNumber = number | bigint;

interface ApiKeyRow {
  id: string;
  key_hash: string;
  account_id: string;
  label: string;
  scope: string;
  created_at_ms: DbNumber;
  expires_at_ms: DbNumber | null;
  revoked_at_ms: DbNumber | null;
  last_used_at_ms: DbNumber | null;
}

const keyColumns = `id, key_hash, account_id, label, scope, created_at_ms, expires_at_ms,
  revoked_at_ms, last_used_at_ms`;

const keySql = {
  insert: `INSERT INTO api_keys (${keyColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  findActive: `SELECT ${keyColumns} FROM api_keys WHERE key_hash = ? AND revoked_at_ms IS NULL`,
  list: `SELECT ${keyColumns} FROM api_keys WHERE account_id = ? ORDER BY id LIMIT ?`,
  revoke: `UPDATE api_keys SET revoked_at_ms = ?
    WHERE account_id = ? AND id = ? AND revoked_at_ms IS NULL RETURNING id`,
  revokeByLabel: `UPDATE api_keys SET revoked_at_ms = ?
    WHERE account_id = ? AND label = ? AND revoked_at_ms IS NULL RETURNING id`,
  // Never back: nodes write their coalesced times in any order.
  recordUse: `UPDATE api_keys SET last_used_at_ms = ?
    WHERE id = ? AND (last_used_at_ms IS NULL OR last_used_at_ms < ?)`,
} as const;

const nullableMs = (value: DbNumber | null) => value === null ? null : Number(value);

function fromDbApiKey(row: ApiKeyRow): ApiKeyRecord {
  return { id: row.id, keyHash: row.key_hash, accountId: row.account_id, label: row.label,
    scope: row.scope as ApiKeyScope, createdAtMs: Number(row.created_at_ms),
    expiresAtMs: nullableMs(row.expires_at_ms), revokedAtMs: nullableMs(row.revoked_at_ms),
    lastUsedAtMs: nullableMs(row.last_used_at_ms) };
}

export function apiKeyStoreOver(withRunner: WithRunner): ApiKeyStore {
  return {
    insertKey: (record) => withRunner((runner) => runner.run(keySql.insert, [record.id,
      record.keyHash, record.accountId, record.label, record.scope, record.createdAtMs,
      record.expiresAtMs, record.revokedAtMs, record.lastUsedAtMs])),
    findActiveKey: (keyHash) => withRunner(async (runner) => {
      const [row] = await runner.all<ApiKeyRow>(keySql.findActive, [keyHash]);
      return row === undefined ? null : fromDbApiKey(row);
    }),
    listKeys: ({ accountId, limit }) => withRunner(async (runner) =>
      (await runner.all<ApiKeyRow>(keySql.list, [accountId, limit])).map(fromDbApiKey)),
    revokeKey: ({ accountId, id, atMs }) => withRunner(async (runner) =>
      (await runner.all(keySql.revoke, [atMs, accountId, id])).length > 0),
    revokeKeysByLabel: ({ accountId, label, atMs }) => withRunner(async (runner) =>
      (await runner.all(keySql.revokeByLabel, [atMs, accountId, label])).length),
    recordKeyUse: ({ id, usedAtMs }) => withRunner((runner) =>
      runner.run(keySql.recordUse, [usedAtMs, id, usedAtMs])),
  };
}
