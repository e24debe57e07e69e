import { assert, assertNever } from '../kernel/assert.ts';
import { problem, success, type Result } from '../kernel/result.ts';
import { localDateOf, type LocalDate } from '../kernel/time-zone.ts';
import {
  addDays,
  addMonths,
  compareLocalDates,
  daysInMonth,
  isoWeekday,
  startOfLocalDayMs,
} from './local-days.ts';

/**
 * How often an account is invoiced. A monthly cycle starts on an anchor day; in a month too
 * short for it (the 31st in April, the 29th-31st in February) the period starts on the last
 * day of that month, and the next one again on the anchor. Periods are cut at the start of a
 * local day in the account's time zone, so a month with a DST change is an hour shorter or
 * longer in instants, and every instant belongs to exactly one period.
 */
export type BillingCycle =
  | { readonly kind: 'monthly'; readonly anchorDay: number }
  | { readonly kind: 'weekly'; readonly anchorWeekday: number }
  | { readonly kind: 'daily' };

export const billingCycleKinds = ['monthly', 'weekly', 'daily'] as const;
export type BillingCycleKind = (typeof billingCycleKinds)[number];

/** A half-open interval of instants [startMs, endMs), with its local first day as a key. */
export interface BillingPeriod {
  readonly startMs: number;
  readonly endMs: number;
  /** "YYYY-MM-DD": the local date the period starts on, in the account's zone. */
  readonly key: string;
}

export function parseBillingCycle(input: {
  kind: string;
  anchorDay?: number | null;
  anchorWeekday?: number | null;
}): Result<BillingCycle, 'invalid_billing_cycle'> {
  const bad = (why: string) => problem('invalid_billing_cycle', why, { column: 'cycle' });
  if (input.kind === 'daily') return success({ kind: 'daily' });
  if (input.kind === 'monthly') {
    const day = input.anchorDay ?? 1;
    if (!Number.isInteger(day) || day < 1 || day > 31) return bad('anchor_day is 1..31');
    return success({ kind: 'monthly', anchorDay: day });
  }
  if (input.kind === 'weekly') {
    const weekday = input.anchorWeekday ?? 1;
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
      return bad('anchor_weekday is 1 (Monday) .. 7 (Sunday)');
    }
    return success({ kind: 'weekly', anchorWeekday: weekday });
  }
  return bad(`cycle is one of ${billingCycleKinds.join(', ')}`);
}

/** The local date a monthly period of this year and month starts on. */
function monthlyStart(anchorDay: number, year: number, month: number): LocalDate {
  return { year, month, day: Math.min(anchorDay, daysInMonth(year, month)) };
}

/** The local first day of the period holding the local date `date`. */
function firstDayOf(cycle: BillingCycle, date: LocalDate): LocalDate {
  switch (cycle.kind) {
    case 'daily':
      return date;
    case 'weekly':
      return addDays(date, -((isoWeekday(date) - cycle.anchorWeekday + 7) % 7));
    case 'monthly': {
      const here = monthlyStart(cycle.anchorDay, date.year, date.month);
      if (compareLocalDates(date, here) >= 0) return here;
      const previous = addMonths(date.year, date.month, -1);
      return monthlyStart(cycle.anchorDay, previous.year, previous.month);
    }
    default:
      return assertNever(cycle, 'unknown billing cycle');
  }
}

/** The local first day of the period after the one starting on `first`. */
function nextFirstDay(cycle: BillingCycle, first: LocalDate): LocalDate {
  switch (cycle.kind) {
    case 'daily':
      return addDays(first, 1);
    case 'weekly':
      return addDays(first, 7);
    case 'monthly': {
      const next = addMonths(first.year, first.month, 1);
      return monthlyStart(cycle.anchorDay, next.year, next.month);
    }
    default:
      return assertNever(cycle, 'unknown billing cycle');
  }
}

function periodFrom(cycle: BillingCycle, zone: string, first: LocalDate): BillingPeriod {
  const startMs = startOfLocalDayMs(zone, first);
  const endMs = startOfLocalDayMs(zone, nextFirstDay(cycle, first));
  assert(endMs > startMs, 'a period is not empty');
  return { startMs, endMs, key: localDateKey(first) };
}

/** The period holding the instant `atMs`. */
export function periodContaining(cycle: BillingCycle, zone: string, atMs: number): BillingPeriod {
  // A zone whose day starts after midnight (a jump over it) can put atMs before the start of
  // its local day's period: then the period before holds it. Two looks always suffice.
  let probeMs = atMs;
  for (let look = 0; look < 2; look += 1) {
    const period = periodFrom(cycle, zone, firstDayOf(cycle, localDateOf(zone, probeMs)));
    if (atMs >= period.startMs) {
      assert(atMs < period.endMs, 'the period holds the instant');
      return period;
    }
    probeMs = period.startMs - 1;
  }
  assert(false, 'a period holds every instant');
}

/** The period right after `period`. */
export function periodAfter(cycle: BillingCycle, zone: string, period: BillingPeriod):
  BillingPeriod {
  const next = periodContaining(cycle, zone, period.endMs);
  assert(next.startMs === period.endMs, 'periods are contiguous');
  return next;
}

export function localDateKey(date: LocalDate): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}
