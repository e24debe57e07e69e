import { runDidFees, type DidDeps } from '@tollgate/core';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.ts';
import type { SweeperLog } from './sweeper.ts';

/**
 * How often a node posts the numbers' (DIDs') monthly fees. Every node tries; the lease
 * `job_leases('did-fees')` lets one run at a time, and each fee's idempotency key makes a
 * second run (a lapsed lease, a crash between a charge and its cursor) move nothing.
 */
export const didFeesEveryMs = 60_000;
export const didFeesLeaseMs = 10 * 60_000;

export function startDidFeeJob(options: {
  dids: DidDeps;
  holder: string;
  log: SweeperLog;
}): PeriodicJob {
  return startPeriodicJob({ everyMs: didFeesEveryMs, log: options.log, what: 'DID fees posted',
    run: () => runDidFees(options.dids, { holder: options.holder, leaseMs: didFeesLeaseMs }),
    worthLogging: (report) => report.chargesPosted > 0 || report.refused.length > 0 });
}
