/**
 * Waits for a condition that socket and log events make true, without polling: each event
 * calls `wake()`, and `until` checks again. A fuzz case then costs one round trip, not a timer.
 */
export class WakeSignal {
  #wake: (() => void) | null = null;

  wake(): void {
    this.#wake?.();
  }

  /** True once `done()` holds; false if `timeoutMs` passes first. */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return true;
  }
}
