import { assert } from '../kernel/assert.ts';
import { success, type Result } from '../kernel/result.ts';
import type { DeckImportCode } from './deck-import-codes.ts';
import { parseRateDeckCsv, type RateDeckImportOptions } from './parse-rate-deck.ts';
import { buildPrefixIndexTables, defaultShape, type PrefixIndexTables } from './prefix-index.ts';
import { recordField, recordStride } from './prefix-record.ts';
import type { RateDeck, RateDeckSettings, RateRow } from './rate-deck.ts';

/**
 * A parsed deck and its prefix index as typed arrays and a few flat strings: what a worker
 * thread hands back to the event loop after an import. Structured clone rebuilds an object
 * graph of a million rows on the receiving thread, which costs about as much as parsing it;
 * typed arrays are moved between threads without a copy (transferred), and `assembleRateDeck`
 * turns the image into a deck in bounded steps. Money stays exact: amounts are a
 * BigInt64Array of micros, shared by the rows that name them.
 */
export interface RateDeckImage {
  readonly settings: RateDeckSettings;
  readonly rowCount: number;
  readonly prefixLengthMax: number;
  /** Lists are the deck's prefixes in sorted order: the index's list ids. */
  readonly listCount: number;
  /** The prefixes one after the other; list i's prefix ends at `prefixEnd[i]`. */
  readonly prefixText: string;
  readonly prefixEnd: Int32Array;
  /** Rows in list order (file order within a list); list i's rows end at `rowEnd[i]`. */
  readonly rowEnd: Int32Array;
  /** Per row, `rowIntStride` numbers in `rowInt` order. */
  readonly rowInts: Int32Array;
  /** Per row, effective from and effective to (epoch ms); NaN for an open end. */
  readonly rowInstants: Float64Array;
  /** Distinct destinations one after the other; destination i ends at `destinationEnd[i]`. */
  readonly destinationText: string;
  readonly destinationEnd: Int32Array;
  /** Distinct rates and connect fees, in micros. */
  readonly amountsMicros: BigInt64Array;
  /** Time bands the rows name, by id (the band set itself travels on its own: it is small). */
  readonly bandNames: readonly string[];
  readonly index: PrefixIndexImage;
}

/** The prefix index's tables (`prefix-index.ts`) without the references its cells hold. */
export interface PrefixIndexImage {
  readonly stemDigits: number;
  readonly suffixDigits: number;
  readonly longestPrefix: number;
  readonly keys: Int32Array;
  readonly schemes: Int32Array;
  readonly bucketStart: Int32Array;
  readonly shortBest: Int32Array;
  readonly parentOfList: Int32Array;
  readonly windows: Float64Array;
  /** Per record, in record order, `recordNumberStride` numbers: list, plan, rate and fee lows. */
  readonly recordNumbers: Int32Array;
  /** Records of the prefixes no bucket key holds: as short as a stem, or beyond the keys. */
  readonly shortRecords: Int32Array;
  readonly longRecords: Int32Array;
}

/** Positions in a row's `rowInts`; a band id of -1 means "always", as `timeBand: null`. */
export const rowInt = {
  line: 0,
  destination: 1,
  rate: 2,
  connectFee: 3,
  rateUnitS: 4,
  initialIncrementS: 5,
  incrementS: 6,
  fromS: 7,
  includedS: 8,
  timeBand: 9,
  weight: 10,
} as const;
export const rowIntStride = 11;
export const recordNumberStride = 4;

/** Parses a deck CSV (all or nothing, as `parseRateDeckCsv`) straight into its image. */
export function parseRateDeckImage(
  text: string,
  options: RateDeckImportOptions,
): Result<RateDeckImage, DeckImportCode> {
  const parsed = parseRateDeckCsv(text, options);
  if (!parsed.ok) return parsed;
  return success(rateDeckImageOf(parsed.value));
}

/** The image of a parsed deck, with its prefix index built. */
export function rateDeckImageOf(deck: RateDeck): RateDeckImage {
  const shape = defaultShape(deck.rowsByPrefix.size, deck.prefixLengthMax);
  const tables = buildPrefixIndexTables(deck.rowsByPrefix, shape);
  const rows = packRows(tables, deck.rowCount);
  assert(rows.rowEnd[tables.listCount - 1] === deck.rowCount, 'every row is in one list');
  return { settings: deck.settings, rowCount: deck.rowCount,
    prefixLengthMax: deck.prefixLengthMax, listCount: tables.listCount, ...rows,
    index: indexImageOf(tables) };
}

/** Every buffer of an image, to transfer it to another thread instead of copying it. */
export function rateDeckImageBuffers(image: RateDeckImage): ArrayBuffer[] {
  const { index } = image;
  const arrays = [image.prefixEnd, image.rowEnd, image.rowInts, image.rowInstants,
    image.destinationEnd, image.amountsMicros, index.keys, index.schemes, index.bucketStart,
    index.shortBest, index.parentOfList, index.windows, index.recordNumbers,
    index.shortRecords, index.longRecords];
  for (const array of arrays) {
    // A view into a larger buffer would move (and detach) bytes that are not the image's.
    assert(array.byteOffset === 0 && array.byteLength === array.buffer.byteLength,
      'an image array owns its buffer');
  }
  return arrays.map((array) => array.buffer as ArrayBuffer);
}

type PackedRows = Pick<RateDeckImage, 'prefixText' | 'prefixEnd' | 'rowEnd' | 'rowInts' |
  'rowInstants' | 'destinationText' | 'destinationEnd' | 'amountsMicros' | 'bandNames'>;

/** Rows in list order as numbers; repeated strings and amounts are stored once each. */
function packRows(tables: PrefixIndexTables, rowCount: number): PackedRows {
  const prefixes: string[] = [];
  const prefixEnd = new Int32Array(tables.listCount);
  const rowEnd = new Int32Array(tables.listCount);
  const rowInts = new Int32Array(rowCount * rowIntStride);
  const rowInstants = new Float64Array(rowCount * 2);
  const ids = { destinations: new Map<string, number>(), amounts: new Map<bigint, number>(),
    bands: new Map<string, number>() };
  let prefixChars = 0;
  let row = 0;
  for (let list = 0; list < tables.listCount; list += 1) {
    const rows = tables.rowsOf(list);
    prefixes.push(rows[0]!.prefix);
    prefixChars += rows[0]!.prefix.length;
    prefixEnd[list] = prefixChars;
    for (const rateRow of rows) {
      assert(row < rowCount, 'rows are bounded by the deck\'s row count');
      packRow(rateRow, rowInts, row * rowIntStride, ids);
      rowInstants[row * 2] = rateRow.effectiveFromMs ?? Number.NaN;
      rowInstants[row * 2 + 1] = rateRow.effectiveToMs ?? Number.NaN;
      row += 1;
    }
    rowEnd[list] = row;
  }
  const destinations = [...ids.destinations.keys()];
  const destinationEnd = new Int32Array(destinations.length);
  let destinationChars = 0;
  destinations.forEach((destination, id) => {
    destinationChars += destination.length;
    destinationEnd[id] = destinationChars;
  });
  return { prefixText: prefixes.join(''), prefixEnd, rowEnd, rowInts, rowInstants,
    destinationText: destinations.join(''), destinationEnd,
    amountsMicros: BigInt64Array.from(ids.amounts.keys()), bandNames: [...ids.bands.keys()] };
}

interface PackIds {
  readonly destinations: Map<string, number>;
  readonly amounts: Map<bigint, number>;
  readonly bands: Map<string, number>;
}

function packRow(row: RateRow, into: Int32Array, at: number, ids: PackIds): void {
  into[at + rowInt.line] = row.line;
  into[at + rowInt.destination] = idOf(ids.destinations, row.destination);
  into[at + rowInt.rate] = idOf(ids.amounts, row.rateMicros);
  into[at + rowInt.connectFee] = idOf(ids.amounts, row.connectFeeMicros);
  into[at + rowInt.rateUnitS] = row.rateUnitS;
  into[at + rowInt.initialIncrementS] = row.initialIncrementS;
  into[at + rowInt.incrementS] = row.incrementS;
  into[at + rowInt.fromS] = row.fromS;
  into[at + rowInt.includedS] = row.includedS;
  into[at + rowInt.timeBand] = row.timeBand === null ? -1 : idOf(ids.bands, row.timeBand);
  into[at + rowInt.weight] = row.weight;
  // Every number above is a bounded integer (`rateDeckLimits`), so an Int32Array holds it.
  assert(Number.isSafeInteger(row.line) && row.line < 2 ** 31, 'a line fits 32 bits');
}

/** The id of `value` in `ids`, given the next id when it is new. */
function idOf<T>(ids: Map<T, number>, value: T): number {
  const known = ids.get(value);
  if (known !== undefined) return known;
  ids.set(value, ids.size);
  return ids.size - 1;
}

function indexImageOf(tables: PrefixIndexTables): PrefixIndexImage {
  const { cells } = tables;
  const recordNumbers = new Int32Array(tables.listCount * recordNumberStride);
  for (let record = 0; record < tables.listCount; record += 1) {
    const at = record * recordStride;
    const into = record * recordNumberStride;
    recordNumbers[into] = cells[at + recordField.list] as number;
    recordNumbers[into + 1] = cells[at + recordField.plan] as number;
    recordNumbers[into + 2] = cells[at + recordField.rateMicrosLow] as number;
    recordNumbers[into + 3] = cells[at + recordField.connectFeeMicrosLow] as number;
  }
  return { stemDigits: tables.stemDigits, suffixDigits: tables.suffixDigits,
    longestPrefix: tables.longestPrefix, keys: tables.keys, schemes: tables.schemes,
    bucketStart: tables.bucketStart, shortBest: tables.shortBest,
    parentOfList: tables.parentOfList, windows: tables.windows, recordNumbers,
    shortRecords: Int32Array.from(tables.shortByPrefix.values()),
    longRecords: Int32Array.from(tables.longByPrefix.values()) };
}
