import type { CurrencyCode, RoundingMode } from '@tollgate/core';
import type { ApiKeyScope } from '../../auth/api-key-scope.ts';
import type { ApiKeyRecord, ApiKeyStore } from '../../auth/api-key-store.ts';
import type {
  DeckListQuery,
  DeckSource,
  DeckStore,
  DeckSummary,
  TimeBandsSource,
} from '../../decks/deck-store.ts';
import type { SqlRunner } from './sql-runner.ts';

/**
 * The deck and API-key adapters, written once over `SqlRunner` (the SQL is the same in both
 * dialects). Each dialect supplies `withRunner`: how to run statements on its connection.
 * Rows come back with BIGINT / INTEGER as bigint (both drivers are set up so), hence Number().
 */
export type WithRunner = <T>(work: (runner: SqlRunner) => Promise<T>,
  options?: { readonly readOnly?: boolean }) => Promise<T>;

type DbNumber = number | bigint;

interface DeckRow {
  id: string;
  name: string;
  owner_account_id: string | null;
  currency: string;
  decimals: DbNumber;
  rounding: string;
  zone: string;
  row_count: DbNumber;
  bands_id: string | null;
  created_at_ms: DbNumber;
  csv_text?: string;
  bands_text?: string | null;
}

const summaryColumns = `id, name, owner_account_id, currency, decimals, rounding, zone, row_count,
  bands_id, created_at_ms`;

const deckSql = {
  insert: `INSERT INTO rate_decks (${summaryColumns}, csv_text, bands_text)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  find: `SELECT ${summaryColumns}, csv_text, bands_text FROM rate_decks WHERE id = ?`,
  findSummary: `SELECT ${summaryColumns} FROM rate_decks WHERE id = ?`,
  listAll: `SELECT ${summaryColumns} FROM rate_decks WHERE id > ? ORDER BY id LIMIT ?`,
  listOwned: `SELECT ${summaryColumns} FROM rate_decks WHERE owner_account_id = ? AND id > ?
    ORDER BY id LIMIT ?`,
  insertBands: `INSERT INTO time_bands (id, name, owner_account_id, band_count, csv_text,
    created_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
  findBands: 'SELECT * FROM time_bands WHERE id = ?',
} as const;

function fromDbDeckSummary(row: DeckRow): DeckSummary {
  return {
    id: row.id,
    name: row.name,
    ownerAccountId: row.owner_account_id,
    settings: { currency: row.currency as CurrencyCode, decimals: Number(row.decimals),
      rounding: row.rounding as RoundingMode, zone: row.zone },
    rowCount: Number(row.row_count),
    bandsId: row.bands_id,
    createdAtMs: Number(row.created_at_ms),
  };
}

function toDbDeck(source: DeckSource): unknown[] {
  const { settings } = source;
  return [source.id, source.name, source.ownerAccountId, settings.currency, settings.decimals,
    settings.rounding, settings.zone, source.rowCount, source.bandsId, source.createdAtMs,
    source.csvText, source.bandsText];
}

interface BandsRow {
  id: string;
  name: string;
  owner_account_id: string | null;
  band_count: DbNumber;
  csv_text: string;
  created_at_ms: DbNumber;
}

export function deckStoreOver(withRunner: WithRunner): DeckStore {
  return {
    saveDeck: (source) => withRunner((runner) => runner.run(deckSql.insert, toDbDeck(source))),
    findDeck: (id) => withRunner(async (runner) => {
      const [row] = await runner.all<DeckRow>(deckSql.find, [id]);
      return row === undefined ? null : { ...fromDbDeckSummary(row), csvText: row.csv_text ?? '',
        bandsText: row.bands_text ?? null };
    }),
    findDeckSummary: (id) => withRunner(async (runner) => {
      const [row] = await runner.all<DeckRow>(deckSql.findSummary, [id]);
      return row === undefined ? null : fromDbDeckSummary(row);
    }),
    listDecks: (query: DeckListQuery) => withRunner(async (runner) => {
      const after = query.afterId ?? '';
      const rows = query.ownerAccountId === undefined
        ? await runner.all<DeckRow>(deckSql.listAll, [after, query.limit])
        : await runner.all<DeckRow>(deckSql.listOwned, [query.ownerAccountId, after,
          query.limit]);
      return rows.map(fromDbDeckSummary);
    }),
    saveTimeBands: (source: TimeBandsSource) => withRunner((runner) =>
      runner.run(deckSql.insertBands, [source.id, source.name, source.ownerAccountId,
        source.bandCount, source.csvText, source.createdAtMs])),
    findTimeBands: (id) => withRunner(async (runner) => {
      const [row] = await runner.all<BandsRow>(deckSql.findBands, [id]);
      return row === undefined ? null : { id: row.id, name: row.name,
        ownerAccountId: row.owner_account_id, bandCount: Number(row.band_count),
        csvText: row.csv_text, createdAtMs: Number(row.created_at_ms) };
    }),
  };
}

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
