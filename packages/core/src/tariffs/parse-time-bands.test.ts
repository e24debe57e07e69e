import { describe, expect, it } from 'vitest';
import { parseTimeBandsCsv } from './parse-time-bands.ts';
import { rateDeckLimits } from './rate-deck.ts';
import type { TimeBandLine } from './time-bands.ts';

const header = 'band,days,start,end';

/** The one line of a one-line band file, as plain data for comparison. */
function onlyLine(body: string): object {
  const parsed = parseTimeBandsCsv(`${header}\n${body}\n`);
  if (!parsed.ok) throw new Error(`unexpected problem: ${parsed.message}`);
  const lines = [...parsed.value.values()].flat();
  expect(lines).toHaveLength(1);
  return plain(lines[0] as TimeBandLine);
}

function plain(line: TimeBandLine): object {
  return {
    band: line.band,
    weekdays: [...line.weekdays].sort(),
    dates: [...line.dates].sort(),
    startS: line.startS,
    endS: line.endS,
  };
}

const hour = 3_600;

describe('parseTimeBandsCsv: band lines', () => {
  const cases: { name: string; body: string; expected: object }[] = [
    {
      name: 'weekday range',
      body: 'peak,Mon-Fri,08:00,18:00',
      expected: { band: 'peak', weekdays: [1, 2, 3, 4, 5], dates: [], startS: 8 * hour,
        endS: 18 * hour },
    },
    {
      name: 'wrapping weekday range, any case',
      body: 'weekend,fri-MON,00:00,24:00',
      expected: { band: 'weekend', weekdays: [1, 5, 6, 7], dates: [], startS: 0, endS: 24 * hour },
    },
    {
      name: 'start after end wraps past midnight',
      body: 'night,Mon-Sun,22:00,06:00',
      expected: { band: 'night', weekdays: [1, 2, 3, 4, 5, 6, 7], dates: [], startS: 22 * hour,
        endS: 6 * hour },
    },
    {
      name: 'an end at 00:00 is the coming midnight',
      body: 'evening,Sat,18:00,00:00',
      expected: { band: 'evening', weekdays: [6], dates: [], startS: 18 * hour, endS: 24 * hour },
    },
    {
      name: 'seconds and 24:00:00',
      body: 'late,Sun,23:59:30,24:00:00',
      expected: { band: 'late', weekdays: [7], dates: [], startS: 86_370, endS: 86_400 },
    },
    {
      name: 'dates, including 02-29',
      body: 'holiday,01-01 12-25|02-29,00:00,24:00',
      expected: { band: 'holiday', weekdays: [], dates: ['01-01', '02-29', '12-25'], startS: 0,
        endS: 86_400 },
    },
    {
      name: 'list separated by semicolons, bars and spaces',
      body: 'mix,Mon;Wed | Fri  Sat-Sun,09:00,10:00',
      expected: { band: 'mix', weekdays: [1, 3, 5, 6, 7], dates: [], startS: 9 * hour,
        endS: 10 * hour },
    },
    {
      name: 'quoted list with commas',
      body: 'mid_week-2,"Tue, Wed,Thu",12:00,13:00',
      expected: { band: 'mid_week-2', weekdays: [2, 3, 4], dates: [], startS: 12 * hour,
        endS: 13 * hour },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(onlyLine(testCase.body)).toEqual(testCase.expected);
    });
  }

  it('groups several lines per band in file order, any column order, CRLF and comments', () => {
    const text = [
      '\uFEFFstart,end,band,days',
      '# weekday peak and a Saturday morning',
      '08:00,18:00,peak,Mon-Fri',
      '18:00,08:00,offpeak,Mon-Fri',
      '',
      '09:00,12:00,peak,Sat',
    ].join('\r\n');
    const parsed = parseTimeBandsCsv(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.value.keys()]).toEqual(['peak', 'offpeak']);
    expect(parsed.value.get('peak')?.map((line) => line.line)).toEqual([3, 6]);
    expect(parsed.value.get('offpeak')?.[0]).toMatchObject({
      line: 4, startS: 18 * hour, endS: 8 * hour,
    });
  });
});

describe('parseTimeBandsCsv: problems', () => {
  const cases: { name: string; text: string; code: string; line: number; column?: string }[] = [
    { name: 'empty file', text: '', code: 'missing_header', line: 1 },
    {
      name: 'data instead of a header', text: 'peak,Mon,08:00,18:00\n', code: 'missing_header',
      line: 1,
    },
    {
      name: 'unknown column', text: 'band,days,start,end,zone\n', code: 'unknown_column', line: 1,
      column: 'zone',
    },
    {
      name: 'duplicate column', text: 'band,days,start,start\n', code: 'duplicate_column', line: 1,
      column: 'start',
    },
    {
      name: 'missing column', text: 'band,days,start\n', code: 'missing_column', line: 1,
      column: 'end',
    },
    { name: 'header only', text: `${header}\n`, code: 'empty_band_file', line: 1 },
    {
      name: 'wrong field count', text: `${header}\npeak,Mon,08:00\n`, code: 'wrong_field_count',
      line: 2,
    },
    {
      name: 'unterminated quote', text: `${header}\npeak,"Mon,08:00,18:00\n`, code: 'invalid_csv',
      line: 2,
    },
    ...badLine('empty band name', ',Mon,08:00,18:00', 'invalid_band_name', 'band'),
    ...badLine('band name with a space', 'peak time,Mon,08:00,18:00', 'invalid_band_name', 'band'),
    ...badLine('band name too long', `${'b'.repeat(65)},Mon,08:00,18:00`, 'invalid_band_name',
      'band'),
    ...badLine('empty days', 'peak,,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('only separators', 'peak,; |,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('unknown weekday', 'peak,Mon;Xyz,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('full weekday name', 'peak,Monday,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('range to the same day', 'peak,Mon-Mon,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('half a range', 'peak,Mon-,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('month 13', 'peak,13-01,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('April 31', 'peak,04-31,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('February 30', 'peak,02-30,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('day 00', 'peak,01-00,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('one-digit date', 'peak,1-1,08:00,18:00', 'invalid_band_days', 'days'),
    ...badLine('start 24:00', 'peak,Mon,24:00,06:00', 'invalid_band_time', 'start'),
    ...badLine('one-digit hour', 'peak,Mon,8:00,18:00', 'invalid_band_time', 'start'),
    ...badLine('minute 60', 'peak,Mon,08:60,18:00', 'invalid_band_time', 'start'),
    ...badLine('second 60', 'peak,Mon,08:00:60,18:00', 'invalid_band_time', 'start'),
    ...badLine('empty start', 'peak,Mon,,18:00', 'invalid_band_time', 'start'),
    ...badLine('end 24:01', 'peak,Mon,08:00,24:01', 'invalid_band_time', 'end'),
    ...badLine('end 25:00', 'peak,Mon,08:00,25:00', 'invalid_band_time', 'end'),
    ...badLine('start equals end', 'peak,Mon,08:00,08:00', 'invalid_band_time', 'end'),
    ...badLine('00:00 to 00:00', 'peak,Mon,00:00,00:00:00', 'invalid_band_time', 'end'),
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const parsed = parseTimeBandsCsv(testCase.text);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.code).toBe(testCase.code);
      expect(parsed.line).toBe(testCase.line);
      expect(parsed.column).toBe(testCase.column);
      const place =
        testCase.column === undefined
          ? `line ${testCase.line}: `
          : `line ${testCase.line}, column ${testCase.column}: `;
      expect(parsed.message.startsWith(place)).toBe(true);
    });
  }

  it('refuses more lines than bandLinesMax', () => {
    const linesMax = rateDeckLimits.bandLinesMax;
    const lines = Array.from({ length: linesMax + 1 }, () => 'b,Mon,08:00,09:00');
    const parsed = parseTimeBandsCsv(`${header}\n${lines.join('\n')}\n`);
    expect(parsed).toMatchObject({ code: 'too_many_band_lines', line: linesMax + 2 });
  });
});

/** A band file with one good line, then the bad one on line 3. */
function badLine(name: string, body: string, code: string, column: string) {
  const text = `${header}\nok,Mon,08:00,09:00\n${body}\n`;
  return [{ name, text, code, line: 3, column }];
}
