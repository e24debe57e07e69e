import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import { parseCarrierFile, carrierFileColumnsDefault } from './carrier-file.ts';
import { matchCarrierRecords, numberKey, type CarriedCall } from './carrier-match.ts';

const settings = { timeWindowMs: 10_000, durationToleranceSeconds: 1,
  costToleranceMicros: micros(0n) };
const call = (sessionId: string, startedAtMs: number, usedSeconds: number): CarriedCall => ({
  sessionId, startedAtMs, caller: '15551230000', callee: '442079460000', usedSeconds,
  prefix: '44', costMicros: micros(70_000n) });

describe('matchCarrierRecords', () => {
  it('reads numbers in the carrier\'s formats as ours', () => {
    expect(numberKey('+44 20 7946-0000')).toBe('442079460000');
    expect(numberKey('0044207946000')).toBe('44207946000');
  });

  it('pairs each record with the closest call in time, once', () => {
    const file = parseCarrierFile(['time,caller,callee,duration,cost',
      '1970-01-01T00:00:05Z,+15551230000,00442079460000,30,0.07',
      '1970-01-01T00:00:06Z,,442079460000,31,0.08'].join('\n'), carrierFileColumnsDefault);
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    const result = matchCarrierRecords(file.value, [call('a', 0, 30), call('b', 7_000, 30)],
      settings);
    expect(result.matched).toBe(2);
    // The first record (at 5 s) took b (7 s, 2 s away) over a (5 s away); the second got a.
    expect(result.mispriced.map((pair) => [pair.record.line, pair.call.sessionId,
      pair.differenceMicros])).toEqual([[3, 'a', 10_000n]]);
    expect(result.missingOurs).toEqual([]);
    expect(result.missingTheirs).toEqual([]);
  });

  it('leaves unmatched what falls outside the window or the tolerance', () => {
    const file = parseCarrierFile(['time,caller,callee,duration,cost',
      '1970-01-01T00:00:30Z,,442079460000,30,0.07',
      '1970-01-01T00:00:00Z,,442079460000,35,0.07'].join('\n'), carrierFileColumnsDefault);
    if (!file.ok) throw new Error(file.message);
    const result = matchCarrierRecords(file.value, [call('a', 0, 30)], settings);
    expect(result.matched).toBe(0);
    expect(result.missingOurs.map((record) => record.line)).toEqual([3, 2]);
    expect(result.missingTheirs.map((entry) => entry.sessionId)).toEqual(['a']);
    expect(result.byDestination).toEqual([
      { prefix: '44', matched: 0, theirMicros: 0n, ourMicros: 70_000n },
      { prefix: null, matched: 0, theirMicros: 140_000n, ourMicros: 0n }]);
  });
});
