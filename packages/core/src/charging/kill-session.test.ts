import { describe, expect, it } from 'vitest';
import { killedSecondsEstimate } from './kill-session.ts';
import type { SessionRecord } from './session-record.ts';

const reportedAtMs = 1_000_000;

function session(usedSeconds: number, grantedUntilSeconds: number): SessionRecord {
  return { sessionId: 's', accountId: 'a', state: 'live', caller: '1', callee: '44',
    startedAtMs: 0, lastRequestNumber: 1, usedSeconds, grantedUntilSeconds,
    hangupAtMs: 0, deadlineMs: 0, levels: [], bundleId: null, bundleSecondsHeld: 0,
    lastAnswerJson: '{}', updatedAtMs: reportedAtMs } as unknown as SessionRecord;
}

describe('killedSecondsEstimate', () => {
  it.each([
    // reported, granted until, ms since the report, charged
    [30, 90, 0, 30],
    [30, 90, 999, 30],
    [30, 90, 10_000, 40],
    [30, 90, 10_999, 40],
    [30, 90, 600_000, 90],
    [0, 60, 5_500, 5],
    [30, 90, -5_000, 30],
  ])('reported %i s, granted to %i s, %i ms later: %i s', (used, granted, afterMs, expected) => {
    expect(killedSecondsEstimate(session(used, granted), reportedAtMs + afterMs)).toBe(expected);
  });
});
