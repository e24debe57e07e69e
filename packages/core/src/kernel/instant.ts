import { assert } from './assert.ts';
import { problem, success, type Result } from './result.ts';

/**
 * ISO-8601 instants at the edges (deck effective dates, `--at`). An instant must carry its
 * offset: a bare local time would be read in whatever zone the server runs in, which is exactly
 * the ambiguity rating.md rules out. Parsed by hand, not with a regular expression, because a
 * deck may carry two instants on each of its hundreds of thousands of rows.
 */

const msPerSecond = 1_000;
const msPerMinute = 60_000;
const msPerDay = 86_400_000;
/** "2024-01-31T08:00Z" is the shortest accepted form. */
const instantCharsMin = 17;
/** Nanosecond fractions and a full offset fit well within this. */
const instantCharsMax = 35;
const fractionDigitsMax = 9;
/** Year 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what four-digit years can say. */
const instantMsMin = -62_167_219_200_000;
const instantMsMax = 253_402_300_799_999;

const zeroCode = 0x30;

/** Days in each month of a leap year; February is checked against the year separately. */
const monthDaysMax = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `+HH:MM` / `-HH:MM` into epoch
 * milliseconds. Rejects a missing offset, impossible dates (02-30) and times (25:00, :60), and a
 * fraction finer than a millisecond unless its extra digits are zero (an instant is whole ms).
 */
export function parseIsoInstantMs(text: string): Result<number, 'invalid_instant'> {
  const ms = instantMsOrNaN(text);
  if (Number.isNaN(ms)) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    const detail = 'is not an ISO-8601 instant with an offset, such as 2024-01-31T08:00:00Z';
    return problem('invalid_instant', `"${shown}" ${detail}`);
  }
  return success(ms);
}

/** Formats epoch milliseconds as UTC ISO-8601 with `Z`; milliseconds only when not zero. */
export function formatIsoInstant(ms: number): string {
  assert(Number.isSafeInteger(ms), 'an instant is whole milliseconds');
  assert(ms >= instantMsMin && ms <= instantMsMax, 'an instant has a four-digit year');
  const text = new Date(ms).toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
}

function instantMsOrNaN(text: string): number {
  if (text.length < instantCharsMin || text.length > instantCharsMax) return Number.NaN;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const shapeOk =
    text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && hour <= 23;
  if (!shapeOk || minute > 59 || !isValidDate(year, month, day)) return Number.NaN;
  let position = 16;
  let second = 0;
  let fractionMs = 0;
  if (text[position] === ':') {
    second = digitsAt(text, position + 1, 2);
    if (second > 59) return Number.NaN;
    position += 3;
    if (text[position] === '.') {
      const fractionEnd = digitsEnd(text, position + 1);
      fractionMs = fractionToMs(text, position + 1, fractionEnd);
      if (Number.isNaN(fractionMs)) return Number.NaN;
      position = fractionEnd;
    }
  }
  const offsetMs = offsetMsAt(text, position);
  if (Number.isNaN(offsetMs)) return Number.NaN;
  const localMs =
    daysFromCivil(year, month, day) * msPerDay +
    (hour * 60 + minute) * msPerMinute +
    second * msPerSecond +
    fractionMs;
  return localMs - offsetMs;
}

/** The offset that must end the text at `position`: `Z`, `+HH:MM` or `-HH:MM`, in ms. */
function offsetMsAt(text: string, position: number): number {
  const sign = text[position];
  if (sign === 'Z') return position + 1 === text.length ? 0 : Number.NaN;
  if ((sign !== '+' && sign !== '-') || position + 6 !== text.length) return Number.NaN;
  const hours = digitsAt(text, position + 1, 2);
  const minutes = digitsAt(text, position + 4, 2);
  if (text[position + 3] !== ':' || hours > 23 || minutes > 59) return Number.NaN;
  const magnitude = (hours * 60 + minutes) * msPerMinute;
  return sign === '-' ? -magnitude : magnitude;
}

/** 1..9 fraction digits; digits past the third must be zero. */
function fractionToMs(text: string, start: number, end: number): number {
  const count = end - start;
  if (count < 1 || count > fractionDigitsMax) return Number.NaN;
  let ms = 0;
  for (let index = 0; index < 3; index += 1) {
    const digit = start + index < end ? text.charCodeAt(start + index) - zeroCode : 0;
    ms = ms * 10 + digit;
  }
  for (let index = start + 3; index < end; index += 1) {
    if (text.charCodeAt(index) !== zeroCode) return Number.NaN;
  }
  return ms;
}

/** The value of `count` ASCII digits at `start`, or a value above any valid field (9999). */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    const digit = text.charCodeAt(index) - zeroCode;
    if (!(digit >= 0 && digit <= 9)) return Number.POSITIVE_INFINITY;
    value = value * 10 + digit;
  }
  return value;
}

function digitsEnd(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    const digit = text.charCodeAt(index) - zeroCode;
    if (!(digit >= 0 && digit <= 9)) break;
    index += 1;
  }
  return index;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (!(year <= 9999 && month >= 1 && month <= 12 && day >= 1)) return false;
  if (month === 2 && day === 29) return isLeapYear(year);
  return day <= (monthDaysMax[month - 1] ?? 0);
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date. Computed directly because `Date.UTC`
 * maps years 0..99 to 1900..1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  // Count from March so that the leap day is the last day of the counting year.
  const shiftedYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(shiftedYear / 400);
  const yearOfEra = shiftedYear - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  return era * 146_097 + dayOfEra + dayOfYear - 719_468;
}
