import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import { convertMicros, parseExchangeRate } from './exchange-rate.ts';

describe('exchange rates', () => {
  it('parses decimal rates exactly and refuses the rest', () => {
    expect(parseExchangeRate('1.0845')).toEqual({ ok: true,
      value: { numerator: 10845n, denominator: 10000n } });
    expect(parseExchangeRate('150')).toEqual({ ok: true,
      value: { numerator: 150n, denominator: 1n } });
    for (const bad of ['0', '0.000', '-1', '1e3', '.5', '1.0000000000001', '']) {
      expect(parseExchangeRate(bad).ok, bad).toBe(false);
    }
  });

  it('converts with one explicit rounding', () => {
    const rate = { numerator: 10845n, denominator: 10000n };
    // 0.333333 EUR * 1.0845 = 0.36149963... USD
    expect(convertMicros({ amountMicros: micros(333_333n), rate, mode: 'half_up' }))
      .toBe(361_500n);
    expect(convertMicros({ amountMicros: micros(333_333n), rate, mode: 'down' })).toBe(361_499n);
    expect(convertMicros({ amountMicros: micros(-333_333n), rate, mode: 'half_up' }))
      .toBe(-361_500n);
  });
});
