import { assert } from '../kernel/assert.ts';
import { dayMs, nextOffsetChangeMs, zoneOffsetMs } from '../kernel/time-zone.ts';
import type { TimeBandLine, TimeBandSet } from '../tariffs/time-bands.ts';

/**
 * When each time band is active over one call's window, as merged UTC intervals. Bands are
 * wall-clock conditions (rating.md): a band is active at an instant when the local date and time
 * fall inside one of its lines. Evaluating that per block would cost a time-zone conversion per
 * block, so the activity is computed once per call as intervals and then queried.
 */
export interface BandActivity {
  isActive(band: string, atMs: number): boolean;
  /** Start of the unbroken stretch of activity containing `atMs`; -Infinity: never started. */
  stretchStartMs(band: string, atMs: number): number;
  /** The first instant after `atMs` where any of the bands changes state, or Infinity. */
  nextChangeAfterMs(atMs: number): number;
}

interface Interval {
  readonly startMs: number;
  readonly endMs: number;
}

interface OffsetSegment extends Interval {
  readonly offsetMs: number;
}

/** Bands are looked back over this many days to find when a stretch began... */
const lookbackDaysMin = 8;
/** ...and a band active for all of this many days in a row is treated as always active. */
const lookbackDaysMax = 400;
const segmentsMax = 2_000;
const intervalsPerBandMax = 200_000;

export function computeBandActivity(options: {
  bands: TimeBandSet;
  bandNames: readonly string[];
  zone: string;
  fromMs: number;
  toMs: number;
}): BandActivity {
  const { bands, bandNames, zone, fromMs, toMs } = options;
  assert(toMs >= fromMs, 'band window is not reversed');
  const intervalsByBand = new Map<string, readonly Interval[]>();
  for (const name of bandNames) {
    const lines = bands.get(name);
    assert(lines !== undefined, `band ${name} exists (checked at import)`);
    intervalsByBand.set(name, bandIntervals(lines, zone, fromMs, toMs));
  }
  return {
    isActive: (band, atMs) => containing(intervalsOf(intervalsByBand, band), atMs) !== undefined,
    stretchStartMs: (band, atMs) => {
      const interval = containing(intervalsOf(intervalsByBand, band), atMs);
      assert(interval !== undefined, 'stretch start is asked only of an active band');
      return interval.startMs;
    },
    nextChangeAfterMs: (atMs) => nextChange(intervalsByBand, atMs),
  };
}

function intervalsOf(map: Map<string, readonly Interval[]>, band: string): readonly Interval[] {
  const intervals = map.get(band);
  assert(intervals !== undefined, `band ${band} was prepared for this call`);
  return intervals;
}

function bandIntervals(
  lines: readonly TimeBandLine[],
  zone: string,
  fromMs: number,
  toMs: number,
): Interval[] {
  if (isAlwaysActive(lines)) return [{ startMs: -Infinity, endMs: Infinity }];
  for (let days = lookbackDaysMin; ; days *= 2) {
    const lookback = Math.min(days, lookbackDaysMax);
    const rangeStartMs = fromMs - lookback * dayMs;
    const intervals = mergeIntervals(linesOverRange(lines, zone, rangeStartMs, toMs + 1));
    const first = intervals[0];
    const touchesStart = first !== undefined && first.startMs <= rangeStartMs;
    const coversFrom = touchesStart && first.endMs > fromMs;
    if (!coversFrom) return intervals;
    if (lookback >= lookbackDaysMax) {
      // Active for the whole look-back: it never started as far as precedence is concerned.
      return [{ startMs: -Infinity, endMs: first.endMs }, ...intervals.slice(1)];
    }
  }
}

/** A band with an all-day line on every weekday is active at every moment. */
function isAlwaysActive(lines: readonly TimeBandLine[]): boolean {
  const allDayWeekdays = new Set<number>();
  for (const line of lines) {
    if (line.startS === 0 && line.endS === 86_400) {
      for (const weekday of line.weekdays) allDayWeekdays.add(weekday);
    }
  }
  return allDayWeekdays.size === 7;
}

function linesOverRange(
  lines: readonly TimeBandLine[],
  zone: string,
  fromMs: number,
  toMs: number,
): Interval[] {
  const out: Interval[] = [];
  for (const segment of offsetSegments(zone, fromMs, toMs)) {
    const localFrom = segment.startMs + segment.offsetMs;
    const localTo = segment.endMs + segment.offsetMs;
    const dayFirst = Math.floor(localFrom / dayMs) - 1; // a line of the day before may wrap in
    const dayLast = Math.floor((localTo - 1) / dayMs);
    for (let day = dayFirst; day <= dayLast; day += 1) {
      for (const line of lines) {
        if (!lineStartsOn(line, day)) continue;
        const localStart = day * dayMs + line.startS * 1000;
        const localEnd = (line.endS > line.startS ? day : day + 1) * dayMs + line.endS * 1000;
        const start = Math.max(localStart, localFrom);
        const end = Math.min(localEnd, localTo);
        if (start < end) {
          out.push({ startMs: start - segment.offsetMs, endMs: end - segment.offsetMs });
        }
      }
    }
    assert(out.length <= intervalsPerBandMax, 'band intervals per call are bounded');
  }
  return out;
}

/** `day` counts local days since 1970-01-01, which was a Thursday (ISO weekday 4). */
function lineStartsOn(line: TimeBandLine, day: number): boolean {
  const isoWeekday = (((day + 3) % 7) + 7) % 7 + 1;
  if (line.weekdays.has(isoWeekday)) return true;
  if (line.dates.size === 0) return false;
  const date = new Date(day * dayMs);
  const monthDay = `${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(
    date.getUTCDate(),
  ).padStart(2, '0')}`;
  return line.dates.has(monthDay);
}

/** Splits [fromMs, toMs) where the zone's UTC offset changes (DST transitions). */
function offsetSegments(zone: string, fromMs: number, toMs: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let startMs = fromMs;
  while (startMs < toMs) {
    assert(segments.length < segmentsMax, 'offset segments per call are bounded');
    const change = nextOffsetChangeMs(zone, startMs, toMs);
    const endMs = change === null ? toMs : change;
    segments.push({ startMs, endMs, offsetMs: zoneOffsetMs(zone, startMs) });
    startMs = endMs;
  }
  return segments;
}

function mergeIntervals(intervals: Interval[]): Interval[] {
  intervals.sort((a, b) => a.startMs - b.startMs);
  const merged: Interval[] = [];
  for (const interval of intervals) {
    const last = merged[merged.length - 1];
    // Touching intervals merge: midnight between two all-evening lines is not a new start.
    if (last !== undefined && interval.startMs <= last.endMs) {
      if (interval.endMs > last.endMs) {
        merged[merged.length - 1] = { startMs: last.startMs, endMs: interval.endMs };
      }
    } else {
      merged.push(interval);
    }
  }
  return merged;
}

function containing(intervals: readonly Interval[], atMs: number): Interval | undefined {
  let low = 0;
  let high = intervals.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const interval = intervals[middle]!;
    if (atMs < interval.startMs) high = middle - 1;
    else if (atMs >= interval.endMs) low = middle + 1;
    else return interval;
  }
  return undefined;
}

function nextChange(intervalsByBand: Map<string, readonly Interval[]>, atMs: number): number {
  let next = Infinity;
  for (const intervals of intervalsByBand.values()) {
    for (const interval of intervals) {
      if (interval.startMs > atMs) {
        next = Math.min(next, interval.startMs);
        break;
      }
      if (interval.endMs > atMs) {
        next = Math.min(next, interval.endMs);
        break;
      }
    }
  }
  return next;
}
