import { describe, expect, it } from 'vitest';
import { formatIsoInstant, parseIsoInstantMs } from './instant.ts';

describe('parseIsoInstantMs: accepted forms', () => {
  const cases: { text: string; iso: string }[] = [
    { text: '2024-01-31T08:00:00Z', iso: '2024-01-31T08:00:00.000Z' },
    { text: '2024-01-31T08:00Z', iso: '2024-01-31T08:00:00.000Z' },
    { text: '2024-01-31T08:00:00.5Z', iso: '2024-01-31T08:00:00.500Z' },
    { text: '2024-01-31T08:00:00.123Z', iso: '2024-01-31T08:00:00.123Z' },
    { text: '2024-01-31T08:00:00.123000000Z', iso: '2024-01-31T08:00:00.123Z' },
    { text: '2024-01-31T10:00:00+02:00', iso: '2024-01-31T08:00:00.000Z' },
    { text: '2024-01-31T02:30-05:30', iso: '2024-01-31T08:00:00.000Z' },
    { text: '2024-03-01T00:30:00+01:00', iso: '2024-02-29T23:30:00.000Z' },
    { text: '2024-02-29T00:00:00Z', iso: '2024-02-29T00:00:00.000Z' },
    { text: '2000-02-29T00:00:00Z', iso: '2000-02-29T00:00:00.000Z' },
    { text: '1970-01-01T00:00:00Z', iso: '1970-01-01T00:00:00.000Z' },
    { text: '1969-12-31T23:59:59.999Z', iso: '1969-12-31T23:59:59.999Z' },
    { text: '0050-06-15T12:00:00Z', iso: '0050-06-15T12:00:00.000Z' },
    { text: '9999-12-31T23:59:59.999Z', iso: '9999-12-31T23:59:59.999Z' },
  ];
  for (const testCase of cases) {
    it(testCase.text, () => {
      const parsed = parseIsoInstantMs(testCase.text);
      expect(parsed.ok && new Date(parsed.value).toISOString()).toBe(testCase.iso);
    });
  }
});

describe('parseIsoInstantMs: refused forms', () => {
  const cases: { name: string; text: string }[] = [
    { name: 'no offset', text: '2024-01-31T08:00:00' },
    { name: 'date only', text: '2024-01-31' },
    { name: 'February 30', text: '2024-02-30T00:00:00Z' },
    { name: 'February 29 of a common year', text: '2023-02-29T00:00:00Z' },
    { name: 'February 29 of 1900', text: '1900-02-29T00:00:00Z' },
    { name: 'April 31', text: '2024-04-31T00:00:00Z' },
    { name: 'month 13', text: '2024-13-01T00:00:00Z' },
    { name: 'day 0', text: '2024-01-00T00:00:00Z' },
    { name: 'hour 24', text: '2024-01-01T24:00:00Z' },
    { name: 'minute 60', text: '2024-01-01T23:60:00Z' },
    { name: 'second 60', text: '2024-01-01T23:59:60Z' },
    { name: 'space instead of T', text: '2024-01-01 08:00:00Z' },
    { name: 'lower-case z', text: '2024-01-01T08:00:00z' },
    { name: 'offset without colon', text: '2024-01-01T08:00:00+0200' },
    { name: 'offset hours only', text: '2024-01-01T08:00:00+02' },
    { name: 'offset minute 60', text: '2024-01-01T08:00:00+02:60' },
    { name: 'empty fraction', text: '2024-01-01T08:00:00.Z' },
    { name: 'sub-millisecond fraction', text: '2024-01-01T08:00:00.0001Z' },
    { name: 'fraction without seconds', text: '2024-01-01T08:00.5Z' },
    { name: 'trailing text', text: '2024-01-01T08:00:00Z ' },
    { name: 'leading space', text: ' 2024-01-01T08:00:00Z' },
    { name: 'five-digit year', text: '12024-01-01T08:00:00Z' },
    { name: 'signs in fields', text: '2024-+1-01T08:00:00Z' },
    { name: 'empty', text: '' },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const parsed = parseIsoInstantMs(testCase.text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.code).toBe('invalid_instant');
    });
  }
});

describe('formatIsoInstant', () => {
  it('formats UTC with Z and leaves out zero milliseconds', () => {
    expect(formatIsoInstant(Date.UTC(2024, 0, 31, 8))).toBe('2024-01-31T08:00:00Z');
    expect(formatIsoInstant(Date.UTC(2024, 0, 31, 8, 0, 0, 5))).toBe('2024-01-31T08:00:00.005Z');
  });

  it('round-trips with the parser', () => {
    for (const ms of [0, -1, 1_700_000_000_123, 253_402_300_799_999]) {
      const parsed = parseIsoInstantMs(formatIsoInstant(ms));
      expect(parsed.ok && parsed.value).toBe(ms);
    }
  });

  it('refuses instants that are not whole milliseconds of a four-digit year', () => {
    expect(() => formatIsoInstant(0.5)).toThrow(/assertion failed/);
    expect(() => formatIsoInstant(253_402_300_800_000)).toThrow(/assertion failed/);
  });
});
