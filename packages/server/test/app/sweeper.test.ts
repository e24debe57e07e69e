import type { ChargingService, SweepOutcome } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { startSweeper } from '../../src/app/sweeper.ts';

function fakeCharging(outcomes: SweepOutcome[]): {
  charging: ChargingService;
  calls: () => number;
} {
  let calls = 0;
  const charging = {
    sweepStaleSessions: async () => {
      calls += 1;
      const outcome = outcomes.shift();
      if (outcome === undefined) return { closed: 0, more: false };
      if (outcome.closed < 0) throw new Error('storage down');
      return outcome;
    },
  } as unknown as ChargingService;
  return { charging, calls: () => calls };
}

const silentLog = { info: () => undefined, error: () => undefined };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sweeper', () => {
  it('sweeps on its interval, runs batches back to back while more wait, survives errors',
    async () => {
      const fake = fakeCharging([{ closed: -1, more: false }, { closed: 500, more: true },
        { closed: 3, more: false }]);
      const sweeper = startSweeper({ charging: fake.charging, intervalMs: 100, log: silentLog });
      // Two ticks: the failing sweep, then two batches back to back. Polled, not timed, so a
      // loaded machine only makes the test slower.
      for (let waited = 0; fake.calls() < 3 && waited < 5_000; waited += 50) await wait(50);
      await sweeper.stop();
      expect(fake.calls()).toBeGreaterThanOrEqual(3);
      const callsAtStop = fake.calls();
      await wait(250);
      expect(fake.calls()).toBe(callsAtStop);
    });
});
