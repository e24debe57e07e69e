import type { WithRunner } from '../storage/shared/api-store-sql.ts';
import { sqliteWithRunner } from '../storage/sqlite/sqlite-api-stores.ts';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import type {
  IdentityKind,
  SubscriberDirectory,
  SubscriberIdentity,
  SubscriberMatch,
} from './subscriber-directory.ts';

export const identityChargingModes = ['online', 'not_applicable'] as const;
export type IdentityCharging = (typeof identityChargingModes)[number];

/** One row of `subscriber_identities` (migration 7). */
export interface SubscriberIdentityRecord extends SubscriberIdentity {
  readonly accountId: string;
  /** `not_applicable`: a known subscriber whose calls are not credit controlled (4011). */
  readonly charging: IdentityCharging;
  readonly createdAtMs: number;
}

/** The identity table: the directory the Diameter front end reads, and its management. */
export interface SubscriberIdentityStore extends SubscriberDirectory {
  /**
   * Inserts an identity, or updates its charging mode when it is already the same account's;
   * `taken` when another account has it (it must be removed there first).
   */
  put(record: SubscriberIdentityRecord): Promise<'stored' | 'taken'>;
  /** True when the identity existed and was this account's. */
  remove(identity: SubscriberIdentity & { readonly accountId: string }): Promise<boolean>;
  listByAccount(query: { readonly accountId: string; readonly limit: number }):
    Promise<SubscriberIdentityRecord[]>;
}

interface IdentityRow {
  kind: string;
  identity: string;
  account_id: string;
  charging: string;
  created_at_ms: number | bigint;
}

const identitySql = {
  find: 'SELECT account_id, charging FROM subscriber_identities WHERE kind = ? AND identity = ?',
  upsert: `INSERT INTO subscriber_identities (kind, identity, account_id, charging,
    created_at_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, identity) DO UPDATE
    SET charging = excluded.charging
    WHERE subscriber_identities.account_id = excluded.account_id RETURNING account_id`,
  remove: `DELETE FROM subscriber_identities WHERE kind = ? AND identity = ? AND account_id = ?
    RETURNING identity`,
  listByAccount: `SELECT kind, identity, account_id, charging, created_at_ms
    FROM subscriber_identities
    WHERE account_id = ? ORDER BY kind, identity LIMIT ?`,
} as const;

function fromDbIdentity(row: IdentityRow): SubscriberIdentityRecord {
  return { kind: row.kind as IdentityKind, identity: row.identity, accountId: row.account_id,
    charging: row.charging as IdentityCharging, createdAtMs: Number(row.created_at_ms) };
}

/**
 * The same SQL in both dialects, over the dialect's runner (as the deck and key stores).
 * `readRunner`, when given, runs the lookup a CCR-I makes as a read-only transaction, so it
 * does not queue behind the writers (SQLite).
 */
export function subscriberIdentityStoreOver(
  withRunner: WithRunner,
  readRunner: WithRunner = withRunner,
): SubscriberIdentityStore {
  return {
    find: (identity) => readRunner(async (runner): Promise<SubscriberMatch | null> => {
      const [row] = await runner.all<{ account_id: string; charging: string }>(
        identitySql.find, [identity.kind, identity.identity]);
      if (row === undefined) return null;
      return row.charging === 'not_applicable' ? { kind: 'not_applicable' }
        : { kind: 'account', accountId: row.account_id };
    }),
    put: (record) => withRunner(async (runner) => {
      const rows = await runner.all(identitySql.upsert, [record.kind, record.identity,
        record.accountId, record.charging, record.createdAtMs]);
      return rows.length > 0 ? 'stored' : 'taken';
    }),
    remove: (identity) => withRunner(async (runner) =>
      (await runner.all(identitySql.remove, [identity.kind, identity.identity,
        identity.accountId])).length > 0),
    listByAccount: ({ accountId, limit }) => withRunner(async (runner) =>
      (await runner.all<IdentityRow>(identitySql.listByAccount, [accountId, limit]))
        .map(fromDbIdentity)),
  };
}

/** SQLite: the lookup in a read-only transaction, management through the shared runner. */
export function sqliteSubscriberIdentityStore(database: SqliteDatabase): SubscriberIdentityStore {
  const readRunner: WithRunner = (work) => database.transaction((connection) => work({
    all: async <Row>(sql: string, params: readonly unknown[]) =>
      connection.prepare(sql).all(...params) as Row[],
    run: async () => {
      throw new Error('a read-only identity lookup never writes');
    },
  }), { readOnly: true });
  return subscriberIdentityStoreOver(sqliteWithRunner(database), readRunner);
}
