import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { band, deck, type RowSpec } from '../../test/rating-kit.ts';
import { micros } from '../kernel/money.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import { planCall } from './call-plan.ts';
import { maxDuration } from './max-duration.ts';
import { rateDuration } from './rate-duration.ts';

// Edge-biased generators: increments of 1 and of odd sizes, tiers, bands, connect fees, zones
// with DST, and instants near band and DST boundaries.
const rateText = fc.integer({ min: 0, max: 2_000_000 }).map((n) => (n / 1e6).toFixed(6));
const rowArbitrary = fc.record({
  rate: rateText,
  connect: fc.oneof(fc.constant('0'), rateText),
  unit: fc.constantFrom(1, 6, 60, 7),
  initial: fc.constantFrom(0, 1, 6, 30, 60, 45),
  increment: fc.constantFrom(1, 6, 60, 7),
  included: fc.constantFrom(0, 0, 0, 5, 30),
});
const deckArbitrary = fc
  .record({
    base: rowArbitrary,
    tiers: fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), rowArbitrary), { maxLength: 3 }),
    night: fc.option(rowArbitrary),
    zone: fc.constantFrom('UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe'),
    rounding: fc.constantFrom('up', 'down', 'half_up', 'half_even' as const),
    decimals: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ base, tiers, night, zone, rounding, decimals }) => {
    const rows: RowSpec[] = [{ prefix: '44', ...base }];
    const seen = new Set<number>();
    for (const [from, tier] of tiers) {
      if (seen.has(from)) continue;
      seen.add(from);
      rows.push({ prefix: '44', ...tier, from });
    }
    if (night !== null) rows.push({ prefix: '44', ...night, band: 'night' });
    return deck(rows, {
      zone,
      rounding,
      decimals,
      bands: [band('night', 'Mon Tue Wed Thu Fri Sat Sun', '22:00', '06:30')],
    });
  });
// Around the 2026 European and US DST changes and ordinary days.
const instantArbitrary = fc.constantFrom(
  Date.parse('2026-03-29T00:30:00Z'),
  Date.parse('2026-10-25T00:10:00Z'),
  Date.parse('2026-03-08T06:40:00Z'),
  Date.parse('2026-11-30T21:50:00Z'),
  Date.parse('2026-04-04T14:20:00Z'),
);
const horizonS = 4000;

function costOf(d: RateDeck, at: number, durationS: number, bundleS = 0) {
  const planned = planCall({ deck: d, number: '4412', startedAtMs: at, horizonS });
  if (planned.status !== 'planned') throw new Error('prefix 44 always matches');
  const rated = rateDuration(planned.plan, durationS, bundleS);
  return rated.status === 'rated' ? rated.costMicros : null;
}

describe('rating properties', () => {
  it('cost is monotone non-decreasing in duration', () => {
    fc.assert(
      fc.property(deckArbitrary, instantArbitrary, fc.integer({ min: 0, max: horizonS - 1 }),
        (d, at, durationS) => {
          const shorter = costOf(d, at, durationS);
          const longer = costOf(d, at, durationS + 1);
          if (shorter === null) expect(longer).toBeNull();
          else if (longer !== null) expect(longer >= shorter).toBe(true);
        }),
      { numRuns: 400 },
    );
  });

  it('cost(max(f)) <= f < cost(max(f) + 1) whenever a next step exists', () => {
    fc.assert(
      fc.property(deckArbitrary, instantArbitrary, fc.bigInt({ min: 0n, max: 50_000_000n }),
        fc.constantFrom(0, 0, 17, 90), (d, at, fundsRaw, bundleS) => {
          const funds = micros(fundsRaw);
          const planned = planCall({ deck: d, number: '4412', startedAtMs: at, horizonS });
          if (planned.status !== 'planned') return;
          const found = maxDuration(planned.plan, funds, { capS: horizonS - 1,
            bundleSecondsAvailable: bundleS });
          const atMax = costOf(d, at, found.maxSeconds, bundleS);
          expect(atMax).not.toBeNull();
          expect(atMax! <= funds).toBe(true);
          if (found.capped) return;
          const next = costOf(d, at, found.maxSeconds + 1, bundleS);
          if (next !== null) expect(next > funds).toBe(true);
        }),
      { numRuns: 300 },
    );
  });

  it('nibbling: committing cost(used) - committed at every step sums to the whole cost', () => {
    fc.assert(
      fc.property(deckArbitrary, instantArbitrary,
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 8 }),
        (d, at, steps) => {
          let usedS = 0;
          let committed = 0n;
          for (const step of steps) {
            usedS = Math.min(horizonS - 1, usedS + step);
            const cumulative = costOf(d, at, usedS);
            if (cumulative === null) return;
            const delta = cumulative - committed;
            expect(delta >= 0n).toBe(true);
            committed += delta;
          }
          expect(committed).toBe(costOf(d, at, usedS));
        }),
      { numRuns: 200 },
    );
  });

  it('bundle seconds never make a call cost more', () => {
    fc.assert(
      fc.property(deckArbitrary, instantArbitrary, fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 0, max: 5000 }), (d, at, durationS, bundleS) => {
          const paid = costOf(d, at, durationS);
          const withBundle = costOf(d, at, durationS, bundleS);
          if (paid === null || withBundle === null) return;
          expect(withBundle <= paid).toBe(true);
        }),
      { numRuns: 200 },
    );
  });
});
