import type { SweeperLog } from './sweeper.ts';

export interface PeriodicJob {
  stop(): Promise<void>;
}

/**
 * A job every node runs on a timer (the billing close, the DID fees): one run at a time per
 * node; the job itself takes a lease so that one node runs it at a time. The timer lives in
 * the server, the core has no clock.
 */
export function startPeriodicJob<Report>(options: {
  everyMs: number;
  run: () => Promise<Report>;
  /** Logs the report of a run that did something. */
  worthLogging: (report: Report) => boolean;
  what: string;
  log: SweeperLog;
}): PeriodicJob {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    if (running !== null) return;
    running = options.run()
      .then((report) => {
        if (options.worthLogging(report)) options.log.info({ job: report }, options.what);
      })
      .catch((error: unknown) => options.log.error({ err: error }, `${options.what} failed`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
