import { describe, expect, it } from 'vitest';
import { localDayKey, localMonthKey } from '../kernel/time-zone.ts';
import { spendWindowKeys } from './spend-window.ts';

const minuteMs = 60_000;

/** The keys computed afresh, without the per-minute memo. */
function keysAfresh(zone: string, atMs: number) {
  return { dayKey: `D${localDayKey(zone, atMs)}`, monthKey: `M${localMonthKey(zone, atMs)}` };
}

describe('spendWindowKeys remembers the keys of the current minute', () => {
  // Each walk crosses a local midnight at the end of a month, or a DST change, minute by minute
  // and at second offsets inside the minutes, in zones whose offsets are not whole hours.
  const walks = [
    { zone: 'Asia/Kathmandu', fromMs: Date.UTC(2026, 0, 31, 18, 0) },
    { zone: 'America/St_Johns', fromMs: Date.UTC(2026, 2, 8, 3, 0) },
    { zone: 'Europe/London', fromMs: Date.UTC(2026, 2, 28, 23, 0) },
    { zone: 'Australia/Lord_Howe', fromMs: Date.UTC(2026, 3, 4, 12, 0) },
  ];
  for (const { zone, fromMs } of walks) {
    it(`gives the keys computed afresh around a boundary in ${zone}`, () => {
      const seen = new Set<string>();
      for (let minute = 0; minute < 240; minute += 1) {
        for (const secondMs of [0, 29_999, 59_999]) {
          const atMs = fromMs + minute * minuteMs + secondMs;
          const keys = spendWindowKeys(zone, atMs);
          expect(keys).toEqual(keysAfresh(zone, atMs));
          seen.add(keys.dayKey);
        }
      }
      expect(seen.size).toBe(2);
    });
  }

  it('keeps zones apart and goes back in time', () => {
    const atMs = Date.UTC(2026, 5, 30, 23, 30);
    expect(spendWindowKeys('UTC', atMs).dayKey).toBe('D2026-06-30');
    expect(spendWindowKeys('Asia/Tokyo', atMs).dayKey).toBe('D2026-07-01');
    expect(spendWindowKeys('UTC', atMs - 86_400_000).dayKey).toBe('D2026-06-29');
    expect(spendWindowKeys('UTC', atMs).monthKey).toBe('M2026-06');
  });
});
