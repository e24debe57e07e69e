import type { Carrier, CurrencyCode, RouteRule, RoutingPolicy } from '@tollgate/core';
import type { WithRunner } from '../storage/shared/api-store-sql.ts';

/** Carriers, routing policies and route plan lines: operator configuration, rarely written. */
export interface CarrierStore {
  insertCarrier(carrier: Carrier, nowMs: number): Promise<'inserted' | 'exists'>;
  updateCarrier(carrier: Carrier, nowMs: number): Promise<void>;
  findCarrier(carrierId: string): Promise<Carrier | null>;
  /** Every carrier (all operators): the routing view holds them all in memory. */
  listCarriers(): Promise<Carrier[]>;
  putPolicy(policy: RoutingPolicy, nowMs: number): Promise<void>;
  listPolicies(): Promise<RoutingPolicy[]>;
  putRule(rule: RouteRule, nowMs: number): Promise<void>;
  deleteRule(rule: Pick<RouteRule, 'accountId' | 'prefix' | 'carrierId'>): Promise<boolean>;
  listRules(): Promise<RouteRule[]>;
}

type DbNumber = number | bigint;

interface CarrierRow {
  id: string;
  root_account_id: string;
  name: string;
  rate_deck_id: string;
  currency: string;
  gateway: string;
  priority: DbNumber;
  weight: DbNumber;
  concurrent_calls_max: DbNumber | null;
  calls_per_second_max: DbNumber | null;
  state: string;
  account_id: string;
}

const carrierColumns = `id, root_account_id, name, rate_deck_id, currency, gateway, priority,
  weight, concurrent_calls_max, calls_per_second_max, state, account_id`;

const sql = {
  insertCarrier: `INSERT INTO carriers (${carrierColumns}, created_at_ms, updated_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  updateCarrier: `UPDATE carriers SET name = ?, rate_deck_id = ?, gateway = ?, priority = ?,
    weight = ?, concurrent_calls_max = ?, calls_per_second_max = ?, state = ?,
    updated_at_ms = ? WHERE id = ?`,
  findCarrier: `SELECT ${carrierColumns} FROM carriers WHERE id = ?`,
  listCarriers: `SELECT ${carrierColumns} FROM carriers ORDER BY id`,
  putPolicy: `INSERT INTO routing_policies (account_id, strategy, margin_policy, updated_at_ms)
    VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET strategy = excluded.strategy,
    margin_policy = excluded.margin_policy, updated_at_ms = excluded.updated_at_ms`,
  listPolicies: 'SELECT account_id, strategy, margin_policy FROM routing_policies',
  putRule: `INSERT INTO route_rules (account_id, prefix, carrier_id, action, created_at_ms)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, prefix, carrier_id)
    DO UPDATE SET action = excluded.action`,
  deleteRule: `DELETE FROM route_rules WHERE account_id = ? AND prefix = ? AND carrier_id = ?
    RETURNING prefix`,
  listRules: `SELECT account_id, prefix, carrier_id, action FROM route_rules
    ORDER BY account_id, prefix, carrier_id`,
} as const;

function fromDbCarrier(row: CarrierRow): Carrier {
  return {
    id: row.id,
    rootAccountId: row.root_account_id,
    name: row.name,
    rateDeckId: row.rate_deck_id,
    currency: row.currency as CurrencyCode,
    gateway: row.gateway,
    priority: Number(row.priority),
    weight: Number(row.weight),
    concurrentCallsMax: row.concurrent_calls_max === null ? null : Number(row.concurrent_calls_max),
    callsPerSecondMax: row.calls_per_second_max === null ? null
      : Number(row.calls_per_second_max),
    state: row.state as Carrier['state'],
    accountId: row.account_id,
  };
}

/** The carrier store over either dialect (the SQL is the same in both). */
export function carrierStoreOver(withRunner: WithRunner): CarrierStore {
  return {
    insertCarrier: (carrier, nowMs) => withRunner(async (db) => {
      const rows = await db.all<{ id: string }>(`${sql.insertCarrier} RETURNING id`, [
        carrier.id, carrier.rootAccountId, carrier.name, carrier.rateDeckId, carrier.currency,
        carrier.gateway, carrier.priority, carrier.weight, carrier.concurrentCallsMax,
        carrier.callsPerSecondMax, carrier.state, carrier.accountId, nowMs, nowMs]);
      return rows.length === 1 ? 'inserted' : 'exists';
    }),
    updateCarrier: (carrier, nowMs) => withRunner((db) => db.run(sql.updateCarrier, [
      carrier.name, carrier.rateDeckId, carrier.gateway, carrier.priority, carrier.weight,
      carrier.concurrentCallsMax, carrier.callsPerSecondMax, carrier.state, nowMs, carrier.id])),
    findCarrier: (carrierId) => withRunner(async (db) => {
      const [row] = await db.all<CarrierRow>(sql.findCarrier, [carrierId]);
      return row === undefined ? null : fromDbCarrier(row);
    }),
    listCarriers: () => withRunner(async (db) =>
      (await db.all<CarrierRow>(sql.listCarriers, [])).map(fromDbCarrier)),
    putPolicy: (policy, nowMs) => withRunner((db) => db.run(sql.putPolicy,
      [policy.accountId, policy.strategy, policy.marginPolicy, nowMs])),
    listPolicies: () => withRunner(async (db) =>
      (await db.all<{ account_id: string; strategy: string; margin_policy: string }>(
        sql.listPolicies, [])).map((row) => ({ accountId: row.account_id,
        strategy: row.strategy as RoutingPolicy['strategy'],
        marginPolicy: row.margin_policy as RoutingPolicy['marginPolicy'] }))),
    putRule: (rule, nowMs) => withRunner((db) => db.run(sql.putRule,
      [rule.accountId, rule.prefix, rule.carrierId, rule.action, nowMs])),
    deleteRule: (rule) => withRunner(async (db) =>
      (await db.all(sql.deleteRule, [rule.accountId, rule.prefix, rule.carrierId])).length > 0),
    listRules: () => withRunner(async (db) =>
      (await db.all<{ account_id: string; prefix: string; carrier_id: string; action: string }>(
        sql.listRules, [])).map((row) => ({ accountId: row.account_id, prefix: row.prefix,
        carrierId: row.carrier_id, action: row.action as RouteRule['action'] }))),
  };
}
