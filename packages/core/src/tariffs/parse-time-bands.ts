import {
  checkFieldCount,
  CsvReader,
  csvProblem,
  quoteValue,
  readCsvHeader,
  type CsvRecord,
} from '../kernel/csv.ts';
import { success, type Result } from '../kernel/result.ts';
import type { DeckImportCode } from './deck-import-codes.ts';
import { rateDeckLimits } from './rate-deck.ts';
import type { TimeBandLine, TimeBandSet } from './time-bands.ts';

/**
 * Reads a time-band file (rating.md, "Band file syntax"): `band,days,start,end` in any order,
 * several lines per band. `days` lists weekdays (`Mon`), wrapping ranges (`Fri-Mon`) and dates
 * (`12-25`), separated by `;`, `|`, spaces or (inside a quoted field) commas. Times are
 * `HH:MM[:SS]`; `24:00` is only an end; a start after the end wraps past midnight.
 */

const bandColumns = ['band', 'days', 'start', 'end'] as const;
type BandColumn = (typeof bandColumns)[number];

const bandNamePattern = /^[A-Za-z0-9_-]{1,64}$/;
const daySeconds = 86_400;
const weekdayNumbers: ReadonlyMap<string, number> = new Map([
  ['mon', 1],
  ['tue', 2],
  ['wed', 3],
  ['thu', 4],
  ['fri', 5],
  ['sat', 6],
  ['sun', 7],
]);
/** Days in each month; 02-29 is a valid band date because leap years have it. */
const monthDaysMax = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

interface BandColumnPositions {
  readonly band: number;
  readonly days: number;
  readonly start: number;
  readonly end: number;
}

export function parseTimeBandsCsv(text: string): Result<TimeBandSet, DeckImportCode> {
  const reader = new CsvReader(text);
  const first = reader.next();
  if (!first.ok) return first;
  if (first.value === null) {
    const detail = 'the band file is empty; expected the header band,days,start,end';
    return csvProblem('missing_header', { line: 1 }, detail);
  }
  const headerRecord = first.value;
  const header = readCsvHeader(headerRecord, { columns: bandColumns, required: bandColumns });
  if (!header.ok) return header;
  const positions = bandPositions(header.value);
  const bands = new Map<string, TimeBandLine[]>();
  let lineCount = 0;
  for (;;) {
    const next = reader.next();
    if (!next.ok) return next;
    const record = next.value;
    if (record === null) break;
    lineCount += 1;
    if (lineCount > rateDeckLimits.bandLinesMax) {
      const detail = `a band file has at most ${rateDeckLimits.bandLinesMax} lines`;
      return csvProblem('too_many_band_lines', { line: record.line }, detail);
    }
    const countProblem = checkFieldCount(record, headerRecord.fields.length);
    if (countProblem !== null) return countProblem;
    const parsed = parseBandLine(record, positions);
    if (!parsed.ok) return parsed;
    const lines = bands.get(parsed.value.band);
    if (lines === undefined) bands.set(parsed.value.band, [parsed.value]);
    else lines.push(parsed.value);
  }
  if (lineCount === 0) {
    const detail = 'the band file has a header but no band lines';
    return csvProblem('empty_band_file', { line: headerRecord.line }, detail);
  }
  return success(bands);
}

function bandPositions(header: ReadonlyMap<BandColumn, number>): BandColumnPositions {
  const positionOf = (column: BandColumn): number => header.get(column) ?? -1;
  return {
    band: positionOf('band'),
    days: positionOf('days'),
    start: positionOf('start'),
    end: positionOf('end'),
  };
}

function parseBandLine(
  record: CsvRecord,
  positions: BandColumnPositions,
): Result<TimeBandLine, DeckImportCode> {
  const line = record.line;
  const band = record.fields[positions.band] ?? '';
  if (!bandNamePattern.test(band)) {
    const detail = `${quoteValue(band)} is not a band name (1 to 64 of A-Z a-z 0-9 _ -)`;
    return csvProblem('invalid_band_name', { line, column: 'band' }, detail);
  }
  const daysText = record.fields[positions.days] ?? '';
  const days = parseBandDays(daysText);
  if (typeof days === 'string') {
    return csvProblem('invalid_band_days', { line, column: 'days' }, days);
  }
  const startText = record.fields[positions.start] ?? '';
  const startS = parseClockS(startText);
  if (startS === -1 || startS === daySeconds) {
    const detail = `${quoteValue(startText)} is not a start time from 00:00 to 23:59:59`;
    return csvProblem('invalid_band_time', { line, column: 'start' }, detail);
  }
  const endText = record.fields[positions.end] ?? '';
  const endClockS = parseClockS(endText);
  if (endClockS === -1) {
    const detail = `${quoteValue(endText)} is not an end time from 00:00 to 24:00`;
    return csvProblem('invalid_band_time', { line, column: 'end' }, detail);
  }
  if (endClockS === startS) {
    const detail = `start and end are both ${quoteValue(endText)}; a band line cannot be empty`;
    return csvProblem('invalid_band_time', { line, column: 'end' }, detail);
  }
  // An end at 00:00 is the coming midnight: the same window as 24:00, stored as 86400 so that
  // `endS` stays within 1..86400 and a midnight end never looks like a wrap.
  const endS = endClockS === 0 ? daySeconds : endClockS;
  return success({ line, band, weekdays: days.weekdays, dates: days.dates, startS, endS });
}

interface BandDays {
  readonly weekdays: Set<number>;
  readonly dates: Set<string>;
}

/** The weekdays and dates of a `days` field, or the reason it is not valid. */
function parseBandDays(text: string): BandDays | string {
  const days: BandDays = { weekdays: new Set(), dates: new Set() };
  let tokenStart = 0;
  for (let index = 0; index <= text.length; index += 1) {
    if (index < text.length && !isDaySeparator(text.charCodeAt(index))) continue;
    if (index > tokenStart) {
      const token = text.slice(tokenStart, index);
      if (!addDayToken(days, token)) {
        const expected = 'a weekday (Mon..Sun), a range such as Fri-Mon, or a date such as 12-25';
        return `${quoteValue(token)} is not ${expected}`;
      }
    }
    tokenStart = index + 1;
  }
  if (days.weekdays.size === 0 && days.dates.size === 0) {
    return `${quoteValue(text)} names no day; list weekdays, ranges or MM-DD dates`;
  }
  return days;
}

function isDaySeparator(code: number): boolean {
  // ';' '|' ',' space and tab.
  return code === 0x3b || code === 0x7c || code === 0x2c || code === 0x20 || code === 0x09;
}

function addDayToken(days: BandDays, token: string): boolean {
  const lower = token.toLowerCase();
  const weekday = weekdayNumbers.get(lower);
  if (weekday !== undefined) {
    days.weekdays.add(weekday);
    return true;
  }
  if (token.length === 7 && token[3] === '-') {
    const first = weekdayNumbers.get(lower.slice(0, 3));
    const last = weekdayNumbers.get(lower.slice(4));
    // `Mon-Mon` could mean one day or the whole week; refusing it is safer than guessing.
    if (first === undefined || last === undefined || first === last) return false;
    for (let day = first; ; day = (day % 7) + 1) {
      days.weekdays.add(day);
      if (day === last) return true;
    }
  }
  if (token.length === 5 && token[2] === '-') {
    const month = twoDigits(token, 0);
    const day = twoDigits(token, 3);
    if (month < 1 || month > 12 || day < 1 || day > (monthDaysMax[month - 1] ?? 0)) return false;
    days.dates.add(token);
    return true;
  }
  return false;
}

/** `HH:MM` or `HH:MM:SS` as seconds after midnight, 0..86400 (only 24:00 itself past 23:59:59). */
function parseClockS(text: string): number {
  if (text.length !== 5 && text.length !== 8) return -1;
  if (text[2] !== ':' || (text.length === 8 && text[5] !== ':')) return -1;
  const hours = twoDigits(text, 0);
  const minutes = twoDigits(text, 3);
  const seconds = text.length === 8 ? twoDigits(text, 6) : 0;
  if (hours < 0 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return -1;
  if (hours === 24) return minutes === 0 && seconds === 0 ? daySeconds : -1;
  return hours <= 23 ? hours * 3600 + minutes * 60 + seconds : -1;
}

/** Two ASCII digits at `start` as a number, or -1. */
function twoDigits(text: string, start: number): number {
  const tens = text.charCodeAt(start) - 0x30;
  const ones = text.charCodeAt(start + 1) - 0x30;
  if (!(tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9)) return -1;
  return tens * 10 + ones;
}
