import { assert } from './assert.ts';

/**
 * Time is an input (conventions, rule 11): use cases read "now" from an injected clock so that
 * tests and simulations control it. Instants are epoch milliseconds.
 */
export interface Clock {
  nowMs(): number;
}

/** A clock that moves only when told to: for tests, scenarios and simulations. */
export class ManualClock implements Clock {
  #currentMs: number;

  constructor(startMs: number) {
    assert(Number.isSafeInteger(startMs), 'a clock starts at a whole millisecond');
    this.#currentMs = startMs;
  }

  nowMs(): number {
    return this.#currentMs;
  }

  advanceMs(durationMs: number): void {
    assert(Number.isSafeInteger(durationMs) && durationMs >= 0, 'time never runs backwards');
    this.#currentMs += durationMs;
  }

  setMs(atMs: number): void {
    assert(Number.isSafeInteger(atMs) && atMs >= this.#currentMs, 'time never runs backwards');
    this.#currentMs = atMs;
  }
}
