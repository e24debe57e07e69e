import { reconcileRoots, type AssuranceDeps, type BillingStore, type Clock } from '@tollgate/core';
import type { SweeperLog } from '../app/sweeper.ts';

/**
 * How long after a window's end the scheduled run reads it: the charging engine commits in
 * batches, and a call ended just before the cut must be in storage before it is compared.
 */
export const reconcileSettleMs = 5 * 60_000;

export interface ReconcileJob {
  /** Runs so far, and those that found a difference (the counter an operator watches). */
  stats(): { runs: number; runsWithFindings: number; findingsLastRun: number };
  /** One run now (the timer calls it; tests too). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The scheduled reconciliation: every `intervalMs`, each operator's last window
 * [now - settle - interval, now - settle) is reconciled under a lease (billing's), so one node
 * runs it however many there are. Any difference is logged at error level with its first
 * findings and counted (`tollgate_reconciliation_findings_total` on /metrics): the alert.
 */
export function startReconcileJob(options: {
  assurance: AssuranceDeps;
  leases: Pick<BillingStore, 'acquireLease'>;
  clock: Clock;
  intervalMs: number;
  holder: string;
  log: SweeperLog;
  timers: boolean;
  /** Counts runs and findings (metrics/): what an operator alerts on. */
  meters?: { ran(result: 'ok' | 'differences' | 'failed'): void; found(count: number): void };
}): ReconcileJob {
  const counts = { runs: 0, runsWithFindings: 0, findingsLastRun: 0 };
  let running: Promise<void> | null = null;
  const run = async (): Promise<void> => {
    const nowMs = options.clock.nowMs();
    const leased = await options.leases.acquireLease({ name: 'reconciliation',
      holder: options.holder, nowMs, untilMs: nowMs + options.intervalMs / 2 });
    if (!leased) return;
    const toMs = nowMs - reconcileSettleMs;
    const results = await reconcileRoots(options.assurance,
      { fromMs: toMs - options.intervalMs, toMs });
    const differing = results.filter((result) => result.findingCount > 0);
    counts.runs += 1;
    counts.findingsLastRun = differing.reduce((sum, result) => sum + result.findingCount, 0);
    options.meters?.ran(differing.length === 0 ? 'ok' : 'differences');
    if (differing.length === 0) return;
    counts.runsWithFindings += 1;
    options.meters?.found(counts.findingsLastRun);
    options.log.error({ reconciliation: { fromMs: toMs - options.intervalMs, toMs,
      differing: differing.map((result) => ({ root: result.rootAccountId,
        findingCount: result.findingCount,
        findings: result.findings.map((finding) => ({ ...finding,
          expectedMicros: String(finding.expectedMicros),
          actualMicros: String(finding.actualMicros),
          transferIds: finding.transferIds.map(String) })) })),
      counts: { ...counts } } }, 'reconciliation found differences');
  };
  const runOnce = async (): Promise<void> => {
    if (running !== null) return running;
    running = run().catch((error: unknown) => {
      options.meters?.ran('failed');
      options.log.error({ err: error }, 'reconciliation failed');
    })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = options.timers ? setInterval(() => void runOnce(), options.intervalMs) : null;
  return {
    stats: () => ({ ...counts }),
    runOnce,
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      await running;
    },
  };
}
