import { runScheduledClose, type BillingDeps } from '@tollgate/core';
import type { SweeperLog } from './sweeper.ts';

/**
 * How often a node tries the scheduled close. Every node tries; one holds the lease at a
 * time, so the close runs once however many nodes there are, and a closed period is never
 * closed again (its invoice is unique), so a lease that lapses mid-run is harmless.
 */
export const billingCloseEveryMs = 60_000;
/** Longer than a run is expected to take; a crashed holder's lease lapses after it. */
export const billingCloseLeaseMs = 10 * 60_000;

export interface BillingJob {
  stop(): Promise<void>;
}

/** The scheduled close on a timer: the timer lives in the server, the core has no clock. */
export function startBillingJob(options: {
  billing: BillingDeps;
  holder: string;
  log: SweeperLog;
}): BillingJob {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    if (running !== null) return;
    running = runScheduledClose(options.billing, { holder: options.holder,
      leaseMs: billingCloseLeaseMs })
      .then((report) => {
        if (report.invoicesClosed > 0 || report.refused.length > 0) {
          options.log.info({ billing: report }, 'billing periods closed');
        }
      })
      .catch((error: unknown) => options.log.error({ err: error }, 'billing close failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, billingCloseEveryMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
