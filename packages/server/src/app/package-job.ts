import { runPackageRenewals, type PackageDeps } from '@tollgate/core';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.ts';
import type { SweeperLog } from './sweeper.ts';

/** How often a node renews packages; the lease and the keys make it once per period. */
export const packageRenewalsEveryMs = 60_000;
export const packageRenewalsLeaseMs = 10 * 60_000;

export function startPackageJob(options: {
  packages: PackageDeps;
  holder: string;
  log: SweeperLog;
}): PeriodicJob {
  return startPeriodicJob({ everyMs: packageRenewalsEveryMs, log: options.log,
    what: 'packages renewed',
    run: () => runPackageRenewals(options.packages, { holder: options.holder,
      leaseMs: packageRenewalsLeaseMs }),
    worthLogging: (report) => report.renewed > 0 || report.refused.length > 0 });
}
