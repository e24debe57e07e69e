import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deck } from '../../test/rating-kit.ts';
import {
  buildPrefixIndex,
  defaultShape,
  prefixIndexLimits,
  prefixIndexOf,
  type PrefixIndex,
} from './prefix-index.ts';
import {
  generalList,
  highUnit,
  isDated,
  RecordSchemes,
  recordField,
  recordStride,
  schemeField,
  schemeOf,
  schemeStride,
  writeRecord,
  type Cell,
} from './prefix-record.ts';

// The index against the obvious search: every prefix of the number that is in the deck, longest
// first. Shapes are drawn too, so that prefixes fall on every side of the stem and of the
// bucket keys' reach (short ones in `shortBest`, deep ones in buckets, long ones in the map),
// and nested deep prefixes make the bucket search walk parents.
const prefixArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[0-9]{1,9}$/) },
  { weight: 3, arbitrary: fc.stringMatching(/^[12][0-2]{0,8}$/) }, // nested and crowded
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{10,20}$/) },
);
const numberArbitrary = fc.oneof(
  fc.stringMatching(/^[0-9]{0,22}$/),
  fc.stringMatching(/^[12][0-2]{0,12}$/),
  fc.constantFrom('', 'x', '12a45', '1/2', '9:', '1201x1', '120112011201120112011'),
);
const shapeArbitrary = fc.record({
  stemDigits: fc.integer({ min: 1, max: 4 }),
  suffixDigits: fc.integer({ min: 1, max: prefixIndexLimits.suffixDigitsMax }),
});

/** The prefixes `find` and `parentOf` give for `number`, longest first. */
function matchesOf(index: PrefixIndex, number: string): string[] {
  const found: string[] = [];
  for (let at = index.find(number); at >= 0; at = index.parentOf(at)) {
    expect(found.length).toBeLessThan(prefixIndexLimits.matchesMax);
    const rows = index.rowsAt(at);
    expect(index.cells[at + recordField.row]).toBe(rows[0]);
    expect(index.cells[at + recordField.prefix]).toBe(rows[0]!.prefix);
    found.push(rows[0]!.prefix);
  }
  return found;
}

describe('prefix index', () => {
  it('finds exactly the deck prefixes of a number, longest first, whatever its shape', () => {
    fc.assert(
      fc.property(fc.uniqueArray(prefixArbitrary, { minLength: 1, maxLength: 60 }),
        fc.array(numberArbitrary, { minLength: 1, maxLength: 20 }), shapeArbitrary,
        (prefixes, numbers, shape) => {
          // Numbers that extend the deck's prefixes, so matches are common.
          const extended = [...numbers, ...prefixes.map((prefix, at) => prefix + String(at))];
          const d = deck(prefixes.map((prefix) => ({ prefix, rate: '0.01' })));
          const shaped = buildPrefixIndex(d.rowsByPrefix, shape);
          const usual = prefixIndexOf(d);
          for (const number of extended) {
            const digits = number.replace(/[^0-9].*$/, '');
            const expected: string[] = [];
            for (let length = digits.length; length >= 1; length -= 1) {
              const prefix = digits.slice(0, length);
              if (d.rowsByPrefix.has(prefix)) expected.push(prefix);
            }
            expect(matchesOf(shaped, number)).toEqual(expected);
            expect(matchesOf(usual, number)).toEqual(expected);
          }
          expect(shaped.listCount).toBe(prefixes.length);
        }),
      { numRuns: 400 },
    );
  });

  it('sizes the stem table to the deck: about one stem per prefix, at most 10^5', () => {
    expect(defaultShape(1, 12).stemDigits).toBe(1);
    expect(defaultShape(10, 12).stemDigits).toBe(1);
    expect(defaultShape(11, 12).stemDigits).toBe(2);
    expect(defaultShape(100_000, 12).stemDigits).toBe(5);
    expect(defaultShape(100_001, 12).stemDigits).toBe(5);
    expect(defaultShape(2_000_000, 12).stemDigits).toBe(5);
    expect(defaultShape(2_000_000, 12).suffixDigits).toBe(7);
  });

  it('keeps one plain row per list as a record and marks the rest general', () => {
    const d = deck([
      { prefix: '44', rate: '9007199254.740991', connect: '0.05', unit: 30, initial: 30,
        increment: 6, included: 5, effectiveFrom: '1969-01-01T00:00:00.001Z' },
      { prefix: '447', rate: '0.10' },
      { prefix: '447', rate: '0.05', from: 60 },
      { prefix: '33', rate: '0.10', band: 'peak' },
      { prefix: '34', rate: '9007199254.740992' },
      { prefix: '35', rate: '0.10', effectiveTo: '2030-01-01T00:00:00Z' },
      { prefix: '36', rate: '0.10' },
      { prefix: '37', rate: '0.20' },
    ]);
    const index = prefixIndexOf(d);
    const recordOf = (number: string) => {
      const at = index.find(number);
      expect(at).toBeGreaterThanOrEqual(0);
      return index.cells.slice(at, at + recordStride) as unknown[];
    };
    const schemeFieldsOf = (record: unknown[]) => {
      const at = schemeOf(record[recordField.plan] as number) * schemeStride;
      return [...index.schemes.slice(at, at + schemeStride)];
    };
    const plain = recordOf('4412');
    expect(plain.slice(0, 2)).toEqual([d.rowsByPrefix.get('44')![0], '44']);
    expect(isDated(plain[recordField.plan] as number)).toBe(true);
    const scheme = schemeFieldsOf(plain);
    expect(scheme[schemeField.includedS]).toBe(5);
    expect(scheme[schemeField.rateMicrosHigh]! * highUnit + (plain[recordField.rateMicrosLow] as
      number)).toBe(Number.MAX_SAFE_INTEGER);
    expect(scheme[schemeField.connectFeeMicrosHigh]! * highUnit +
      (plain[recordField.connectFeeMicrosLow] as number)).toBe(50_000);
    expect(scheme.slice(schemeField.rateUnitS, schemeField.incrementS + 1)).toEqual([30, 30, 6]);
    const from = Date.parse('1969-01-01T00:00:00.001Z');
    expect(index.datedInForce(index.find('4412'), from - 1)).toBe(false);
    expect(index.datedInForce(index.find('4412'), from)).toBe(true);
    const to = Date.parse('2030-01-01T00:00:00Z');
    expect(index.datedInForce(index.find('351'), to - 1)).toBe(true);
    expect(index.datedInForce(index.find('351'), to)).toBe(false);
    const open = recordOf('361');
    expect(isDated(open[recordField.plan] as number)).toBe(false);
    expect(schemeFieldsOf(open)[schemeField.includedS]).toBe(0);
    // Rows that differ only in their rate share a scheme.
    expect(recordOf('371')[recordField.plan]).toBe(open[recordField.plan]);
    expect(recordOf('371')[recordField.rateMicrosLow]).toBe(200_000);
    expect(index.schemes.length).toBe(2 * schemeStride);
    for (const value of [...plain, ...open]) {
      if (typeof value === 'number') expect(Math.abs(value)).toBeLessThan(2 ** 30);
    }
    for (const general of ['4471', '331', '341']) {
      expect(recordOf(general)[recordField.plan]).toBe(generalList);
    }
  });

  it('rates a row the general way when the scheme table is full', () => {
    const d = deck([
      { prefix: '44', rate: '0.10', included: 1 },
      { prefix: '45', rate: '0.10', included: 2 },
      { prefix: '46', rate: '0.20', included: 1 },
    ]);
    const schemes = new RecordSchemes(1);
    const cells: Cell[] = Array.from({ length: 3 * recordStride }, () => 0);
    ['44', '45', '46'].forEach((prefix, list) =>
      writeRecord(cells, list * recordStride, list, d.rowsByPrefix.get(prefix)!, schemes));
    expect(schemes.count).toBe(1);
    expect(cells[recordField.plan]).toBe(0);
    expect(cells[recordStride + recordField.plan]).toBe(generalList); // a second scheme: full
    expect(cells[2 * recordStride + recordField.plan]).toBe(0); // the first scheme again
    expect(cells[recordStride + recordField.prefix]).toBe('45');
  });
});

describe('prefix index on a large deck', () => {
  it('agrees with the obvious search on 20,000 crowded prefixes (stem table of 10^5)', () => {
    // Seeded and clustered like real decks: many prefixes share stems, so buckets hold dozens
    // of nested keys and the binary search and the parent walk both have work to do.
    let state = 20_261_129;
    const next = (bound: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state % bound;
    };
    const prefixes = new Set<string>();
    while (prefixes.size < 20_000) {
      let prefix = ['1', '44', '447', '4915', '86'][next(5)]!;
      const length = prefix.length + 1 + next(9);
      while (prefix.length < length) prefix += String(next(next(2) === 0 ? 3 : 10));
      prefixes.add(prefix);
    }
    const d = deck([...prefixes].map((prefix) => ({ prefix, rate: '0.01' })));
    const index = prefixIndexOf(d);
    expect(index.stemDigits).toBe(5);
    const all = [...prefixes];
    for (let case_ = 0; case_ < 3_000; case_ += 1) {
      const prefix = all[next(all.length)]!;
      let number = prefix.slice(0, prefix.length - next(3));
      while (number.length < 13) number += String(next(next(2) === 0 ? 3 : 10));
      const expected: string[] = [];
      for (let length = number.length; length >= 1; length -= 1) {
        if (prefixes.has(number.slice(0, length))) expected.push(number.slice(0, length));
      }
      expect(matchesOf(index, number)).toEqual(expected);
    }
  });
});
