import {
  checkFieldCount,
  CsvReader,
  csvProblem,
  quoteValue,
  readCsvHeader,
  type CsvRecord,
} from '../kernel/csv.ts';
import { assert } from '../kernel/assert.ts';
import { parseIsoInstantMs } from '../kernel/instant.ts';
import { parseMicros, zeroMicros, type Micros } from '../kernel/money.ts';
import { success, type Problem, type Result } from '../kernel/result.ts';
import type { DeckImportCode } from './deck-import-codes.ts';
import {
  rateDeckDefaults,
  rateDeckLimits,
  type RateDeck,
  type RateDeckSettings,
  type RateRow,
} from './rate-deck.ts';
import { emptyTimeBandSet, type TimeBandSet } from './time-bands.ts';

/**
 * Imports a rate deck CSV (rating.md, "The rate deck"). All or nothing: the first problem is
 * returned with its line and column, and no partial deck ever escapes. The loop is written for
 * decks of hundreds of thousands of rows: fields are checked with character loops rather than
 * regular expressions, per-field helpers report failure through sentinels instead of allocating
 * a result object, and repeated values (rates, destinations) are parsed and stored once.
 */

export const rateDeckColumns = [
  'prefix',
  'destination',
  'rate',
  'connect_fee',
  'rate_unit_s',
  'initial_increment_s',
  'increment_s',
  'from_s',
  'included_s',
  'time_band',
  'weight',
  'effective_from',
  'effective_to',
] as const;
export type RateDeckColumn = (typeof rateDeckColumns)[number];
const requiredRateDeckColumns = ['prefix', 'rate'] as const;

export interface RateDeckImportOptions {
  readonly settings: RateDeckSettings;
  /** The deck's time bands; without them a row naming a band is an error. */
  readonly bands?: TimeBandSet | undefined;
  /**
   * A smaller row bound than `rateDeckLimits.rowsMax` (a tenant's own limit): the import stops
   * at the first row past it, with `too_many_rows` and its line, without reading further.
   */
  readonly rowsMax?: number | undefined;
}

/** Bounds of the import's own caches: they only save work and memory, so they may stop growing. */
const importCacheLimits = {
  amountsCachedMax: 10_000,
  destinationsCachedMax: 100_000,
  /** Rows of one prefix compared pairwise for duplicates before switching to a key index. */
  duplicateScanRowsMax: 16,
} as const;

type Positions = { readonly [Column in RateDeckColumn]: number };

/** The state of one import. Field helpers record a failure in `problem` and return a sentinel. */
interface DeckImport {
  readonly positions: Positions;
  readonly headerFieldCount: number;
  readonly bandNames: ReadonlyMap<string, string>;
  readonly rowsByPrefix: Map<string, RateRow[]>;
  /** Duplicate keys of prefixes with many rows (tiers, bands, effective windows). */
  readonly keyIndexes: Map<string, Map<string, number>>;
  readonly amounts: Map<string, Micros>;
  readonly destinations: Map<string, string>;
  problem: Problem<DeckImportCode> | null;
  readonly rowsMax: number;
  rowCount: number;
  prefixLengthMax: number;
}

/** The deck of a CSV text with the given settings and bands, or the first problem found. */
export function parseRateDeckCsv(
  text: string,
  options: RateDeckImportOptions,
): Result<RateDeck, DeckImportCode> {
  const bands = options.bands ?? emptyTimeBandSet;
  const reader = new CsvReader(text);
  const first = reader.next();
  if (!first.ok) return first;
  if (first.value === null) {
    const detail = `the deck is empty; expected a header such as prefix,destination,rate`;
    return csvProblem('missing_header', { line: 1 }, detail);
  }
  const header = readCsvHeader(first.value, {
    columns: rateDeckColumns,
    required: requiredRateDeckColumns,
  });
  if (!header.ok) return header;
  const rowsMax = options.rowsMax ?? rateDeckLimits.rowsMax;
  assert(Number.isSafeInteger(rowsMax) && rowsMax >= 1 && rowsMax <= rateDeckLimits.rowsMax,
    'a row bound is within the deck bound');
  const deck = startImport(header.value, first.value.fields.length, bands, rowsMax);
  for (;;) {
    const next = reader.next();
    if (!next.ok) return next;
    if (next.value === null) break;
    const failure = importRecord(deck, next.value);
    if (failure !== null) return failure;
  }
  if (deck.rowCount === 0) {
    return csvProblem('empty_deck', { line: first.value.line }, 'the deck has no rate rows');
  }
  assert(deck.rowsByPrefix.size <= deck.rowCount, 'every prefix in the deck has a row');
  assert(deck.prefixLengthMax <= rateDeckLimits.prefixDigitsMax, 'prefixes are bounded');
  return success({
    settings: options.settings,
    rowsByPrefix: deck.rowsByPrefix,
    prefixLengthMax: deck.prefixLengthMax,
    rowCount: deck.rowCount,
    bands,
  });
}

function startImport(
  header: ReadonlyMap<RateDeckColumn, number>,
  headerFieldCount: number,
  bands: TimeBandSet,
  rowsMax: number,
): DeckImport {
  const positions = Object.fromEntries(
    rateDeckColumns.map((column) => [column, header.get(column) ?? -1]),
  ) as Positions;
  // Rows refer to the band set's own name strings, not to copies sliced from each line.
  const bandNames = new Map<string, string>();
  for (const name of bands.keys()) bandNames.set(name, name);
  return {
    positions,
    headerFieldCount,
    bandNames,
    rowsByPrefix: new Map(),
    keyIndexes: new Map(),
    amounts: new Map(),
    destinations: new Map(),
    problem: null,
    rowsMax,
    rowCount: 0,
    prefixLengthMax: 0,
  };
}

function importRecord(deck: DeckImport, record: CsvRecord): Problem<DeckImportCode> | null {
  if (deck.rowCount >= deck.rowsMax) {
    const detail = `a deck has at most ${deck.rowsMax} rows`;
    return csvProblem('too_many_rows', { line: record.line }, detail);
  }
  const countProblem = checkFieldCount(record, deck.headerFieldCount);
  if (countProblem !== null) return countProblem;
  const row = parseRow(deck, record.fields, record.line);
  if (row === null) return deck.problem;
  const rows = deck.rowsByPrefix.get(row.prefix);
  if (rows === undefined) {
    deck.rowsByPrefix.set(row.prefix, [row]);
    if (row.prefix.length > deck.prefixLengthMax) deck.prefixLengthMax = row.prefix.length;
  } else {
    const duplicateLine = findDuplicateLine(deck, rows, row);
    if (duplicateLine !== 0) {
      const detail =
        `same prefix, from_s, time_band, effective_from and effective_to as line ` +
        `${duplicateLine}`;
      return csvProblem('duplicate_rate', { line: row.line }, detail);
    }
    rows.push(row);
  }
  deck.rowCount += 1;
  return null;
}

/** One row, or null with `deck.problem` set. Every column is checked, in header-table order. */
function parseRow(deck: DeckImport, fields: readonly string[], line: number): RateRow | null {
  const at = deck.positions;
  const prefix = parsePrefix(deck, fieldAt(fields, at.prefix), line);
  if (prefix === null) return null;
  const destination = parseDestination(deck, fieldAt(fields, at.destination), line);
  if (destination === null) return null;
  const rateMicros = parseAmount(deck, fieldAt(fields, at.rate), line, 'rate');
  if (rateMicros === null) return null;
  const connectFeeMicros = parseAmount(deck, fieldAt(fields, at.connect_fee), line, 'connect_fee');
  if (connectFeeMicros === null) return null;
  const rateUnitS = parseSeconds(deck, fieldAt(fields, at.rate_unit_s), line, 'rate_unit_s');
  if (rateUnitS === -1) return null;
  const initialText = fieldAt(fields, at.initial_increment_s);
  const initialIncrementS = parseSeconds(deck, initialText, line, 'initial_increment_s');
  if (initialIncrementS === -1) return null;
  const incrementS = parseSeconds(deck, fieldAt(fields, at.increment_s), line, 'increment_s');
  if (incrementS === -1) return null;
  const fromS = parseSeconds(deck, fieldAt(fields, at.from_s), line, 'from_s');
  if (fromS === -1) return null;
  const includedS = parseSeconds(deck, fieldAt(fields, at.included_s), line, 'included_s');
  if (includedS === -1) return null;
  const timeBand = parseTimeBand(deck, fieldAt(fields, at.time_band), line);
  if (timeBand === undefined) return null;
  const weight = parseWeight(deck, fieldAt(fields, at.weight), line);
  if (Number.isNaN(weight)) return null;
  const fromText = fieldAt(fields, at.effective_from);
  const effectiveFromMs = parseInstant(deck, fromText, line, 'effective_from');
  if (Number.isNaN(effectiveFromMs)) return null;
  const toText = fieldAt(fields, at.effective_to);
  const effectiveToMs = parseInstant(deck, toText, line, 'effective_to');
  if (Number.isNaN(effectiveToMs)) return null;
  if (effectiveFromMs !== null && effectiveToMs !== null && effectiveFromMs >= effectiveToMs) {
    const detail = `${quoteValue(toText)} is not after effective_from ${quoteValue(fromText)}`;
    return fail(deck, csvProblem('invalid_effective_window', where(line, 'effective_to'), detail));
  }
  return {
    line,
    prefix,
    destination,
    rateMicros,
    connectFeeMicros,
    rateUnitS,
    initialIncrementS,
    incrementS,
    fromS,
    includedS,
    timeBand,
    weight,
    effectiveFromMs,
    effectiveToMs,
  };
}

function fieldAt(fields: readonly string[], position: number): string {
  return position < 0 ? '' : (fields[position] ?? '');
}

function where(line: number, column: RateDeckColumn): { line: number; column: string } {
  return { line, column };
}

function fail(deck: DeckImport, found: Problem<DeckImportCode>): null {
  deck.problem = found;
  return null;
}

/** Digits only, 1..prefixDigitsMax of them. */
function parsePrefix(deck: DeckImport, text: string, line: number): string | null {
  if (text.length === 0) {
    return fail(deck, csvProblem('missing_value', where(line, 'prefix'), 'prefix is required'));
  }
  if (text.length > rateDeckLimits.prefixDigitsMax || !isDigits(text)) {
    const detail =
      `${quoteValue(text)} is not a prefix of 1 to ${rateDeckLimits.prefixDigitsMax} digits`;
    return fail(deck, csvProblem('invalid_prefix', where(line, 'prefix'), detail));
  }
  return detachedCopy(text);
}

function parseDestination(deck: DeckImport, text: string, line: number): string | null {
  if (text.length > rateDeckLimits.destinationCharsMax) {
    const detail = `is longer than ${rateDeckLimits.destinationCharsMax} characters`;
    return fail(deck, csvProblem('value_too_long', where(line, 'destination'), detail));
  }
  // Destinations repeat across thousands of prefixes ("Germany Mobile"): keep one copy each.
  const known = deck.destinations.get(text);
  if (known !== undefined) return known;
  const copy = detachedCopy(text);
  if (deck.destinations.size < importCacheLimits.destinationsCachedMax) {
    deck.destinations.set(copy, copy);
  }
  return copy;
}

/**
 * V8 may keep a substring as a view into the whole source text; a deck that held such views
 * would keep the (tens of megabytes of) CSV alive for as long as the deck lives. Concatenating
 * and slicing forces a flat copy of just these characters. Short strings are copied anyway.
 */
function detachedCopy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

/** `rate` (required) or `connect_fee` (default 0): parseMicros, then the price bound. */
function parseAmount(
  deck: DeckImport,
  text: string,
  line: number,
  column: 'rate' | 'connect_fee',
): Micros | null {
  const cached = deck.amounts.get(text);
  if (cached !== undefined) return cached;
  if (text.length === 0) {
    if (column === 'connect_fee') return zeroMicros;
    return fail(deck, csvProblem('missing_value', where(line, column), 'rate is required'));
  }
  const parsed = parseMicros(text);
  if (!parsed.ok) return fail(deck, csvProblem(parsed.code, where(line, column), parsed.message));
  if (parsed.value > rateDeckLimits.priceMicrosMax) {
    const detail = `${quoteValue(text)} is above the largest accepted price, 1000000 per unit`;
    return fail(deck, csvProblem('amount_too_large', where(line, column), detail));
  }
  if (deck.amounts.size < importCacheLimits.amountsCachedMax) {
    deck.amounts.set(detachedCopy(text), parsed.value);
  }
  return parsed.value;
}

type SecondsColumn =
  | 'rate_unit_s'
  | 'initial_increment_s'
  | 'increment_s'
  | 'from_s'
  | 'included_s';

/** The default and the least accepted value of each seconds column (rating.md). */
const secondsColumnRules: { readonly [Column in SecondsColumn]: readonly [number, number] } = {
  rate_unit_s: [rateDeckDefaults.rateUnitS, 1],
  initial_increment_s: [rateDeckDefaults.initialIncrementS, 0],
  increment_s: [rateDeckDefaults.incrementS, 1],
  from_s: [0, 0],
  included_s: [0, 0],
};

/** A whole number of seconds (digits only) within the column's bounds, or -1. */
function parseSeconds(deck: DeckImport, text: string, line: number, column: SecondsColumn): number {
  const [fallback, minimum] = secondsColumnRules[column];
  if (text.length === 0) return fallback;
  const maximum = rateDeckLimits.secondsFieldMax;
  const value = parseBoundedDigits(text, 0, maximum);
  if (value >= minimum && value <= maximum) return value;
  const negative = text.charCodeAt(0) === 0x2d && !Number.isNaN(parseBoundedDigits(text, 1, 0));
  if (Number.isNaN(value) && !negative) {
    const detail = `${quoteValue(text)} is not a whole number of seconds (digits only)`;
    return failNumber(deck, csvProblem('invalid_integer', where(line, column), detail), -1);
  }
  const detail = `${quoteValue(text)} is outside ${minimum}..${maximum} seconds`;
  return failNumber(deck, csvProblem('value_out_of_range', where(line, column), detail), -1);
}

/** An integer with an optional minus, at most weightAbsMax in size, or NaN. */
function parseWeight(deck: DeckImport, text: string, line: number): number {
  if (text.length === 0) return 0;
  const negative = text.charCodeAt(0) === 0x2d;
  const maximum = rateDeckLimits.weightAbsMax;
  const magnitude = parseBoundedDigits(text, negative ? 1 : 0, maximum);
  if (Number.isNaN(magnitude)) {
    const detail = `${quoteValue(text)} is not a whole number such as 10 or -5`;
    return failNumber(deck, csvProblem('invalid_integer', where(line, 'weight'), detail), NaN);
  }
  if (magnitude > maximum) {
    const detail = `${quoteValue(text)} is outside -${maximum}..${maximum}`;
    return failNumber(deck, csvProblem('value_out_of_range', where(line, 'weight'), detail), NaN);
  }
  // "-0" is weight 0, not the float -0 that would print and compare oddly.
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/**
 * The value of the digits from `start` to the end: NaN if there are none or any other character;
 * any value above `maximum` once it is certain to exceed it (the digits may be very many).
 */
function parseBoundedDigits(text: string, start: number, maximum: number): number {
  if (start >= text.length) return Number.NaN;
  let value = 0;
  for (let index = start; index < text.length; index += 1) {
    const digit = text.charCodeAt(index) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return Number.NaN;
    if (value <= maximum) value = value * 10 + digit;
  }
  return value;
}

function failNumber(deck: DeckImport, found: Problem<DeckImportCode>, sentinel: number): number {
  deck.problem = found;
  return sentinel;
}

/** null (always), a band name of the deck's band set, or undefined after a problem. */
function parseTimeBand(deck: DeckImport, text: string, line: number): string | null | undefined {
  if (text.length === 0) return null;
  const name = deck.bandNames.get(text);
  if (name !== undefined) return name;
  const detail =
    deck.bandNames.size === 0
      ? `${quoteValue(text)} names a time band, but the deck has no band file`
      : `${quoteValue(text)} is not a band of the band file`;
  deck.problem = csvProblem('unknown_time_band', where(line, 'time_band'), detail);
  return undefined;
}

/** null (open), epoch ms, or NaN after a problem. */
function parseInstant(
  deck: DeckImport,
  text: string,
  line: number,
  column: 'effective_from' | 'effective_to',
): number | null {
  if (text.length === 0) return null;
  const parsed = parseIsoInstantMs(text);
  if (parsed.ok) return parsed.value;
  return failNumber(deck, csvProblem(parsed.code, where(line, column), parsed.message), NaN);
}

/** The line of an earlier row with the same duplicate key, or 0. */
function findDuplicateLine(deck: DeckImport, rows: readonly RateRow[], row: RateRow): number {
  let index = deck.keyIndexes.get(row.prefix);
  if (index === undefined) {
    if (rows.length < importCacheLimits.duplicateScanRowsMax) {
      for (const other of rows) if (sameDuplicateKey(other, row)) return other.line;
      return 0;
    }
    // Many rows under one prefix: switch from pairwise comparison to a key index so that a
    // deck with thousands of tiers on one prefix stays linear.
    index = new Map(rows.map((other) => [duplicateKey(other), other.line]));
    deck.keyIndexes.set(row.prefix, index);
  }
  const key = duplicateKey(row);
  const earlier = index.get(key);
  if (earlier !== undefined) return earlier;
  index.set(key, row.line);
  return 0;
}

function sameDuplicateKey(a: RateRow, b: RateRow): boolean {
  return (
    a.fromS === b.fromS &&
    a.timeBand === b.timeBand &&
    a.effectiveFromMs === b.effectiveFromMs &&
    a.effectiveToMs === b.effectiveToMs
  );
}

function duplicateKey(row: RateRow): string {
  const band = row.timeBand ?? '';
  return `${row.fromS}|${band}|${row.effectiveFromMs ?? ''}|${row.effectiveToMs ?? ''}`;
}

function isDigits(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const digit = text.charCodeAt(index) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return false;
  }
  return true;
}
