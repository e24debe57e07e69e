import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import { periodContaining } from '../billing/billing-cycle.ts';
import { periodFeeMicros, prorateMicros } from '../billing/recurring-periods.ts';
import { didStateAt } from './did.ts';
import { parseDidDestination, parseDidImportCsv, parseDidNumber } from './did-input.ts';

describe('parseDidNumber', () => {
  it.each([
    ['+442071234567', '442071234567'], ['15550001000', '15550001000'],
  ])('%s -> %s', (text, digits) => {
    expect(parseDidNumber(text)).toEqual({ ok: true, value: digits });
  });
  it.each(['', '+', '0442071234567', '12345', '1234567890123456', '+44 20', '44-20'])(
    '%s is refused', (text) => {
      expect(parseDidNumber(text)).toMatchObject({ ok: false, code: 'invalid_did' });
    });
});

describe('parseDidImportCsv', () => {
  it('reads every row, costs optional', () => {
    const parsed = parseDidImportCsv('number,country,carrier_id,setup_cost,monthly_cost\n' +
      '+15550001000,us,acme,1.50,0.25\n442071234567,GB,,,\n');
    expect(parsed).toEqual({ ok: true, value: [
      { number: '15550001000', country: 'US', carrierId: 'acme',
        carrierSetupMicros: micros(1_500_000n), carrierMonthlyMicros: micros(250_000n) },
      { number: '442071234567', country: 'GB', carrierId: null,
        carrierSetupMicros: micros(0n), carrierMonthlyMicros: micros(0n) },
    ] });
  });
  it.each([
    ['number,country\n1555000100x,US\n', 'line 2'],
    ['number,country\n15550001000,USA\n', 'two letters'],
    ['number,country,setup_cost\n15550001000,US,-1\n', 'setup_cost'],
    ['number,country\n15550001000,US\n+15550001000,US\n', 'twice'],
  ])('refuses %j (%s), storing nothing', (csv, why) => {
    const parsed = parseDidImportCsv(csv);
    expect(parsed).toMatchObject({ ok: false, code: 'invalid_did_import' });
    expect(parsed.ok ? '' : parsed.message).toContain(why);
  });
  it('needs the number and country columns', () => {
    expect(parseDidImportCsv('number\n15550001000\n'))
      .toMatchObject({ ok: false, code: 'missing_column' });
  });
});

describe('parseDidDestination', () => {
  it.each([
    [{ kind: 'sip_uri', value: 'sip:desk@pbx.example.com' }, true],
    [{ kind: 'sip_uri', value: 'desk@pbx' }, false],
    [{ kind: 'extension', value: '*100#' }, true],
    [{ kind: 'extension', value: '10a' }, false],
    [{ kind: 'account', value: 'cust-1' }, true],
    [{ kind: 'fax', value: '1' }, false],
  ])('%j ok=%s', (input, ok) => {
    expect(parseDidDestination(input).ok).toBe(ok);
  });
});

describe('first period and quarantine', () => {
  const cycle = { kind: 'monthly', anchorDay: 1 } as const;
  const january = periodContaining(cycle, 'UTC', Date.parse('2026-01-15T00:00:00Z'));
  it.each([
    // The day of the start counts: the 10th to the 31st is 22 of 31 days, rounded down.
    ['2026-01-10T12:00:00Z', 'prorated', 2_129_032n],
    ['2026-01-01T00:00:00Z', 'prorated', 3_000_000n],
    ['2026-01-31T23:59:59Z', 'prorated', 96_774n],
    ['2026-01-10T12:00:00Z', 'full', 3_000_000n],
  ] as const)('a hold from %s, %s, pays %s micros of 3.00', (start, mode, expected) => {
    expect(periodFeeMicros({ monthlyMicros: micros(3_000_000n), period: january,
      startedAtMs: Date.parse(start), zone: 'UTC', firstPeriod: mode })).toBe(expected);
  });
  it('rounds once, with the mode it is given', () => {
    expect(prorateMicros({ amountMicros: micros(10n), usedDays: 1, periodDays: 3,
      mode: 'up' })).toBe(4n);
    expect(prorateMicros({ amountMicros: micros(10n), usedDays: 1, periodDays: 3,
      mode: 'down' })).toBe(3n);
  });
  it('ends a quarantine by itself', () => {
    const did = { state: 'quarantine', quarantineUntilMs: 1_000 } as const;
    expect(didStateAt(did, 999)).toBe('quarantine');
    expect(didStateAt(did, 1_000)).toBe('available');
  });
});
