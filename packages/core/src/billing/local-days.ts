import { assert } from '../kernel/assert.ts';
import { zoneOffsetMs, type LocalDate } from '../kernel/time-zone.ts';

/**
 * Calendar arithmetic on local dates and the instant a local day starts in a zone. Billing
 * periods are cut at the start of a local day, so these are the only conversions from wall
 * time to instants the billing domain needs.
 */

const hourMs = 3_600_000;
/** Offsets are sampled this far on each side of a midnight: no zone changes twice in it. */
const offsetProbeMs = 12 * hourMs;

export function daysInMonth(year: number, month: number): number {
  assert(month >= 1 && month <= 12, 'month in 1..12');
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The local date `days` after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1,
    day: moved.getUTCDate() };
}

/** The month after (or before, with a negative count) a year and month. */
export function addMonths(year: number, month: number, months: number): {
  year: number; month: number;
} {
  const index = year * 12 + (month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** ISO weekday of a local date: Monday 1 .. Sunday 7. */
export function isoWeekday(date: LocalDate): number {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return (a.year - b.year) || (a.month - b.month) || (a.day - b.day);
}

/**
 * The instant a local day starts in a zone. When midnight is repeated (clocks go back at
 * midnight) the earlier instant; when it does not exist (clocks jump forward over it) the
 * first instant of the day, which is the instant of the jump.
 */
export function startOfLocalDayMs(zone: string, date: LocalDate): number {
  const wallMs = Date.UTC(date.year, date.month - 1, date.day);
  const candidates = [zoneOffsetMs(zone, wallMs - offsetProbeMs),
    zoneOffsetMs(zone, wallMs + offsetProbeMs)].map((offsetMs) => wallMs - offsetMs)
    .sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (candidate + zoneOffsetMs(zone, candidate) === wallMs) return candidate;
  }
  // A gap: the earliest candidate whose wall time is past midnight is the jump itself.
  const [earliest] = candidates.filter((candidate) =>
    candidate + zoneOffsetMs(zone, candidate) >= wallMs);
  assert(earliest !== undefined, 'a day starts at or after its midnight');
  return earliest;
}
