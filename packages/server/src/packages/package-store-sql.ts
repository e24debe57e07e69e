import { micros, type PackageStore, type PackageSubscription } from '@tollgate/core';
import { billingSql } from '../billing/billing-sql.ts';
import type { WithRunner } from '../storage/shared/api-store-sql.ts';

type DbNumber = number | bigint;

interface SubscriptionRow {
  id: string;
  package_id: string;
  account_id: string;
  payee_account_id: string;
  currency: string;
  monthly_micros: DbNumber;
  included_seconds: DbNumber;
  prefixes: string;
  unused: PackageSubscription['unused'];
  first_period: PackageSubscription['firstPeriod'];
  started_at_ms: DbNumber;
  ended_at_ms: DbNumber | null;
  renewed_through_ms: DbNumber;
}

const sql = {
  find: 'SELECT id FROM package_subscriptions WHERE id = ?',
  insert: `INSERT INTO package_subscriptions (id, package_id, account_id, payee_account_id,
    currency, monthly_micros, included_seconds, prefixes, unused, first_period, started_at_ms,
    ended_at_ms, renewed_through_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  byAccount: `SELECT * FROM package_subscriptions WHERE account_id = ? ORDER BY id LIMIT 500`,
  end: `UPDATE package_subscriptions SET ended_at_ms = ? WHERE id = ? AND ended_at_ms IS NULL
    RETURNING id`,
  due: `SELECT * FROM package_subscriptions WHERE ended_at_ms IS NULL
    AND renewed_through_ms <= ? AND id > ? ORDER BY id LIMIT ?`,
  advance: `UPDATE package_subscriptions SET renewed_through_ms = ?
    WHERE id = ? AND renewed_through_ms < ?`,
} as const;

function fromDb(row: SubscriptionRow): PackageSubscription {
  return { id: row.id, packageId: row.package_id, accountId: row.account_id,
    payeeAccountId: row.payee_account_id, currency: row.currency,
    monthlyMicros: micros(BigInt(row.monthly_micros)),
    includedSeconds: Number(row.included_seconds),
    prefixes: JSON.parse(row.prefixes) as string[], unused: row.unused,
    firstPeriod: row.first_period, startedAtMs: Number(row.started_at_ms),
    endedAtMs: row.ended_at_ms === null ? null : Number(row.ended_at_ms),
    renewedThroughMs: Number(row.renewed_through_ms) };
}

function toDb(subscription: PackageSubscription): unknown[] {
  return [subscription.id, subscription.packageId, subscription.accountId,
    subscription.payeeAccountId, subscription.currency, subscription.monthlyMicros,
    subscription.includedSeconds, JSON.stringify(subscription.prefixes), subscription.unused,
    subscription.firstPeriod, subscription.startedAtMs, subscription.endedAtMs,
    subscription.renewedThroughMs];
}

/** The `PackageStore` port over both dialects (migration 15); each method one transaction. */
export function packageStoreOver(transaction: WithRunner): PackageStore {
  return {
    insertSubscription: (subscription) => transaction(async (runner) => {
      if ((await runner.all(sql.find, [subscription.id])).length > 0) return false;
      await runner.run(sql.insert, toDb(subscription));
      return true;
    }),
    listSubscriptions: (accountId) => transaction(async (runner) =>
      (await runner.all<SubscriptionRow>(sql.byAccount, [accountId])).map(fromDb),
    { readOnly: true }),
    endSubscription: (id, endedAtMs) => transaction(async (runner) =>
      (await runner.all(sql.end, [endedAtMs, id])).length === 1),
    listDueSubscriptions: (query) => transaction(async (runner) =>
      (await runner.all<SubscriptionRow>(sql.due, [query.atMs, query.afterId ?? '',
        query.limit])).map(fromDb), { readOnly: true }),
    advanceRenewal: (id, renewedThroughMs) => transaction((runner) =>
      runner.run(sql.advance, [renewedThroughMs, id, renewedThroughMs])),
    acquireLease: (lease) => transaction(async (runner) => (await runner.all(
      billingSql.acquireLease, [lease.name, lease.holder, lease.untilMs, lease.nowMs]))
      .length === 1),
  };
}
