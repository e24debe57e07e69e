import { describe, expect, it } from 'vitest';
import { periodAfter, periodContaining, type BillingCycle } from './billing-cycle.ts';
import { startOfLocalDayMs } from './local-days.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

function periods(cycle: BillingCycle, zone: string, fromText: string, count: number) {
  let period = periodContaining(cycle, zone, at(fromText));
  const seen = [period];
  for (let index = 1; index < count; index += 1) {
    period = periodAfter(cycle, zone, period);
    seen.push(period);
  }
  return seen;
}

describe('billing cycles', () => {
  it('a monthly anchor on the 31st starts on the last day of shorter months', () => {
    const keys = periods({ kind: 'monthly', anchorDay: 31 }, 'UTC', '2026-01-31T12:00Z', 5)
      .map((period) => period.key);
    expect(keys).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30',
      '2026-05-31']);
  });

  it('a monthly anchor on the 29th in a leap year February', () => {
    const keys = periods({ kind: 'monthly', anchorDay: 29 }, 'UTC', '2028-01-30T00:00Z', 3)
      .map((period) => period.key);
    expect(keys).toEqual(['2028-01-29', '2028-02-29', '2028-03-29']);
  });

  it('an instant before the anchor belongs to the previous month\'s period', () => {
    const period = periodContaining({ kind: 'monthly', anchorDay: 15 }, 'UTC',
      at('2026-03-14T23:59:59.999Z'));
    expect([period.key, iso(period.endMs)]).toEqual(['2026-02-15',
      '2026-03-15T00:00:00.000Z']);
  });

  it('a DST month in Berlin is 743 hours, cut at local midnights', () => {
    // Given March 2026 in Europe/Berlin (clocks go forward on the 29th)
    const [march] = periods({ kind: 'monthly', anchorDay: 1 }, 'Europe/Berlin',
      '2026-03-15T00:00Z', 1);
    // Then it starts at 00:00 CET and ends at 00:00 CEST: one hour short of 31 days
    expect(iso(march!.startMs)).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(march!.endMs)).toBe('2026-03-31T22:00:00.000Z');
    expect((march!.endMs - march!.startMs) / 3_600_000).toBe(31 * 24 - 1);
  });

  it('October in New York is 745 hours (clocks go back on 1 November: November is 721)', () => {
    const [october, november] = periods({ kind: 'monthly', anchorDay: 1 },
      'America/New_York', '2026-10-10T00:00Z', 2);
    expect((october!.endMs - october!.startMs) / 3_600_000).toBe(31 * 24);
    expect((november!.endMs - november!.startMs) / 3_600_000).toBe(30 * 24 + 1);
  });

  it('a day whose midnight does not exist starts at the jump (Santiago)', () => {
    expect(iso(startOfLocalDayMs('America/Santiago', { year: 2026, month: 9, day: 6 })))
      .toBe('2026-09-06T04:00:00.000Z');
    const day = periodContaining({ kind: 'daily' }, 'America/Santiago',
      at('2026-09-06T03:59:59Z'));
    expect(day.key).toBe('2026-09-05');
    expect((day.endMs - day.startMs) / 3_600_000).toBe(24);
  });

  it('weekly periods start on the anchor weekday; every instant is in exactly one', () => {
    const weeks = periods({ kind: 'weekly', anchorWeekday: 1 }, 'Europe/London',
      '2026-03-25T12:00Z', 3);
    expect(weeks.map((week) => week.key)).toEqual(['2026-03-23', '2026-03-30', '2026-04-06']);
    for (let index = 1; index < weeks.length; index += 1) {
      expect(weeks[index]!.startMs).toBe(weeks[index - 1]!.endMs);
    }
    expect(weeks[0]!.endMs - weeks[0]!.startMs).toBe(7 * 86_400_000 - 3_600_000);
  });
});
