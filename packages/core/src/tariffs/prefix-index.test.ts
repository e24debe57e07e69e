import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deck } from '../../test/rating-kit.ts';
import { prefixIndexOf } from './prefix-index.ts';
import { generalList, highUnit, openBound, recordStride, rowField } from './row-columns.ts';

// The trie against the obvious search: every prefix of the number that is in the deck, longest
// first. Prefixes run from 1 to 9 digits, across the breadth-first/depth-first layout boundary.
const prefixArbitrary = fc.stringMatching(/^[0-9]{1,9}$/);
const numberArbitrary = fc.oneof(
  fc.stringMatching(/^[0-9]{0,14}$/),
  fc.constantFrom('', 'x', '12a45', '1/2', '9:'),
);

describe('prefix index', () => {
  it('finds exactly the deck prefixes of a number, longest first', () => {
    fc.assert(
      fc.property(fc.uniqueArray(prefixArbitrary, { minLength: 1, maxLength: 60 }),
        fc.array(numberArbitrary, { minLength: 1, maxLength: 20 }), (prefixes, numbers) => {
          // Numbers that extend the deck's prefixes, so matches are common.
          const extended = [...numbers, ...prefixes.map((prefix, at) => prefix + String(at))];
          const d = deck(prefixes.map((prefix) => ({ prefix, rate: '0.01' })));
          const index = prefixIndexOf(d);
          for (const number of extended) {
            const digits = number.replace(/[^0-9].*$/, '');
            const expected: string[] = [];
            for (let length = digits.length; length >= 1; length -= 1) {
              const prefix = digits.slice(0, length);
              if (d.rowsByPrefix.has(prefix)) expected.push(prefix);
            }
            const count = index.collect(number);
            const found: string[] = [];
            for (let match = 0; match < count; match += 1) {
              const rows = index.matchAt(match);
              expect(index.rowsOfList(index.listAt(match))).toBe(rows);
              found.push(rows[0]!.prefix);
            }
            expect(found).toEqual(expected);
          }
          expect(index.listCount).toBe(prefixes.length);
        }),
      { numRuns: 300 },
    );
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
    ]);
    const index = prefixIndexOf(d);
    const { records } = index.columns;
    const recordOf = (number: string) => {
      expect(index.collect(number)).toBeGreaterThan(0);
      const at = index.listAt(0) * recordStride;
      return records.slice(at, at + recordStride) as unknown[];
    };
    const joined = (record: unknown[], high: number) =>
      (record[high] as number) * highUnit + (record[high + 1] as number);
    const plain = recordOf('4412');
    expect(plain.slice(0, 4)).toEqual([d.rowsByPrefix.get('44')![0], '44', 50_000n, 5]);
    expect(joined(plain, rowField.rateMicrosHigh)).toBe(Number.MAX_SAFE_INTEGER);
    expect(joined(plain, rowField.connectFeeMicrosHigh)).toBe(50_000);
    expect(plain.slice(rowField.rateUnitS, rowField.incrementS + 1)).toEqual([30, 30, 6]);
    expect(joined(plain, rowField.effectiveFromMsHigh))
      .toBe(Date.parse('1969-01-01T00:00:00.001Z'));
    expect(plain[rowField.effectiveToMsHigh]).toBe(openBound);
    const dated = recordOf('351');
    expect(dated[rowField.effectiveFromMsHigh]).toBe(openBound);
    expect(joined(dated, rowField.effectiveToMsHigh)).toBe(Date.parse('2030-01-01T00:00:00Z'));
    for (const value of [...plain, ...dated]) {
      if (typeof value === 'number') expect(Math.abs(value)).toBeLessThanOrEqual(2 ** 30);
    }
    for (const general of ['4471', '331', '341']) {
      expect(recordOf(general)[rowField.includedS]).toBe(generalList);
    }
  });
});
