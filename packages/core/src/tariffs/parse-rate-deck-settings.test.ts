import { describe, expect, it } from 'vitest';
import { parseRateDeckSettings } from './parse-rate-deck-settings.ts';

describe('parseRateDeckSettings', () => {
  it('fills the defaults of rating.md', () => {
    expect(parseRateDeckSettings({ currency: 'USD' })).toEqual({
      ok: true,
      value: { currency: 'USD', decimals: 4, rounding: 'half_up', zone: 'UTC' },
    });
  });

  it('accepts explicit values, and undefined as absent', () => {
    const input = { currency: 'EUR', decimals: '6', rounding: 'half_even', zone: 'Europe/Berlin' };
    expect(parseRateDeckSettings(input)).toEqual({ ok: true, value: { ...input, decimals: 6 } });
    const absent = { currency: 'GBP', decimals: undefined, rounding: undefined, zone: undefined };
    expect(parseRateDeckSettings(absent)).toMatchObject({ ok: true, value: { decimals: 4 } });
  });

  it.each(['0', '1', '2', '3', '4', '5', '6'])('accepts decimals %s', (decimals) => {
    expect(parseRateDeckSettings({ currency: 'USD', decimals })).toMatchObject({
      ok: true,
      value: { decimals: Number(decimals) },
    });
  });

  it.each(['up', 'down', 'half_up', 'half_even'])('accepts rounding %s', (rounding) => {
    expect(parseRateDeckSettings({ currency: 'USD', rounding })).toMatchObject({
      ok: true,
      value: { rounding },
    });
  });

  it('refuses a missing currency: there is no default currency', () => {
    expect(parseRateDeckSettings({})).toMatchObject({
      ok: false, code: 'invalid_currency', column: 'currency',
    });
  });

  const problems: { column: 'currency' | 'decimals' | 'rounding' | 'zone'; code: string;
    values: string[] }[] = [
    { column: 'currency', code: 'invalid_currency', values: ['usd', '', 'US', 'USDX', ' USD'] },
    { column: 'decimals', code: 'invalid_decimals', values: ['7', '-1', '2.0', '', '04', '+4'] },
    { column: 'rounding', code: 'invalid_rounding', values: ['HALF_UP', 'ceil', 'half-up', ''] },
    { column: 'zone', code: 'invalid_zone', values: ['Mars/Olympus', '', 'utc+2'] },
  ];
  for (const { column, code, values } of problems) {
    it.each(values)(`refuses ${column} "%s"`, (value) => {
      const parsed = parseRateDeckSettings({ currency: 'USD', [column]: value });
      expect(parsed).toMatchObject({ ok: false, code, column });
      if (!parsed.ok) expect(parsed.message.startsWith(`${column}: `)).toBe(true);
    });
  }
});
