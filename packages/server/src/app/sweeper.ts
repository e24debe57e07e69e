import type { ChargingService } from '@tollgate/core';

export interface SweeperLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Batches one tick may run back to back when each reports more waiting. */
const sweepBatchesPerTickMax = 20;

export interface Sweeper {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Closes stale sessions (a crashed switch, a lost BYE) every `intervalMs`: the timer lives
 * here, in the server, because the core has no clock of its own. One sweep at a time; a
 * failure is logged and the next tick tries again (the sessions stay stale, money stays held).
 */
export function startSweeper(options: {
  charging: ChargingService;
  intervalMs: number;
  log: SweeperLog;
  /** Counts sweeps and the sessions they closed (metrics/). */
  meters?: { closed(count: number): void; ran(result: 'ok' | 'failed'): void };
}): Sweeper {
  let running: Promise<void> | null = null;
  let stopped = false;
  const sweep = async (): Promise<void> => {
    for (let batch = 0; batch < sweepBatchesPerTickMax && !stopped; batch += 1) {
      const outcome = await options.charging.sweepStaleSessions();
      options.meters?.closed(outcome.closed);
      if (outcome.closed > 0) options.log.info({ closed: outcome.closed }, 'stale sessions closed');
      if (!outcome.more) return;
    }
  };
  const tick = (): void => {
    if (running !== null || stopped) return;
    running = sweep()
      .then(() => options.meters?.ran('ok'))
      .catch((error: unknown) => {
        options.meters?.ran('failed');
        options.log.error({ err: error }, 'sweep failed');
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
