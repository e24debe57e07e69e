import { runScheduledClose, type BillingDeps } from '@tollgate/core';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.ts';
import type { SweeperLog } from './sweeper.ts';

/**
 * How often a node tries the scheduled close. Every node tries; one holds the lease at a
 * time, so the close runs once however many nodes there are, and a closed period is never
 * closed again (its invoice is unique), so a lease that lapses mid-run is harmless.
 */
export const billingCloseEveryMs = 60_000;
/** Longer than a run is expected to take; a crashed holder's lease lapses after it. */
export const billingCloseLeaseMs = 10 * 60_000;

export type BillingJob = PeriodicJob;

/** The scheduled close on a timer. */
export function startBillingJob(options: {
  billing: BillingDeps;
  holder: string;
  log: SweeperLog;
}): BillingJob {
  return startPeriodicJob({ everyMs: billingCloseEveryMs, log: options.log,
    what: 'billing periods closed',
    run: () => runScheduledClose(options.billing, { holder: options.holder,
      leaseMs: billingCloseLeaseMs }),
    worthLogging: (report) => report.invoicesClosed > 0 || report.refused.length > 0 });
}
