import { afterEach, describe, expect, it, vi } from 'vitest';
import { micros } from '../kernel/money.ts';
import type { Result } from '../kernel/result.ts';
import type { DeckImportCode } from './deck-import-codes.ts';
import { parseRateDeckSettings } from './parse-rate-deck-settings.ts';
import { parseRateDeckCsv, rateDeckColumns, type RateDeckColumn } from './parse-rate-deck.ts';
import { parseTimeBandsCsv } from './parse-time-bands.ts';
import type { RateDeck } from './rate-deck.ts';
import { emptyTimeBandSet, type TimeBandSet } from './time-bands.ts';

const settings = mustOk(parseRateDeckSettings({ currency: 'USD' }));
const bands = mustOk(parseTimeBandsCsv('band,days,start,end\npeak,Mon-Fri,08:00,18:00\n'));

function mustOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`unexpected problem: ${result.message}`);
  return result.value;
}

// One helper per module: import a deck and return it, or the problem.
function importDeck(text: string, withBands?: TimeBandSet): Result<RateDeck, DeckImportCode> {
  return parseRateDeckCsv(text, { settings, bands: withBands });
}

type RowValues = Partial<Record<RateDeckColumn, string>>;

/** A CSV line of every column, in rateDeckColumns order; absent values are empty. */
function fullRow(values: RowValues): string {
  return rateDeckColumns.map((column) => quoteIfNeeded(values[column] ?? '')).join(',');
}

function quoteIfNeeded(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('parseRateDeckCsv: importing', () => {
  it('reads the simple ASTPP-style deck with the defaults of rating.md', () => {
    const text = 'prefix,destination,rate,connect_fee,initial_increment_s,increment_s\n' +
      '44,United Kingdom,0.0600,0.05,30,6\n';
    const deck = mustOk(importDeck(text));
    expect(deck.rowsByPrefix.get('44')).toEqual([
      {
        line: 2,
        prefix: '44',
        destination: 'United Kingdom',
        rateMicros: micros(60_000n),
        connectFeeMicros: micros(50_000n),
        rateUnitS: 60,
        initialIncrementS: 30,
        incrementS: 6,
        fromS: 0,
        includedS: 0,
        timeBand: null,
        weight: 0,
        effectiveFromMs: null,
        effectiveToMs: null,
      },
    ]);
    expect(deck).toMatchObject({ settings, rowCount: 1, prefixLengthMax: 2 });
    expect(deck.bands).toBe(emptyTimeBandSet);
  });

  it('fills empty optional fields with defaults and reads every column', () => {
    const text = [
      rateDeckColumns.join(','),
      fullRow({ prefix: '1', rate: '0' }),
      fullRow({ prefix: '2', rate: '0.5', weight: '-0' }),
      fullRow({
        prefix: '4477',
        destination: 'UK Mobile "EE"',
        rate: '1000000',
        connect_fee: '0.000001',
        rate_unit_s: '1',
        initial_increment_s: '0',
        increment_s: '604800',
        from_s: '60',
        included_s: '30',
        time_band: 'peak',
        weight: '-1000000',
        effective_from: '2024-01-01T00:00:00+01:00',
        effective_to: '2025-01-01T00:00Z',
      }),
    ].join('\n');
    const deck = mustOk(importDeck(text, bands));
    expect(deck.rowsByPrefix.get('1')?.[0]).toMatchObject({
      destination: '', rateMicros: 0n, connectFeeMicros: 0n, rateUnitS: 60, initialIncrementS: 1,
      incrementS: 1, fromS: 0, includedS: 0, timeBand: null, weight: 0,
    });
    expect(Object.is(deck.rowsByPrefix.get('2')?.[0]?.weight, 0)).toBe(true);
    expect(deck.rowsByPrefix.get('4477')?.[0]).toMatchObject({
      line: 4, destination: 'UK Mobile "EE"', rateMicros: 1_000_000_000_000n, connectFeeMicros: 1n,
      rateUnitS: 1, initialIncrementS: 0, incrementS: 604_800, fromS: 60, includedS: 30,
      timeBand: 'peak', weight: -1_000_000, effectiveFromMs: Date.UTC(2023, 11, 31, 23),
      effectiveToMs: Date.UTC(2025, 0, 1),
    });
    expect(deck.bands).toBe(bands);
  });

  it('takes columns in any order, a BOM, CRLF, quotes, comments and blank lines', () => {
    const text = [
      '\uFEFF# Carrier X, deck of 2024-06',
      'rate, Destination ,PREFIX',
      '',
      '0.05,"Korea, Republic of",82',
      '# mobile',
      '0.10,"Korea, Republic of ""Mobile""",8210',
      '0.01,United States,1',
    ].join('\r\n');
    const deck = mustOk(importDeck(text));
    expect(deck.rowCount).toBe(3);
    expect(deck.prefixLengthMax).toBe(4);
    expect([...deck.rowsByPrefix.keys()]).toEqual(['82', '8210', '1']);
    expect(deck.rowsByPrefix.get('8210')?.[0]).toMatchObject({
      line: 6, destination: 'Korea, Republic of "Mobile"', rateMicros: 100_000n,
    });
  });

  it('keeps rows of one prefix in file order when their keys differ', () => {
    const text = [
      'prefix,rate,from_s,time_band,effective_from,effective_to',
      '44,0.06,,,,',
      '44,0.05,60,,,',
      '1,0.01,,,,',
      '44,0.04,,peak,,',
      '44,0.03,,,2024-01-01T00:00:00Z,',
      '44,0.02,,,,2024-01-01T00:00:00Z',
      '44,0.01,,,2024-01-01T00:00:00Z,2025-01-01T00:00:00Z',
    ].join('\n');
    const deck = mustOk(importDeck(text, bands));
    expect(deck.rowsByPrefix.get('44')?.map((row) => row.line)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(deck.rowCount).toBe(7);
  });

  it('imports a generated deck of 500,000 rows', () => {
    const lines = ['prefix,destination,rate,connect_fee,initial_increment_s,increment_s'];
    for (let index = 0; index < 500_000; index += 1) {
      const prefix = String(100_000 + index * 7);
      const destination = index % 10 === 0 ? '"Korea, Republic of"' : 'Germany Mobile';
      lines.push(`${prefix},${destination},0.${String(index % 10_000).padStart(4, '0')},,30,6`);
    }
    const deck = mustOk(importDeck(`${lines.join('\n')}\n`));
    expect(deck.rowCount).toBe(500_000);
    expect(deck.rowsByPrefix.size).toBe(500_000);
    expect(deck.prefixLengthMax).toBe(7);
    expect(deck.rowsByPrefix.get('100007')?.[0]).toMatchObject({
      line: 3, destination: 'Germany Mobile', rateMicros: 100n, incrementS: 6,
    });
    expect(deck.rowsByPrefix.get(String(100_000 + 499_990 * 7))?.[0]).toMatchObject({
      line: 499_992, destination: 'Korea, Republic of', rateMicros: 999_000n,
    });
  });
});

interface ProblemCase {
  readonly name: string;
  readonly code: DeckImportCode;
  readonly column?: RateDeckColumn;
  /** The bad row's values; it is placed on line 5 of a deck with every column. */
  readonly row: RowValues;
}

/** A full-column deck: header, a comment, a good row, a blank line, then the row under test. */
function deckWithRow(values: RowValues): string {
  return [rateDeckColumns.join(','), '# comment', fullRow({ prefix: '1', rate: '0.01' }), '',
    fullRow({ prefix: '44', rate: '0.05', ...values })].join('\n');
}

const fieldProblems: ProblemCase[] = [
  { name: 'empty prefix', code: 'missing_value', column: 'prefix', row: { prefix: '' } },
  { name: 'letters in prefix', code: 'invalid_prefix', column: 'prefix', row: { prefix: '44a' } },
  { name: 'plus in prefix', code: 'invalid_prefix', column: 'prefix', row: { prefix: '+44' } },
  { name: 'space in prefix', code: 'invalid_prefix', column: 'prefix', row: { prefix: ' 44' } },
  {
    name: '33-digit prefix', code: 'invalid_prefix', column: 'prefix',
    row: { prefix: '4'.repeat(33) },
  },
  {
    name: 'long destination', code: 'value_too_long', column: 'destination',
    row: { destination: 'x'.repeat(201) },
  },
  { name: 'empty rate', code: 'missing_value', column: 'rate', row: { rate: '' } },
  { name: 'rate .5', code: 'invalid_amount', column: 'rate', row: { rate: '.5' } },
  { name: 'rate 5.', code: 'invalid_amount', column: 'rate', row: { rate: '5.' } },
  { name: 'rate 1e-3', code: 'invalid_amount', column: 'rate', row: { rate: '1e-3' } },
  { name: 'rate +1', code: 'invalid_amount', column: 'rate', row: { rate: '+1' } },
  { name: 'rate with a space', code: 'invalid_amount', column: 'rate', row: { rate: ' 0.05' } },
  {
    name: 'rate with a decimal comma', code: 'invalid_amount', column: 'rate',
    row: { rate: '0,05' },
  },
  { name: 'negative rate', code: 'negative_amount', column: 'rate', row: { rate: '-0.5' } },
  {
    name: 'negative connect fee', code: 'negative_amount', column: 'connect_fee',
    row: { connect_fee: '-0.01' },
  },
  { name: '7 decimals', code: 'amount_too_precise', column: 'rate', row: { rate: '0.0000001' } },
  {
    name: 'rate too large', code: 'amount_too_large', column: 'rate',
    row: { rate: '1000000.000001' },
  },
  {
    name: 'connect fee too large', code: 'amount_too_large', column: 'connect_fee',
    row: { connect_fee: '9'.repeat(20) },
  },
  {
    name: 'rate_unit_s 0', code: 'value_out_of_range', column: 'rate_unit_s',
    row: { rate_unit_s: '0' },
  },
  {
    name: 'increment_s 0', code: 'value_out_of_range', column: 'increment_s',
    row: { increment_s: '0' },
  },
  {
    name: 'negative increment', code: 'value_out_of_range', column: 'increment_s',
    row: { increment_s: '-6' },
  },
  {
    name: 'negative initial', code: 'value_out_of_range', column: 'initial_increment_s',
    row: { initial_increment_s: '-1' },
  },
  {
    name: 'from_s above a week', code: 'value_out_of_range', column: 'from_s',
    row: { from_s: '604801' },
  },
  {
    name: 'included_s huge', code: 'value_out_of_range', column: 'included_s',
    row: { included_s: '9'.repeat(30) },
  },
  {
    name: 'fractional seconds', code: 'invalid_integer', column: 'increment_s',
    row: { increment_s: '1.5' },
  },
  {
    name: 'plus seconds', code: 'invalid_integer', column: 'rate_unit_s',
    row: { rate_unit_s: '+60' },
  },
  { name: 'words for seconds', code: 'invalid_integer', column: 'from_s', row: { from_s: 'ten' } },
  {
    name: 'lone minus seconds', code: 'invalid_integer', column: 'included_s',
    row: { included_s: '-' },
  },
  { name: 'fractional weight', code: 'invalid_integer', column: 'weight', row: { weight: '1.5' } },
  { name: 'plus weight', code: 'invalid_integer', column: 'weight', row: { weight: '+1' } },
  { name: 'lone minus weight', code: 'invalid_integer', column: 'weight', row: { weight: '-' } },
  {
    name: 'weight too large', code: 'value_out_of_range', column: 'weight',
    row: { weight: '1000001' },
  },
  {
    name: 'weight too small', code: 'value_out_of_range', column: 'weight',
    row: { weight: '-1000001' },
  },
  {
    name: 'unknown band', code: 'unknown_time_band', column: 'time_band',
    row: { time_band: 'offpeak' },
  },
  {
    name: 'band name case', code: 'unknown_time_band', column: 'time_band',
    row: { time_band: 'Peak' },
  },
  {
    name: 'instant without offset', code: 'invalid_instant', column: 'effective_from',
    row: { effective_from: '2024-01-01T00:00:00' },
  },
  {
    name: 'impossible date', code: 'invalid_instant', column: 'effective_to',
    row: { effective_to: '2024-02-30T00:00:00Z' },
  },
  {
    name: 'window ends at its start', code: 'invalid_effective_window', column: 'effective_to',
    row: { effective_from: '2024-01-01T01:00:00+01:00', effective_to: '2024-01-01T00:00:00Z' },
  },
  {
    name: 'window ends before its start', code: 'invalid_effective_window', column: 'effective_to',
    row: { effective_from: '2025-01-01T00:00:00Z', effective_to: '2024-01-01T00:00:00Z' },
  },
  { name: 'exact duplicate', code: 'duplicate_rate', row: { prefix: '1', rate: '0.02' } },
];

describe('parseRateDeckCsv: field problems name line and column', () => {
  for (const testCase of fieldProblems) {
    it(testCase.name, () => {
      const result = importDeck(deckWithRow(testCase.row), bands);
      expect(result).toMatchObject({ ok: false, code: testCase.code, line: 5 });
      if (result.ok) return;
      expect(result.column).toBe(testCase.column);
      const place =
        testCase.column === undefined ? 'line 5: ' : `line 5, column ${testCase.column}: `;
      expect(result.message.startsWith(place)).toBe(true);
    });
  }

  it('words a negative rate as the operator wrote it', () => {
    const text = 'prefix,rate\n# a\n# b\n1,0.01\n2,0.02\n\n44,-0.5\n';
    expect(importDeck(text)).toEqual({
      ok: false, code: 'negative_amount', line: 7, column: 'rate',
      message: 'line 7, column rate: "-0.5" is negative',
    });
  });

  it('refuses any band name when the deck has no band file', () => {
    const result = importDeck('prefix,rate,time_band\n44,0.05,peak\n');
    expect(result).toMatchObject({
      ok: false, code: 'unknown_time_band', line: 2, column: 'time_band',
    });
  });
});

describe('parseRateDeckCsv: file problems', () => {
  interface FileCase {
    name: string;
    text: string;
    code: DeckImportCode;
    line: number;
    column?: string;
  }
  const cases: FileCase[] = [
    { name: 'empty file', text: '', code: 'missing_header', line: 1 },
    { name: 'comments only', text: '# nothing\n\n', code: 'missing_header', line: 1 },
    { name: 'data first', text: '44,UK,0.05\n', code: 'missing_header', line: 1 },
    {
      name: 'unknown column', text: '# c\nprefix,rate,price\n', code: 'unknown_column', line: 2,
      column: 'price',
    },
    {
      name: 'duplicate column', text: 'prefix,rate,Prefix\n', code: 'duplicate_column', line: 1,
      column: 'prefix',
    },
    {
      name: 'missing prefix column', text: 'destination,rate\n', code: 'missing_column', line: 1,
      column: 'prefix',
    },
    {
      name: 'missing rate column', text: 'prefix,destination\n', code: 'missing_column', line: 1,
      column: 'rate',
    },
    { name: 'header only', text: 'prefix,rate\n', code: 'empty_deck', line: 1 },
    {
      name: 'header and comments', text: 'prefix,rate\n# none yet\n\n', code: 'empty_deck', line: 1,
    },
    {
      name: 'too few fields', text: 'prefix,rate\n44,0.05\n1\n', code: 'wrong_field_count', line: 3,
    },
    {
      name: 'too many fields', text: 'prefix,rate\n44,0.05,\n', code: 'wrong_field_count', line: 2,
    },
    {
      name: 'unterminated quote', text: 'prefix,rate\n44,"0.05\n1,0.01\n', code: 'invalid_csv',
      line: 2,
    },
    {
      name: 'stray quote', text: 'prefix,destination,rate\n44,5" screen,0.05\n',
      code: 'invalid_csv', line: 2,
    },
    {
      name: 'duplicate names both lines', text: 'prefix,rate\n44,0.05\n1,0.01\n44,0.06\n',
      code: 'duplicate_rate', line: 4,
    },
    {
      name: 'duplicate with the same band and window',
      text: 'prefix,rate,time_band,effective_from\n44,0.05,peak,2024-01-01T00:00:00Z\n' +
        '44,0.06,peak,2024-01-01T01:00:00+01:00\n',
      code: 'duplicate_rate', line: 3,
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = importDeck(testCase.text, bands);
      expect(result).toMatchObject({ ok: false, code: testCase.code, line: testCase.line });
      if (result.ok) return;
      expect(result.column).toBe(testCase.column);
    });
  }

  it('names both lines of a duplicate in the message', () => {
    const result = importDeck('prefix,rate\n44,0.05\n1,0.01\n44,0.06\n');
    expect(!result.ok && result.message).toMatch(/^line 4: .*line 2$/);
  });

  it('finds duplicates among many rows of one prefix', () => {
    const lines = ['prefix,rate,from_s'];
    for (let fromS = 0; fromS < 40; fromS += 1) lines.push(`44,0.05,${fromS * 10}`);
    lines.push('44,0.01,370');
    expect(importDeck(lines.join('\n'))).toMatchObject({
      ok: false, code: 'duplicate_rate', line: 42, message: expect.stringMatching(/line 39$/),
    });
    expect(importDeck(lines.slice(0, -1).join('\n'))).toMatchObject({ ok: true });
  });
});

describe('parseRateDeckCsv: row limit', () => {
  afterEach(() => {
    vi.doUnmock('./rate-deck.ts');
    vi.resetModules();
  });

  it('refuses a deck with more than rowsMax rows', async () => {
    // The real bound is two million rows; a small stand-in keeps the test fast.
    vi.resetModules();
    vi.doMock('./rate-deck.ts', async (importOriginal) => {
      const original = await importOriginal<typeof import('./rate-deck.ts')>();
      return { ...original, rateDeckLimits: { ...original.rateDeckLimits, rowsMax: 3 } };
    });
    const module = await import('./parse-rate-deck.ts');
    const parse = (text: string) => module.parseRateDeckCsv(text, { settings });
    expect(parse('prefix,rate\n1,0\n2,0\n3,0\n')).toMatchObject({ ok: true });
    expect(parse('prefix,rate\n1,0\n2,0\n3,0\n# c\n4,0\n')).toMatchObject({
      ok: false, code: 'too_many_rows', line: 6,
    });
  });
});
