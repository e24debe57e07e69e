import type { FraudAlert } from '@tollgate/core';
import { fromDbAlert, type WithRunner } from './fraud-store-sql.ts';

export const deliveryTargets = ['webhook', 'nats'] as const;
export type DeliveryTarget = (typeof deliveryTargets)[number];

export interface DeliveryStatus {
  readonly alertId: string;
  readonly target: DeliveryTarget;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAttemptAtMs: number;
  readonly lastError: string | null;
}

export interface DueDelivery {
  readonly alert: FraudAlert;
  readonly target: DeliveryTarget;
  readonly attempts: number;
}

/** The delivery state of every alert per target: what is due, what was delivered, what failed. */
export interface DeliveryStore {
  enqueue(alertId: string, targets: readonly DeliveryTarget[], nowMs: number): Promise<void>;
  due(nowMs: number, limit: number): Promise<DueDelivery[]>;
  markDelivered(alertId: string, target: DeliveryTarget, attempts: number, nowMs: number):
    Promise<void>;
  /** `nextAttemptAtMs` null: attempts are used up, the delivery failed for good. */
  markFailedAttempt(options: { alertId: string; target: DeliveryTarget; attempts: number;
    nextAttemptAtMs: number | null; error: string; nowMs: number }): Promise<void>;
  list(alertId: string): Promise<DeliveryStatus[]>;
}

const sql = {
  enqueue: `INSERT INTO fraud_deliveries (alert_id, target, status, attempts, next_attempt_at_ms,
    last_error, updated_at_ms) VALUES (?, ?, 'pending', 0, ?, NULL, ?) ON CONFLICT DO NOTHING`,
  due: `SELECT d.target AS delivery_target, d.attempts AS delivery_attempts, a.*
    FROM fraud_deliveries d JOIN fraud_alerts a ON a.id = d.alert_id
    WHERE d.status = 'pending' AND d.next_attempt_at_ms <= ?
    ORDER BY d.next_attempt_at_ms, d.alert_id, d.target LIMIT ?`,
  delivered: `UPDATE fraud_deliveries SET status = 'delivered', attempts = ?, last_error = NULL,
    updated_at_ms = ? WHERE alert_id = ? AND target = ?`,
  failedAttempt: `UPDATE fraud_deliveries SET status = ?, attempts = ?, next_attempt_at_ms = ?,
    last_error = ?, updated_at_ms = ? WHERE alert_id = ? AND target = ?`,
  list: 'SELECT * FROM fraud_deliveries WHERE alert_id = ? ORDER BY target',
} as const;

type DbNumber = number | bigint;
const readOnly = { readOnly: true } as const;

export function deliveryStoreOver(withRunner: WithRunner): DeliveryStore {
  return {
    enqueue: (alertId, targets, nowMs) => withRunner(async (runner) => {
      for (const target of targets) await runner.run(sql.enqueue, [alertId, target, nowMs, nowMs]);
    }),
    due: (nowMs, limit) => withRunner(async (runner) => {
      const rows = await runner.all<Parameters<typeof fromDbAlert>[0] & {
        delivery_target: DeliveryTarget; delivery_attempts: DbNumber }>(sql.due, [nowMs, limit]);
      return rows.map((row) => ({ alert: fromDbAlert(row), target: row.delivery_target,
        attempts: Number(row.delivery_attempts) }));
    }, readOnly),
    markDelivered: (alertId, target, attempts, nowMs) => withRunner((runner) =>
      runner.run(sql.delivered, [attempts, nowMs, alertId, target])),
    markFailedAttempt: (options) => withRunner((runner) => runner.run(sql.failedAttempt, [
      options.nextAttemptAtMs === null ? 'failed' : 'pending', options.attempts,
      options.nextAttemptAtMs ?? options.nowMs, options.error.slice(0, 500), options.nowMs,
      options.alertId, options.target])),
    list: (alertId) => withRunner(async (runner) =>
      (await runner.all<{ alert_id: string; target: DeliveryTarget; status: string;
        attempts: DbNumber; next_attempt_at_ms: DbNumber; last_error: string | null }>(
        sql.list, [alertId])).map((row) => ({ alertId: row.alert_id, target: row.target,
        status: row.status as DeliveryStatus['status'], attempts: Number(row.attempts),
        nextAttemptAtMs: Number(row.next_attempt_at_ms), lastError: row.last_error })),
      readOnly),
  };
}
