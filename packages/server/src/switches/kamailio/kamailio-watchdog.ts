import type { SessionQueue, SwitchFront } from '../switch-front.ts';
import { reportUsage } from '../switch-front.ts';

export const kamailioWatchdogLimits = {
  /** How long past the grant Tollgate waits for event_route[dialog:end]. */
  endGraceMs: 3_000,
  /** Answered calls watched at once; past it the sweeper is the only backstop. */
  watchedMax: 100_000,
} as const;

/**
 * Kamailio 5.6 does not always run event_route[dialog:end] after the dialog timeout (seen in
 * the tests, and after RPC teardowns in protocols.md). The timeout is the grant: a call still
 * open a little past the end of its grant ran the whole grant, and is settled so. Each renewal
 * moves the watch to the end of the new grant.
 */
export class KamailioWatchdog {
  readonly #watched = new Map<string, NodeJS.Timeout>();
  readonly #front: SwitchFront;
  readonly #queue: SessionQueue;

  constructor(front: SwitchFront, queue: SessionQueue) {
    this.#front = front;
    this.#queue = queue;
  }

  /**
   * The grant ends `grantSeconds` from now, when the call will have run `endSeconds` in all
   * (the seconds it reported plus the grant).
   */
  watch(sessionId: string, grantSeconds: number, endSeconds: number): void {
    this.unwatch(sessionId);
    if (grantSeconds <= 0 || this.#watched.size >= kamailioWatchdogLimits.watchedMax) return;
    this.#watched.set(sessionId, setTimeout(() => {
      this.#watched.delete(sessionId);
      void this.#queue.run(sessionId, () => reportUsage(this.#front, { sessionId,
        usedSeconds: endSeconds, ended: true })).then((ended) => {
        if (ended.ok) {
          this.#front.log.warn({ code: 'dialog_end_missing', sessionId, usedSeconds: endSeconds },
            'no dialog:end after the grant: settled as the whole grant');
        }
      }, () => undefined);
    }, grantSeconds * 1000 + kamailioWatchdogLimits.endGraceMs));
  }

  unwatch(sessionId: string): void {
    clearTimeout(this.#watched.get(sessionId));
    this.#watched.delete(sessionId);
  }

  close(): void {
    for (const sessionId of [...this.#watched.keys()]) this.unwatch(sessionId);
  }
}
