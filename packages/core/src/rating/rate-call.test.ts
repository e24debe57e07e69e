import { describe, expect, it } from 'vitest';
import { band, deck, type RowSpec } from '../../test/rating-kit.ts';
import { formatMicros } from '../kernel/money.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import { rateCall } from './rate-call.ts';

// One helper per module (conventions.md, rule 12): rate a call and compare the rounded cost.
function runRatingCase(c: {
  deck: RateDeck;
  number?: string;
  at?: string;
  durationS: number;
  bundleS?: number;
  cost: string | 'no_rate';
  billed?: number;
}) {
  const result = rateCall({
    deck: c.deck,
    number: c.number ?? '441234567',
    startedAtMs: Date.parse(c.at ?? '2026-11-30T12:00:00Z'),
    durationS: c.durationS,
    bundleSecondsAvailable: c.bundleS ?? 0,
  });
  if (c.cost === 'no_rate') {
    expect(result.status).toBe('no_rate');
    return result;
  }
  expect(result.status).toBe('rated');
  if (result.status !== 'rated') return result;
  expect(formatMicros(result.costMicros, c.deck.settings.decimals)).toBe(c.cost);
  if (c.billed !== undefined) expect(result.billedSeconds).toBe(c.billed);
  return result;
}

const blocks306: Partial<RowSpec> = { initial: 30, increment: 6 };

describe('worked examples of rating.md', () => {
  type Case = { name: string; rows: RowSpec[]; durationS: number; cost: string; billed: number };
  const cases: Case[] =
    [
      { name: '30/6, 47 s', rows: [{ prefix: '44', rate: '0.06', ...blocks306 }], durationS: 47,
        cost: '0.0480', billed: 48 },
      { name: '30/6 + connect, 47 s',
        rows: [{ prefix: '44', rate: '0.06', connect: '0.05', ...blocks306 }], durationS: 47,
        cost: '0.0980', billed: 48 },
      { name: '30/6, 10 s', rows: [{ prefix: '44', rate: '0.06', ...blocks306 }], durationS: 10,
        cost: '0.0300', billed: 30 },
      { name: '0.10/min per second, 1 h (CGRateS drifts to 6.5118)',
        rows: [{ prefix: '44', rate: '0.10' }], durationS: 3600, cost: '6.0000', billed: 3600 },
      { name: '0.10/min per second, 120 s', rows: [{ prefix: '44', rate: '0.10' }],
        durationS: 120, cost: '0.2000', billed: 120 },
      { name: 'zero seconds cost nothing, no connect fee',
        rows: [{ prefix: '44', rate: '1', unit: 1, connect: '1' }], durationS: 0, cost: '0.0000',
        billed: 0 },
      { name: 'initial block exactly', rows: [{ prefix: '44', rate: '0.06', ...blocks306 }],
        durationS: 30, cost: '0.0300', billed: 30 },
      { name: 'one second past the initial block',
        rows: [{ prefix: '44', rate: '0.06', ...blocks306 }], durationS: 31, cost: '0.0360',
        billed: 36 },
      { name: 'initial 0 means increments from the start',
        rows: [{ prefix: '44', rate: '0.06', initial: 0, increment: 60 }], durationS: 61,
        cost: '0.1200', billed: 120 },
      { name: 'rate quoted per second', rows: [{ prefix: '44', rate: '0.001', unit: 1 }],
        durationS: 61, cost: '0.0610', billed: 61 },
      { name: 'a free destination is rated, not refused', rows: [{ prefix: '44', rate: '0' }],
        durationS: 600, cost: '0.0000', billed: 600 },
    ];
  it.each(cases)('$name', (c) => {
    runRatingCase({ deck: deck(c.rows), durationS: c.durationS, cost: c.cost, billed: c.billed });
  });
});

describe('prefixes and effective dates', () => {
  const rows: RowSpec[] = [
    { prefix: '44', rate: '0.10' },
    { prefix: '447', rate: '0.20', effectiveTo: '2026-01-01T00:00:00Z' },
    { prefix: '4479', rate: '0.30', effectiveFrom: '2026-06-01T00:00:00Z' },
  ];
  it.each([
    { name: 'longest prefix in force', number: '447123', at: '2025-06-01T00:00:00Z',
      cost: '0.2000' },
    { name: 'expired 447 falls back to 44', number: '447123', at: '2026-06-01T00:00:00Z',
      cost: '0.1000' },
    { name: 'effective_to is exclusive', number: '447123', at: '2026-01-01T00:00:00Z',
      cost: '0.1000' },
    { name: 'effective_from is inclusive', number: '44791', at: '2026-06-01T00:00:00Z',
      cost: '0.3000' },
    { name: 'not yet in force', number: '44791', at: '2026-05-31T23:59:59Z', cost: '0.1000' },
  ])('$name', (c) => {
    runRatingCase({ deck: deck(rows), number: c.number, at: c.at, durationS: 60, cost: c.cost });
  });
  it('an unmatched number is no_rate, even for a 0 s call', () => {
    runRatingCase({ deck: deck(rows), number: '33123', durationS: 0, cost: 'no_rate' });
    runRatingCase({ deck: deck(rows), number: '33123', durationS: 60, cost: 'no_rate' });
  });
  it('a row that starts in force only later does not match', () => {
    const later = deck([{ prefix: '1', rate: '0.1', effectiveFrom: '2027-01-01T00:00:00Z' }]);
    runRatingCase({ deck: later, number: '1555', durationS: 10, cost: 'no_rate' });
  });
});

describe('duration tiers', () => {
  it('the part past from_s is priced by the tier with its own increments', () => {
    const tiered = deck([
      { prefix: '44', rate: '0.10', initial: 60, increment: 60 },
      { prefix: '44', rate: '0.05', from: 60 },
    ]);
    // 60 s at 0.10/min = 0.1000; 90 s at 0.05/min = 0.0750.
    runRatingCase({ deck: tiered, durationS: 150, cost: '0.1750', billed: 150 });
  });
  it('a block that starts in a tier is charged at that tier even past the next boundary', () => {
    const tiered = deck([
      { prefix: '44', rate: '0.10', initial: 45, increment: 45 },
      { prefix: '44', rate: '0.05', from: 50 },
    ]);
    // Blocks 0-45 and 45-90 at 0.10/min (0.15); 90-100 at 0.05/min (0.008333...).
    const result = runRatingCase({ deck: tiered, durationS: 100, cost: '0.1583', billed: 100 });
    if (result.status === 'rated') {
      expect(result.parts.map((part) => [part.startS, part.billedSeconds])).toEqual([
        [0, 90],
        [90, 10],
      ]);
    }
  });
  it('a block that runs past several tier starts skips the tiers in between', () => {
    const tiered = deck([
      { prefix: '44', rate: '0.60', initial: 60, increment: 60 },
      { prefix: '44', rate: '0.30', from: 10 },
      { prefix: '44', rate: '0.12', from: 20 },
      { prefix: '44', rate: '0.06', from: 70 },
    ]);
    const result = runRatingCase({ deck: tiered, durationS: 100, cost: '0.6500', billed: 100 });
    if (result.status === 'rated') {
      expect(result.parts.map((part) => part.row.rateMicros)).toEqual([600000n, 120000n, 60000n]);
    }
  });
  it('a prefix with only a later tier has a gap at the start: no_rate', () => {
    const gap = deck([{ prefix: '44', rate: '0.10', from: 30 }]);
    runRatingCase({ deck: gap, durationS: 60, cost: 'no_rate' });
  });
});

describe('included seconds and connect fee', () => {
  const withIncluded = deck([
    { prefix: '44', rate: '0.60', connect: '0.05', included: 30, initial: 1, increment: 1 },
  ]);
  it('a call within the included seconds costs nothing, not even the connect fee', () => {
    runRatingCase({ deck: withIncluded, durationS: 30, cost: '0.0000', billed: 0 });
  });
  it('rating continues on d - included and billed seconds leave the included part out', () => {
    runRatingCase({ deck: withIncluded, durationS: 90, cost: '0.6500', billed: 60 });
  });
  it('tiers count on the reduced duration', () => {
    const tiered = deck([
      { prefix: '44', rate: '0.60', included: 60 },
      { prefix: '44', rate: '0.06', from: 30 },
    ]);
    // 120 s call: 60 included, then 30 s at 0.60 (0.30) and 30 s at 0.06 (0.03).
    runRatingCase({ deck: tiered, durationS: 120, cost: '0.3300', billed: 60 });
  });
});

describe('rounding once, with the deck mode', () => {
  const oneSecondOf = (rate: string, unit: number) => [{ prefix: '44', rate, unit }];
  it.each([
    { mode: 'up', rate: '0.10', unit: 60, cost: '0.0017' },
    { mode: 'down', rate: '0.10', unit: 60, cost: '0.0016' },
    { mode: 'half_up', rate: '0.10', unit: 60, cost: '0.0017' },
    { mode: 'half_even', rate: '0.10', unit: 60, cost: '0.0017' },
    { mode: 'half_up', rate: '0.0001', unit: 2, cost: '0.0001' },
    { mode: 'half_even', rate: '0.0001', unit: 2, cost: '0.0000' },
    { mode: 'half_even', rate: '0.0003', unit: 2, cost: '0.0002' },
    { mode: 'down', rate: '0.0003', unit: 2, cost: '0.0001' },
    { mode: 'up', rate: '0.0003', unit: 2, cost: '0.0002' },
  ] as const)('$mode: 1 s at $rate per $unit s = $cost', (c) => {
    runRatingCase({ deck: deck(oneSecondOf(c.rate, c.unit), { rounding: c.mode }), durationS: 1,
      cost: c.cost });
  });
  it('rounds to the deck decimals', () => {
    const twoDecimals = deck([{ prefix: '44', rate: '0.06', ...blocks306 }], { decimals: 2 });
    runRatingCase({ deck: twoDecimals, durationS: 47, cost: '0.05' });
  });
  it('sums exactly across parts with different units before the one rounding', () => {
    const mixed = deck([
      { prefix: '44', rate: '0.0001', unit: 3 },
      { prefix: '44', rate: '0.0001', unit: 7, from: 1 },
    ], { decimals: 6 });
    // 1 s at 0.0001/3 + 1 s at 0.0001/7 = 0.0000476190... -> 0.000048
    runRatingCase({ deck: mixed, durationS: 2, cost: '0.000048' });
  });
});

describe('time bands', () => {
  const peakOffpeak = deck(
    [
      { prefix: '44', rate: '0.10', band: 'peak' },
      { prefix: '44', rate: '0.05' },
    ],
    { bands: [band('peak', 'Mon Tue Wed Thu Fri', '08:00', '18:00')] },
  );
  it('a call that crosses a band boundary is split there', () => {
    // Monday 2026-11-30, 17:59 UTC: 60 s peak (0.10) + 60 s off-peak (0.05).
    const result = runRatingCase({ deck: peakOffpeak, at: '2026-11-30T17:59:00Z', durationS: 120,
      cost: '0.1500' });
    if (result.status === 'rated') expect(result.parts).toHaveLength(2);
  });
  it('weekends are off-peak', () => {
    runRatingCase({ deck: peakOffpeak, at: '2026-11-29T12:00:00Z', durationS: 60, cost: '0.0500' });
  });
  it('the connect fee comes from the first part only', () => {
    const connect = deck(
      [
        { prefix: '44', rate: '0.10', band: 'peak', connect: '0.02' },
        { prefix: '44', rate: '0.05', connect: '0.50' },
      ],
      { bands: [band('peak', 'Mon Tue Wed Thu Fri', '08:00', '18:00')] },
    );
    runRatingCase({ deck: connect, at: '2026-11-30T17:59:00Z', durationS: 120, cost: '0.1700' });
  });
  it('a block that started in the old band is charged entirely at the old row', () => {
    const blocky = deck(
      [
        { prefix: '44', rate: '0.60', band: 'peak', initial: 60, increment: 60 },
        { prefix: '44', rate: '0.06', initial: 60, increment: 60 },
      ],
      { bands: [band('peak', 'Mon Tue Wed Thu Fri', '08:00', '18:00')] },
    );
    // Starts 17:59:30: the first 60 s block (to 18:00:30) is peak; the next one off-peak.
    runRatingCase({ deck: blocky, at: '2026-11-30T17:59:30Z', durationS: 61, cost: '0.6600' });
  });
  it('a call that crosses midnight into a dated band', () => {
    const newYear = deck(
      [
        { prefix: '44', rate: '0.60' },
        { prefix: '44', rate: '0', band: 'new_year', weight: 1 },
      ],
      { bands: [band('new_year', '01-01', '00:00', '24:00')] },
    );
    runRatingCase({ deck: newYear, at: '2026-12-31T23:59:30Z', durationS: 60, cost: '0.3000' });
  });
  it('a wrapping night band is evaluated in the deck zone', () => {
    const night = deck(
      [
        { prefix: '1', rate: '0.60' },
        { prefix: '1', rate: '0.06', band: 'night' },
      ],
      { zone: 'America/New_York', bands: [band('night', 'Mon Tue Wed Thu Fri Sat Sun', '22:00',
        '06:00')] },
    );
    // 2026-11-30 10:59 UTC = 05:59 EST: 60 s night (0.06) + 60 s day (0.60).
    runRatingCase({ deck: night, number: '1555', at: '2026-11-30T10:59:00Z', durationS: 120,
      cost: '0.6600' });
    // 03:00 UTC = 22:00 EST the day before: night.
    runRatingCase({ deck: night, number: '1555', at: '2026-12-01T03:00:00Z', durationS: 60,
      cost: '0.0600' });
  });
});

describe('band precedence', () => {
  const everyDay = 'Mon Tue Wed Thu Fri Sat Sun';
  const layered = deck(
    [
      { prefix: '44', rate: '0.20' },
      { prefix: '44', rate: '0.10', band: 'weekday' },
      { prefix: '44', rate: '0.05', band: 'evening' },
      { prefix: '44', rate: '0.30', band: 'vip', weight: 5 },
    ],
    {
      bands: [
        band('weekday', 'Mon Tue Wed Thu Fri', '00:00', '24:00'),
        band('evening', everyDay, '18:00', '08:00'),
        band('vip', '12-25', '00:00', '24:00'),
      ],
    },
  );
  it.each([
    { at: '2026-12-01T20:00:00Z', cost: '0.0500', why: 'evening started at 18:00, after weekday' },
    { at: '2026-12-01T03:00:00Z', cost: '0.0500', why: 'evening started the evening before' },
    { at: '2026-12-01T12:00:00Z', cost: '0.1000', why: 'any active band beats no band' },
    { at: '2026-12-05T12:00:00Z', cost: '0.2000', why: 'Saturday noon: only the unbanded row' },
    { at: '2026-12-25T20:00:00Z', cost: '0.3000', why: 'the heavier row wins whatever started' },
  ])('$why', (c) => {
    runRatingCase({ deck: layered, at: c.at, durationS: 60, cost: c.cost });
  });
  it('midnight is not a start: a stretch runs over all the band lines', () => {
    const nights = deck(
      [
        { prefix: '44', rate: '0.10', band: 'night' },
        { prefix: '44', rate: '0.05', band: 'late' },
      ],
      {
        bands: [
          band('night', everyDay, '22:00', '24:00'),
          band('night', everyDay, '00:00', '06:00'),
          band('late', everyDay, '23:00', '02:00'),
        ],
      },
    );
    // At 01:00 'night' has run since 22:00 and 'late' since 23:00: 'late' started most recently.
    runRatingCase({ deck: nights, at: '2026-12-01T01:00:00Z', durationS: 60, cost: '0.0500' });
  });
  it('at equal weight and band start, the larger from_s, then the earliest line wins', () => {
    const ties = deck([
      { prefix: '44', rate: '0.10' },
      { prefix: '44', rate: '0.20' , effectiveFrom: '2020-01-01T00:00:00Z'},
      { prefix: '44', rate: '0.30', from: 0, effectiveFrom: '2019-01-01T00:00:00Z' },
    ]);
    // The latest effective_from (2020) wins over an open one and an older one.
    runRatingCase({ deck: ties, durationS: 60, cost: '0.2000' });
  });
});

describe('daylight saving time', () => {
  const cheap = (start: string, end: string) =>
    deck(
      [
        { prefix: '44', rate: '0.60' },
        { prefix: '44', rate: '0.06', band: 'cheap' },
      ],
      { zone: 'Europe/London', bands: [band('cheap', 'Mon Tue Wed Thu Fri Sat Sun', start, end)] },
    );
  it('a boundary at a local time that does not exist takes effect at the jump', () => {
    // 2026-03-29: 01:00 GMT jumps to 02:00 BST; 01:30 never happens. The call starts 00:50 UTC:
    // 10 min at 0.60 (6.00), then 10 min at 0.06 from the jump (0.60).
    runRatingCase({ deck: cheap('01:30', '06:00'), at: '2026-03-29T00:50:00Z', durationS: 1200,
      cost: '6.6000' });
  });
  it('a boundary inside the repeated autumn hour applies on both passes', () => {
    // 2026-10-25: 02:00 BST falls back to 01:00 GMT. 01:30-02:00 local happens twice:
    // 00:30-01:00 UTC and 01:30-02:00 UTC. Two hours: 3600 s cheap + 3600 s full price.
    runRatingCase({ deck: cheap('01:30', '02:00'), at: '2026-10-25T00:00:00Z', durationS: 7200,
      cost: '39.6000' });
  });
});

describe('gaps and bundles', () => {
  const peakOnly = deck([{ prefix: '44', rate: '0.10', band: 'peak' }], {
    bands: [band('peak', 'Mon Tue Wed Thu Fri', '08:00', '18:00')],
  });
  it('a block that would start where no row is in force makes the whole call no_rate', () => {
    runRatingCase({ deck: peakOnly, at: '2026-11-30T17:59:00Z', durationS: 120, cost: 'no_rate' });
    runRatingCase({ deck: peakOnly, at: '2026-11-30T17:59:00Z', durationS: 60, cost: '0.1000' });
  });
  it('bundle seconds are used first; the rest is paid at the tier price', () => {
    const result = runRatingCase({
      deck: deck([{ prefix: '44', rate: '0.06', ...blocks306 }]),
      durationS: 47,
      bundleS: 20,
      cost: '0.0280',
      billed: 48,
    });
    if (result.status === 'rated') expect(result.bundleSeconds).toBe(20);
  });
  it('a bundle larger than the call covers all of it', () => {
    const result = runRatingCase({
      deck: deck([{ prefix: '44', rate: '0.06', ...blocks306 }]),
      durationS: 47,
      bundleS: 600,
      cost: '0.0000',
    });
    if (result.status === 'rated') expect(result.bundleSeconds).toBe(48);
  });
});
