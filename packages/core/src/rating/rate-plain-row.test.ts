import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { band, deck, type RowSpec } from '../../test/rating-kit.ts';
import { divideRounded, micros, type Micros } from '../kernel/money.ts';
import type { RateDeck, RateRow } from '../tariffs/rate-deck.ts';
import { assertHorizon, planRows, rowsInForce } from './call-plan.ts';
import { searchMaxDuration } from './max-duration.ts';
import { onePartCostNumber } from './one-part-cost.ts';
import {
  maxCallDuration,
  rateCall,
  type MaxDurationResult,
  type RateCallResult,
} from './rate-call.ts';
import { rateDuration, type RatedCall } from './rate-duration.ts';

// The fast paths (flat columns, Numbers) must give exactly what the general path gives. The
// reference here finds the prefix without the trie (substrings, longest first) and rates with
// `planRows` + `rateDuration` (+ the general `searchMaxDuration`), and the cost of a rated call
// is checked once more with plain bigints.

const at0 = Date.parse('2026-10-25T00:10:00Z');
const prefixes = ['4', '44', '447', '4479', '3'] as const;

const priceText = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 2_000_000 }).map((n) => (n / 1e6).toFixed(6)) },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.000001', '1000000', '9007199254.740991') },
  // Above 2^53 micros: the columns must refuse them and leave the row to bigints.
  { weight: 1, arbitrary: fc.constantFrom('9007199254.740993', '90000000000') },
);
const rowArbitrary = fc.record({
  prefix: fc.constantFrom(...prefixes),
  rate: priceText,
  connect: fc.oneof(fc.constant('0'), priceText),
  unit: fc.constantFrom(1, 6, 60, 7, 604_800),
  initial: fc.constantFrom(0, 1, 6, 30, 60, 45),
  increment: fc.constantFrom(1, 6, 60, 7),
  included: fc.constantFrom(0, 0, 0, 5, 30),
  from: fc.constantFrom(0, 0, 0, 0, 20, 90),
  band: fc.constantFrom(undefined, undefined, undefined, 'night', 'day'),
  weight: fc.constantFrom(0, 0, 1),
  effectiveFrom: fc.constantFrom(undefined, undefined, '2026-10-25T00:10:00Z',
    '2026-10-25T00:10:00.001Z', '2020-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z'),
  effectiveTo: fc.constantFrom(undefined, undefined, '2026-10-25T00:10:00Z',
    '2026-10-25T00:10:00.001Z', '2030-01-01T00:00:00Z'),
});

const deckArbitrary = fc
  .record({
    rows: fc.array(rowArbitrary, { minLength: 1, maxLength: 7 }),
    zone: fc.constantFrom('UTC', 'Europe/London', 'America/New_York'),
    rounding: fc.constantFrom('up', 'down', 'half_up', 'half_even' as const),
    decimals: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ rows, zone, rounding, decimals }) => {
    const specs: RowSpec[] = rows.map((spec) => {
      const { band: bandName, effectiveFrom, effectiveTo, ...rest } = spec;
      return {
        ...rest,
        ...(bandName === undefined ? {} : { band: bandName }),
        ...(effectiveFrom === undefined ? {} : { effectiveFrom }),
        ...(effectiveTo === undefined ? {} : { effectiveTo }),
      };
    });
    return deck(specs, {
      zone,
      rounding,
      decimals,
      bands: [
        band('night', 'Mon Tue Wed Thu Fri Sat Sun', '22:00', '06:30'),
        band('day', 'Mon Tue Wed Thu Fri', '08:00', '18:00'),
      ],
    });
  });

const numberArbitrary = fc.oneof(
  fc.constantFrom('4', '44', '447', '4479', '44791234', '4412', '3', '39', '5', '', '44a7'),
  fc.stringMatching(/^[3-5][0-9]{0,9}$/),
);
const instantArbitrary = fc.constantFrom(at0 - 1, at0, at0 + 1, Date.parse('2026-11-30T21:50:00Z'));
const horizonS = 4000;

/** The prefix's rows in force, found by substrings instead of the trie. */
function referenceRows(d: RateDeck, number: string, atMs: number): readonly RateRow[] | null {
  for (let length = Math.min(number.length, d.prefixLengthMax); length >= 1; length -= 1) {
    const rows = d.rowsByPrefix.get(number.slice(0, length));
    if (rows === undefined) continue;
    const inForce = rowsInForce(rows, atMs);
    if (inForce !== null) return inForce;
  }
  return null;
}

function referenceRate(
  d: RateDeck,
  number: string,
  startedAtMs: number,
  durationS: number,
  bundleS: number,
): RateCallResult {
  assertHorizon(durationS);
  const rows = referenceRows(d, number.replace(/[^0-9].*$/, ''), startedAtMs);
  if (rows === null) return { status: 'no_rate', reason: 'no_prefix' };
  const plan = planRows({ deck: d, number, startedAtMs, horizonS: durationS }, rows);
  const rated = rateDuration(plan, durationS, bundleS);
  if (rated.status === 'no_rate') return { status: 'no_rate', reason: rated.reason };
  return rated;
}

/** connect + sum of paid * rate / unit over the parts, rounded once, in bigints only. */
function bigintCost(d: RateDeck, rated: RatedCall): Micros {
  if (rated.parts.length === 0) return micros(0n);
  let denominator = 1n;
  for (const part of rated.parts) denominator *= BigInt(part.row.rateUnitS);
  let numerator = rated.connectFeeMicros * denominator;
  for (const part of rated.parts) {
    const paid = BigInt(part.billedSeconds - part.bundleSeconds);
    numerator += (paid * part.row.rateMicros * denominator) / BigInt(part.row.rateUnitS);
  }
  const step = 10n ** BigInt(6 - d.settings.decimals);
  return micros(divideRounded(numerator, denominator * step, d.settings.rounding) * step);
}

function expectSameResult(actual: object, expected: object) {
  expect(actual).toEqual(expected);
  // Same fields in the same order, so JSON and logs do not depend on the path either.
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
}

describe('the rating fast paths equal the general path', () => {
  it('rateCall equals planRows + rateDuration, and its cost equals a bigint-only sum', () => {
    fc.assert(
      fc.property(deckArbitrary, numberArbitrary, instantArbitrary,
        fc.integer({ min: 0, max: horizonS }), fc.constantFrom(0, 0, 0, 17, 90, 5000),
        (d, number, at, durationS, bundleS) => {
          const actual = rateCall({ deck: d, number, startedAtMs: at, durationS,
            bundleSecondsAvailable: bundleS });
          const expected = referenceRate(d, number, at, durationS, bundleS);
          expectSameResult(actual, expected);
          if (actual.status === 'rated') {
            expect(actual.costMicros).toBe(bigintCost(d, actual));
            expectSameResult(actual.parts, expected.status === 'rated' ? expected.parts : []);
          }
        }),
      { numRuns: 3000 },
    );
  });

  it('maxCallDuration equals planRows + maxDuration', () => {
    fc.assert(
      fc.property(deckArbitrary, numberArbitrary, instantArbitrary,
        fc.bigInt({ min: -10n, max: 50_000_000n }), fc.constantFrom(0, 1, 60, 600),
        fc.constantFrom(0, 0, 17, 90), (d, number, at, funds, capS, bundleS) => {
          const actual = maxCallDuration({ deck: d, number, startedAtMs: at,
            fundsMicros: micros(funds), capS, bundleSecondsAvailable: bundleS });
          expectSameResult(actual, referenceMax(d, number, at, micros(funds), capS, bundleS));
        }),
      { numRuns: 1500 },
    );
  });
});

function referenceMax(
  d: RateDeck,
  number: string,
  startedAtMs: number,
  fundsMicros: Micros,
  capS: number,
  bundleS: number,
): MaxDurationResult {
  assertHorizon(capS);
  const rows = referenceRows(d, number.replace(/[^0-9].*$/, ''), startedAtMs);
  if (rows === null) return { status: 'no_rate', reason: 'no_prefix' };
  const plan = planRows({ deck: d, number, startedAtMs, horizonS: capS }, rows);
  const first = rateDuration(plan, Math.min(1, capS));
  if (first.status === 'no_rate') return { status: 'no_rate', reason: first.reason };
  const found = searchMaxDuration(plan, fundsMicros, { capS, bundleSecondsAvailable: bundleS });
  return { status: 'ok', prefix: plan.prefix, ...found };
}

describe('onePartCostNumber', () => {
  it('equals bigint division with every mode, or declines beyond 2^53', () => {
    const safe = Number.MAX_SAFE_INTEGER;
    const edge = fc.oneof(
      fc.integer({ min: 0, max: 2_000_000 }),
      fc.constantFrom(0, 1, 2, 5, 1e12, safe, safe - 1, 2 ** 52, 2 ** 26 + 1),
      fc.integer({ min: 0, max: safe }),
    );
    fc.assert(
      fc.property(edge, fc.constantFrom(1, 2, 6, 7, 60, 604_800), fc.integer({ min: 0, max: 2e6 }),
        edge, fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('up', 'down', 'half_up', 'half_even' as const),
        (connect, unit, paid, rate, decimals, mode) => {
          const cost = onePartCostNumber(connect, unit, paid, rate, decimals, mode);
          const step = 10n ** BigInt(6 - decimals);
          const numerator = BigInt(connect) * BigInt(unit) + BigInt(paid) * BigInt(rate);
          const exact = divideRounded(numerator, BigInt(unit) * step, mode) * step;
          if (numerator + BigInt(unit) * step <= BigInt(safe)) expect(BigInt(cost)).toBe(exact);
          else if (cost !== -1) expect(BigInt(cost)).toBe(exact);
        }),
      { numRuns: 5000 },
    );
  });
});
