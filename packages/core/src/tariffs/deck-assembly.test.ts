import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxCallDuration, rateCall } from '../rating/rate-call.ts';
import { micros } from '../kernel/money.ts';
import { assembleRateDeck, deckAssemblyLimits } from './deck-assembly.ts';
import { rateDeckImageBuffers, rateDeckImageOf, parseRateDeckImage } from './deck-image.ts';
import { parseRateDeckCsv } from './parse-rate-deck.ts';
import { parseTimeBandsCsv } from './parse-time-bands.ts';
import { prefixIndexOf } from './prefix-index.ts';
import type { RateDeck, RateDeckSettings } from './rate-deck.ts';
import type { TimeBandSet } from './time-bands.ts';

// A deck that a worker parsed into an image and the event loop assembled step by step must rate
// every call exactly as the deck the parser returns. The CSV mixes what the index treats apart:
// prefixes as short as a stem and beyond the bucket keys, tiers, bands, effective windows,
// connect fees, amounts beyond 2^30 micros and a two-byte destination.
const settings: RateDeckSettings = { currency: 'EUR' as never, decimals: 4, rounding: 'half_up',
  zone: 'Europe/Berlin' };
const bandsCsv = 'band,days,start,end\npeak,Mon-Fri,08:00,18:00\nnight,Mon-Sun,22:00,06:00\n';
const deckCsv = [
  'prefix,destination,rate,connect_fee,rate_unit_s,initial_increment_s,increment_s,from_s,' +
    'included_s,time_band,weight,effective_from,effective_to',
  '4,Germany,0.10,,,,,,,,,,',
  '44,UK,0.05,0.01,60,30,6,,,,,,',
  '447,UK Mobile,0.20,,60,1,1,,,,,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z',
  '447,UK Mobile,0.25,,60,1,1,,,,,2027-01-01T00:00:00Z,',
  '4479,"Mobile, Ü",0.30,,,,,0,5,peak,,,',
  '4479,"Mobile, Ü",0.10,,,,,0,5,night,,,',
  '4479,"Mobile, Ü",0.05,,,,,60,,,,,',
  '12345678901234567890123,Deep,2500.000001,,,,,,,,3,,',
  '1,USA,0.01,,1,1,1,,,,,,',
  '1201,USA NJ,0.011,,1,1,1,,,,-2,,',
  '99,Premium,1500,2000.5,60,60,60,,,,,,',
].join('\n');

function bandSet(): TimeBandSet {
  const parsed = parseTimeBandsCsv(bandsCsv);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

function parsed(bands: TimeBandSet): RateDeck {
  const deck = parseRateDeckCsv(deckCsv, { settings, bands });
  if (!deck.ok) throw new Error(deck.message);
  return deck.value;
}

/** The image through a real structured clone with its buffers moved, as between threads. */
function assembled(bands: TimeBandSet, unitsPerStep: number) {
  const image = rateDeckImageOf(parsed(bands));
  const moved = structuredClone(image, { transfer: rateDeckImageBuffers(image) });
  expect(image.rowInts.byteLength).toBe(0); // moved, not copied
  const assembly = assembleRateDeck(moved, bands);
  let steps = 1;
  while (!assembly.step(unitsPerStep)) steps += 1;
  return { ...assembly.result(), steps };
}

const numbers = ['4', '49', '44', '4420', '447', '4479', '44791', '12345678901234567890123',
  '123456789012345678901234', '1234', '1', '1201555', '12', '99', '999', '7', '', 'x1'];
const instants = ['2026-06-01T09:00:00Z', '2026-06-06T23:30:00Z', '2027-03-01T12:00:00Z']
  .map((text) => Date.parse(text));

describe('deck assembly from an image', () => {
  it('rates and bounds every call as the parsed deck does, in any step size', () => {
    const bands = bandSet();
    const reference = parsed(bands);
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), (unitsPerStep) => {
      const { deck } = assembled(bands, unitsPerStep);
      for (const number of numbers) {
        for (const startedAtMs of instants) {
          for (const durationS of [0, 3, 31, 95, 3_600]) {
            const call = { number, startedAtMs, durationS };
            expect(rateCall({ deck, ...call })).toEqual(rateCall({ deck: reference, ...call }));
          }
          const funds = { number, startedAtMs, fundsMicros: micros(2_000_000n), capS: 7_200 };
          expect(maxCallDuration({ deck, ...funds }))
            .toEqual(maxCallDuration({ deck: reference, ...funds }));
        }
      }
      expect([...deck.rowsByPrefix.entries()]).toEqual(
        [...reference.rowsByPrefix.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      expect(deck.rowsByPrefix.get('4479')).toEqual(reference.rowsByPrefix.get('4479'));
      expect(deck.rowsByPrefix.get('448')).toBeUndefined();
      expect(prefixIndexOf(deck).listCount).toBe(reference.rowsByPrefix.size);
    }), { numRuns: 25 });
  });
  it('keeps amounts exact beyond 2^53 micros through the clone', () => {
    const big = 9_007_199_254_740_993n;
    const image = parseRateDeckImage('prefix,rate\n44,1\n', { settings });
    if (!image.ok) throw new Error(image.message);
    const amounts = BigInt64Array.from([big]);
    const moved = structuredClone({ ...image.value, amountsMicros: amounts },
      { transfer: [amounts.buffer] });
    expect(moved.amountsMicros[0]).toBe(big);
  });
  it('works in bounded steps: more steps for smaller ones, one for a large one', () => {
    const bands = bandSet();
    expect(assembled(bands, deckAssemblyLimits.unitsPerStepMax).steps).toBe(1);
    expect(assembled(bands, 1).steps).toBeGreaterThan(20);
    expect(() => assembleRateDeck(rateDeckImageOf(parsed(bands)), bands)
      .step(deckAssemblyLimits.unitsPerStepMax + 1)).toThrow();
  });
  it('estimates the memory it keeps from its structure', () => {
    const { memoryBytes } = assembled(bandSet(), 10);
    // 13 rows: hundreds of bytes each, plus the index's fixed tables (a 10-entry stem table).
    expect(memoryBytes).toBeGreaterThan(13 * 144);
    expect(memoryBytes).toBeLessThan(64 * 1024);
  });
});
