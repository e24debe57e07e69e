import { assert } from './assert.ts';

/**
 * Wall-clock arithmetic in IANA time zones, using only the ECMAScript Intl API (the core has no
 * runtime dependencies). Offsets are cached per zone and hour: a zone's offset changes only at
 * transitions, which lie on whole minutes, so the cache is exact once a transition is located.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();
const offsetCacheEntriesMax = 200_000;
const hourMs = 3_600_000;
const minuteMs = 60_000;
export const dayMs = 86_400_000;

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone from UTC at an instant, in ms (local = utc + offset); exact to the minute. */
function offsetAtExact(zone: string, atMs: number): number {
  const minuteStart = Math.floor(atMs / minuteMs) * minuteMs;
  const parts = formatterFor(zone).formatToParts(new Date(minuteStart));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of parts) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  const localAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  return localAsUtc - minuteStart;
}

/**
 * Offset at an instant. Cached per hour: when the offsets at the start and end of an hour agree
 * (the usual case) that offset holds for the whole hour, because zones do not change offset
 * twice within an hour; otherwise the exact offset is computed.
 */
export function zoneOffsetMs(zone: string, atMs: number): number {
  const hour = Math.floor(atMs / hourMs);
  let cache = offsetCache.get(zone);
  if (cache === undefined) {
    cache = new Map();
    offsetCache.set(zone, cache);
  }
  const cached = cache.get(hour);
  if (cached !== undefined && !Number.isNaN(cached)) return cached;
  if (cached === undefined) {
    const atStart = offsetAtExact(zone, hour * hourMs);
    const atEnd = offsetAtExact(zone, (hour + 1) * hourMs - 1);
    if (cache.size >= offsetCacheEntriesMax) cache.clear();
    cache.set(hour, atStart === atEnd ? atStart : Number.NaN);
    if (atStart === atEnd) return atStart;
  }
  return offsetAtExact(zone, atMs);
}

/**
 * The next instant after `afterMs` and at most `untilMs` where the zone's offset changes, or
 * null. Scans whole hours (transitions are rare) and bisects to the minute inside the hour.
 */
export function nextOffsetChangeMs(zone: string, afterMs: number, untilMs: number): number | null {
  const hoursMax = Math.ceil((untilMs - afterMs) / hourMs) + 1;
  assert(hoursMax <= 24 * 800, 'offset scans are bounded to about two years');
  let low = afterMs;
  let lowOffset = zoneOffsetMs(zone, low);
  for (let step = 0; step < hoursMax; step += 1) {
    const high = Math.min(untilMs, Math.floor(low / hourMs) * hourMs + hourMs);
    if (high <= low) return null;
    if (zoneOffsetMs(zone, high) !== lowOffset) return bisectChange(zone, low, high, lowOffset);
    if (high >= untilMs) return null;
    low = high;
    lowOffset = zoneOffsetMs(zone, low);
  }
  return null;
}

function bisectChange(zone: string, lowMs: number, highMs: number, lowOffset: number): number {
  // Invariant: offset(low) === lowOffset, offset(high) !== lowOffset. Transitions fall on whole
  // minutes, so bisect on minutes.
  let low = Math.floor(lowMs / minuteMs);
  let high = Math.ceil(highMs / minuteMs);
  for (let guard = 0; high - low > 1; guard += 1) {
    assert(guard < 64, 'bisection terminates');
    const middle = Math.floor((low + high) / 2);
    if (offsetAtExact(zone, middle * minuteMs) === lowOffset) low = middle;
    else high = middle;
  }
  return Math.max(high * minuteMs, lowMs + 1);
}

export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The local calendar date of an instant in a zone. */
export function localDateOf(zone: string, atMs: number): LocalDate {
  const local = new Date(atMs + zoneOffsetMs(zone, atMs));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** "YYYY-MM-DD" of the instant's local date: the key of a daily spend window. */
export function localDayKey(zone: string, atMs: number): string {
  const { year, month, day } = localDateOf(zone, atMs);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** "YYYY-MM" of the instant's local date: the key of a monthly spend window. */
export function localMonthKey(zone: string, atMs: number): string {
  const { year, month } = localDateOf(zone, atMs);
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
