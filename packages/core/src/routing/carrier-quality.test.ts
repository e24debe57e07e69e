import { describe, expect, it } from 'vitest';
import {
  emptyQualityState,
  recordOutcome,
  viewQuality,
  type QualitySettings,
} from './carrier-quality.ts';

const settings: QualitySettings = { windowMs: 10 * 60_000, attemptsMin: 5, asrMinBp: 3_000,
  coolDownMs: 5 * 60_000 };
const startMs = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('carrier quality', () => {
  it('computes ASR, ACD and failures over the window', () => {
    const state = emptyQualityState();
    recordOutcome(state, settings, { usedSeconds: 60, pddMs: 2_000 }, startMs);
    recordOutcome(state, settings, { usedSeconds: 121 }, startMs + 1_000);
    recordOutcome(state, settings, { usedSeconds: 0, pddMs: 4_000 }, startMs + 2_000);
    expect(viewQuality(state, settings, startMs + 3_000)).toEqual({ attempts: 3, answered: 2,
      failures: 1, asrBp: 6_666, acdS: 90, pddMs: 3_000, outUntilMs: null });
    // Ten minutes later the window has moved past all of them.
    expect(viewQuality(state, settings, startMs + 11 * 60_000)).toMatchObject({ attempts: 0,
      asrBp: null, acdS: null });
  });

  it('takes a carrier out after a run of failures and lets it back after the cool-down', () => {
    const state = emptyQualityState();
    const events = [];
    for (let call = 0; call < 4; call += 1) {
      events.push(...recordOutcome(state, settings, { usedSeconds: 0 }, startMs + call * 1_000));
    }
    // Four failures are below attemptsMin: nothing is judged yet.
    expect(events).toEqual([]);
    const fifth = recordOutcome(state, settings, { usedSeconds: 0 }, startMs + 4_000);
    expect(fifth).toEqual([{ kind: 'carrier_out', asrBp: 0, untilMs: startMs + 4_000 + 300_000 }]);
    expect(viewQuality(state, settings, startMs + 5_000).outUntilMs).toBe(startMs + 304_000);
    expect(viewQuality(state, settings, startMs + 304_000).outUntilMs).toBeNull();
    const back = recordOutcome(state, settings, { usedSeconds: 30 }, startMs + 305_000);
    expect(back).toEqual([{ kind: 'carrier_back' }]);
    expect(viewQuality(state, settings, startMs + 305_000)).toMatchObject({ attempts: 1,
      asrBp: 10_000 });
  });

  it('keeps a carrier whose ASR stays above the threshold', () => {
    const state = emptyQualityState();
    for (let call = 0; call < 20; call += 1) {
      const events = recordOutcome(state, settings, { usedSeconds: call % 3 === 0 ? 0 : 45 },
        startMs + call * 1_000);
      expect(events).toEqual([]);
    }
  });
});
