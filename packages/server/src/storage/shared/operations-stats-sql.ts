import type { OperationsSnapshot } from '../../metrics/metrics.ts';
import type { WithRunner } from './api-store-sql.ts';

type DbNumber = number | bigint | string;

/**
 * What a metrics scrape reads from storage, written once for both dialects: live calls (the
 * partial index of live sessions), money held by open reservations per currency and tier, and
 * fraud measures in force. Read-only, in one read transaction (SQLite's reader connection,
 * so the writer never waits); the charging engine commits in batches, so the numbers are at
 * most one batch old. Bounded: the groups are currencies times four tiers, and two kinds.
 */
export function operationsStatsOver(withRunner: WithRunner): () => Promise<OperationsSnapshot> {
  return () => withRunner(async (runner) => {
    const [live] = await runner.all<{ live: DbNumber }>(
      "SELECT count(*) AS live FROM sessions WHERE state = 'live'", []);
    const held = await runner.all<{ currency: string; tier: string; micros: DbNumber }>(
      `SELECT legs.currency AS currency, accounts.tier AS tier,
         sum(legs.pending_micros) AS micros
       FROM reservations
       JOIN reservation_legs legs ON legs.reservation_id = reservations.id
       JOIN accounts ON accounts.id = legs.account_id
       WHERE reservations.state = 'open'
       GROUP BY legs.currency, accounts.tier`, []);
    const measures = await runner.all<{ kind: string; active: DbNumber }>(
      `SELECT kind, count(*) AS active FROM fraud_measures WHERE released_at_ms IS NULL
       GROUP BY kind`, []);
    return {
      liveSessions: Number(live?.live ?? 0),
      held: held.map((row) => ({ currency: row.currency, tier: row.tier,
        micros: BigInt(row.micros) })),
      fraudMeasuresActive: measures.map((row) => ({ kind: row.kind, count: Number(row.active) })),
    };
  }, { readOnly: true });
}
