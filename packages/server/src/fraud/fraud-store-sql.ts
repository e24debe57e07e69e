import {
  fraudConfigFromJson,
  fraudConfigToJson,
  type FraudAction,
  type FraudAlert,
  type FraudMeasure,
  type FraudRuleId,
  type FraudStore,
  type RiskList,
} from '@tollgate/core';
import type { SqlRunner } from '../storage/shared/sql-runner.ts';

/**
 * The fraud store written once over `SqlRunner`: the SQL is the same in SQLite and PostgreSQL
 * (upserts with ON CONFLICT, RETURNING). Rows come back with integers as bigint or number.
 */
export type WithRunner = <T>(work: (runner: SqlRunner) => Promise<T>,
  options?: { readonly readOnly?: boolean }) => Promise<T>;

type DbNumber = number | bigint;
const readOnly = { readOnly: true } as const;

const sql = {
  listConfigs: `SELECT account_id, config_json FROM fraud_configs WHERE account_id > ?
    ORDER BY account_id LIMIT ?`,
  saveConfig: `INSERT INTO fraud_configs (account_id, config_json, updated_at_ms) VALUES (?, ?, ?)
    ON CONFLICT (account_id) DO UPDATE SET config_json = excluded.config_json,
    updated_at_ms = excluded.updated_at_ms`,
  deleteConfig: 'DELETE FROM fraud_configs WHERE account_id = ? RETURNING account_id',
  listRiskLists: 'SELECT * FROM fraud_risk_lists ORDER BY id',
  saveRiskList: `INSERT INTO fraud_risk_lists (id, owner_account_id, name, prefixes_json, action,
    calls_threshold, window_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET owner_account_id = excluded.owner_account_id,
    name = excluded.name, prefixes_json = excluded.prefixes_json, action = excluded.action,
    calls_threshold = excluded.calls_threshold, window_ms = excluded.window_ms,
    updated_at_ms = excluded.updated_at_ms`,
  deleteRiskList: 'DELETE FROM fraud_risk_lists WHERE id = ? RETURNING id',
  insertAlert: `INSERT INTO fraud_alerts (id, account_id, root_account_id, scope_path, rule_id,
    action, destination, message, details_json, measure_id, dedupe_key, created_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
  listAlerts: `SELECT * FROM fraud_alerts WHERE scope_path LIKE ? ESCAPE '!'
    AND (CAST(? AS TEXT) IS NULL OR account_id = ?) AND id > ? ORDER BY id LIMIT ?`,
  insertMeasure: `INSERT INTO fraud_measures (id, account_id, scope_path, kind, prefix, rule_id,
    alert_id, created_at_ms, expires_at_ms, suspended_in_ledger, released_at_ms, released_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  releaseMeasure: `UPDATE fraud_measures SET released_at_ms = ?, released_by = ?
    WHERE id = ? AND released_at_ms IS NULL RETURNING *`,
  findMeasure: 'SELECT * FROM fraud_measures WHERE id = ?',
  listMeasures: `SELECT * FROM fraud_measures WHERE (CAST(? AS TEXT) IS NULL OR
    scope_path LIKE ? ESCAPE '!') AND (? = 0 OR released_at_ms IS NULL) AND id > ?
    ORDER BY id LIMIT ?`,
  saveProfile: `INSERT INTO fraud_profiles (account_id, profile_json, saved_at_ms) VALUES (?, ?, ?)
    ON CONFLICT (account_id) DO UPDATE SET profile_json = excluded.profile_json,
    saved_at_ms = excluded.saved_at_ms`,
  listProfiles: `SELECT * FROM fraud_profiles WHERE account_id > ? ORDER BY account_id LIMIT ?`,
} as const;

/** LIKE pattern matching scope paths that contain the account (ids may hold `_`). */
export function scopePattern(accountId: string): string {
  return `%/${accountId.replace(/[!%_]/g, (character) => `!${character}`)}/%`;
}

interface AlertRow {
  id: string; account_id: string; root_account_id: string; scope_path: string; rule_id: string;
  action: string; destination: string | null; message: string; details_json: string;
  measure_id: string | null; dedupe_key: string | null; created_at_ms: DbNumber;
}

export function fromDbAlert(row: AlertRow): FraudAlert {
  return { id: row.id, accountId: row.account_id, rootAccountId: row.root_account_id,
    scopePath: row.scope_path, ruleId: row.rule_id as FraudRuleId,
    action: row.action as FraudAction, destination: row.destination, message: row.message,
    details: JSON.parse(row.details_json) as Record<string, string>, measureId: row.measure_id,
    dedupeKey: row.dedupe_key, createdAtMs: Number(row.created_at_ms) };
}

function toDbAlert(alert: FraudAlert): unknown[] {
  return [alert.id, alert.accountId, alert.rootAccountId, alert.scopePath, alert.ruleId,
    alert.action, alert.destination, alert.message, JSON.stringify(alert.details),
    alert.measureId, alert.dedupeKey, alert.createdAtMs];
}

interface MeasureRow {
  id: string; account_id: string; scope_path: string; kind: string; prefix: string | null;
  rule_id: string; alert_id: string; created_at_ms: DbNumber; expires_at_ms: DbNumber | null;
  suspended_in_ledger: DbNumber; released_at_ms: DbNumber | null; released_by: string | null;
}

function fromDbMeasure(row: MeasureRow): FraudMeasure {
  return { id: row.id, accountId: row.account_id, scopePath: row.scope_path,
    kind: row.kind === 'suspend' ? 'suspend' : 'block_destination', prefix: row.prefix,
    ruleId: row.rule_id as FraudRuleId, alertId: row.alert_id,
    createdAtMs: Number(row.created_at_ms),
    expiresAtMs: row.expires_at_ms === null ? null : Number(row.expires_at_ms),
    suspendedInLedger: Number(row.suspended_in_ledger) === 1,
    releasedAtMs: row.released_at_ms === null ? null : Number(row.released_at_ms),
    releasedBy: row.released_by === null ? null
      : row.released_by === 'manual' ? 'manual' : 'cool_down' };
}

function toDbMeasure(measure: FraudMeasure): unknown[] {
  return [measure.id, measure.accountId, measure.scopePath, measure.kind, measure.prefix,
    measure.ruleId, measure.alertId, measure.createdAtMs, measure.expiresAtMs,
    measure.suspendedInLedger ? 1 : 0, measure.releasedAtMs, measure.releasedBy];
}

interface RiskListRow {
  id: string; owner_account_id: string | null; name: string; prefixes_json: string;
  action: string; calls_threshold: DbNumber; window_ms: DbNumber; updated_at_ms: DbNumber;
}

function fromDbRiskList(row: RiskListRow): RiskList {
  return { id: row.id, ownerAccountId: row.owner_account_id, name: row.name,
    prefixes: JSON.parse(row.prefixes_json) as string[], action: row.action as FraudAction,
    callsThreshold: Number(row.calls_threshold), windowMs: Number(row.window_ms),
    updatedAtMs: Number(row.updated_at_ms) };
}

export function fraudStoreOver(withRunner: WithRunner): FraudStore {
  const all = <Row>(text: string, params: readonly unknown[]) =>
    withRunner((runner) => runner.all<Row>(text, params));
  // Plain SELECTs run as read-only transactions: on SQLite they never wait for the write lock.
  const read = <Row>(text: string, params: readonly unknown[]) =>
    withRunner((runner) => runner.all<Row>(text, params), readOnly);
  return {
    listConfigs: async (after, limit) =>
      (await read<{ account_id: string; config_json: string }>(sql.listConfigs, [after, limit]))
        .map((row) => ({ accountId: row.account_id,
          config: fraudConfigFromJson(row.config_json) })),
    saveConfig: (accountId, config, updatedAtMs) => withRunner((runner) =>
      runner.run(sql.saveConfig, [accountId, fraudConfigToJson(config), updatedAtMs])),
    deleteConfig: async (accountId) => (await all(sql.deleteConfig, [accountId])).length > 0,
    listRiskLists: async () => (await read<RiskListRow>(sql.listRiskLists, [])).map(fromDbRiskList),
    saveRiskList: (list) => withRunner((runner) => runner.run(sql.saveRiskList, [list.id,
      list.ownerAccountId, list.name, JSON.stringify(list.prefixes), list.action,
      list.callsThreshold, list.windowMs, list.updatedAtMs])),
    deleteRiskList: async (id) => (await all(sql.deleteRiskList, [id])).length > 0,
    insertAlert: async (alert) => (await all(sql.insertAlert, toDbAlert(alert))).length > 0,
    listAlerts: async (query) => {
      const accountId = query.accountId ?? null;
      return (await read<AlertRow>(sql.listAlerts, [scopePattern(query.scopeAccountId), accountId,
        accountId, query.afterId ?? '', query.limit])).map(fromDbAlert);
    },
    insertMeasure: (measure) => withRunner((runner) =>
      runner.run(sql.insertMeasure, toDbMeasure(measure))),
    releaseMeasure: async (id, releasedAtMs, releasedBy) => {
      const [row] = await all<MeasureRow>(sql.releaseMeasure, [releasedAtMs, releasedBy, id]);
      return row === undefined ? null : fromDbMeasure(row);
    },
    findMeasure: async (id) => {
      const [row] = await read<MeasureRow>(sql.findMeasure, [id]);
      return row === undefined ? null : fromDbMeasure(row);
    },
    listMeasures: async (query) => {
      const scope = query.scopeAccountId;
      return (await read<MeasureRow>(sql.listMeasures, [scope,
        scope === null ? '' : scopePattern(scope), query.activeOnly ? 1 : 0,
        query.afterId ?? '', query.limit])).map(fromDbMeasure);
    },
    saveProfiles: (snapshots) => withRunner(async (runner) => {
      for (const snapshot of snapshots) {
        await runner.run(sql.saveProfile, [snapshot.accountId, snapshot.profileJson,
          snapshot.savedAtMs]);
      }
    }),
    listProfiles: async (after, limit) =>
      (await read<{ account_id: string; profile_json: string; saved_at_ms: DbNumber }>(
        sql.listProfiles, [after, limit])).map((row) => ({ accountId: row.account_id,
        profileJson: row.profile_json, savedAtMs: Number(row.saved_at_ms) })),
  };
}
