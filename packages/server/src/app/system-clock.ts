import type { Clock } from '@tollgate/core';

/** The wall clock: the one place the server's use cases get "now" from. */
export const systemClock: Clock = { nowMs: () => Date.now() };
