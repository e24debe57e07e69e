import { assert } from '../kernel/assert.ts';
import type { RateDeck, RateRow } from './rate-deck.ts';
import {
  highUnit,
  noRecord,
  RecordSchemes,
  schemeStride,
  recordField,
  recordStride,
  split,
  writeRecord,
  type Cell,
} from './prefix-record.ts';

/**
 * The longest-prefix index of a deck, built on first use and kept (`prefixIndexOf`).
 *
 * Why this shape. On a large deck a lookup is bound by memory latency: on the 2-core bench VM a
 * read from RAM costs about 150 ns, more than the rest of rating a call, while tables of a few
 * MB answer in about 20 ns. A digit trie fetches a line for most digits below its hot top
 * levels, then the prefix's row data from elsewhere. Here the search runs in two small tables
 * and only the record that rates the call is a read from the large part:
 * - The first `stemDigits` digits of the number (its stem) index `bucketStart` directly (400
 *   KB for 10^5 stems).
 * - The stem's bucket holds the deck's prefixes longer than the stem (up to `suffixDigits`
 *   digits more) as sorted keys in `keys`, each an interval of the digits that follow, 4 bytes
 *   each when they fit (2 MB for 500,000 prefixes): a binary search finds the innermost one
 *   containing the number (parent links cover the rare case where the last interval starting
 *   before the number ends before it).
 * - The prefixes' records (`prefix-record.ts`) are in `cells`, in the order of their keys, so a
 *   key's ordinal gives its record.
 * - Prefixes no longer than the stem are found through `shortBest` (the innermost such prefix
 *   of each stem); longer than `stemDigits + suffixDigits` (beyond E.164, rare) through a map.
 * Each prefix knows its parent's record (`parentOfList`), so the shorter matches (an expired
 * `447` row falls back to `44`, rating.md) are one step each.
 */
export interface PrefixIndex {
  /** The record (offset in `cells`) of the longest deck prefix of `number`, or -1. */
  find(number: string): number;
  /** The record of the next shorter deck prefix that matches wherever `at` matches, or -1. */
  parentOf(at: number): number;
  /** Rows of the prefix whose record is at `at`, in file order. */
  rowsAt(at: number): readonly RateRow[];
  /**
   * Whether the dated plain row of the record at `at` (`isDated`, `prefix-record.ts`) is in
   * force at `atMs`: from inclusive, to exclusive, as `isInForce` (call-plan.ts).
   */
  datedInForce(at: number, atMs: number): boolean;
  /** The prefixes' records (`prefix-record.ts`). */
  readonly cells: readonly Cell[];
  /** The records' schemes (`RecordSchemes`, `prefix-record.ts`). */
  readonly schemes: Int32Array;
  readonly listCount: number;
  readonly stemDigits: number;
}

/** How the index splits numbers: fixed per deck size by default, chosen by tests. */
export interface PrefixIndexShape {
  /** Digits indexing the stem table directly: 10^stemDigits entries. */
  readonly stemDigits: number;
  /** Digits after the stem held by bucket keys (base 11, exact below 2^53: at most 13). */
  readonly suffixDigits: number;
}

export const prefixIndexLimits = {
  stemDigitsMax: 6,
  /** 11^13 * 16 < 2^53: a key stays an exact double. */
  suffixDigitsMax: 13,
  /** The longest prefix (`rateDeckLimits.prefixDigitsMax`) bounds every parent walk. */
  matchesMax: 64,
} as const;

const indexes = new WeakMap<RateDeck, PrefixIndex>();

/**
 * The deck's index, built on first use and kept: about 2 s for 500,000 prefixes on a busy 2-core
 * machine (`npm run bench -- rating` reports `indexBuildMs`).
 */
export function prefixIndexOf(deck: RateDeck): PrefixIndex {
  // Live traffic rates against one deck after another of the same few: remembering the last
  // one saves the WeakMap probe on most lookups.
  if (deck === lastDeck && lastIndex !== null) return lastIndex;
  let index = indexes.get(deck);
  if (index === undefined) {
    index = buildPrefixIndex(deck.rowsByPrefix,
      defaultShape(deck.rowsByPrefix.size, deck.prefixLengthMax));
    indexes.set(deck, index);
  }
  lastDeck = deck;
  lastIndex = index;
  return index;
}

let lastDeck: RateDeck | null = null;
let lastIndex: PrefixIndex | null = null;

/**
 * About one stem per prefix (at most ten table entries per prefix), and a table small enough for
 * the caches (10 entries for up to 10 prefixes), up to 10^5 stems (400 KB, a core's L2 cache):
 * beyond that, more keys per bucket cost less than a stem table that no longer stays in cache
 * (on the 500,000-prefix bench deck, 10^5 stems rate about 10% faster than 10^6, whose 4 MB
 * table competes with the records for the caches). Keys reach the longest prefix when they can,
 * and are no longer than that needs.
 */
export function defaultShape(prefixCount: number, longestPrefix: number): PrefixIndexShape {
  let stemDigits = 1;
  while (stemDigits < defaultStemDigitsMax && 10 ** stemDigits < prefixCount) {
    stemDigits += 1;
  }
  const suffixDigits = Math.min(prefixIndexLimits.suffixDigitsMax,
    Math.max(1, longestPrefix - stemDigits));
  return { stemDigits, suffixDigits };
}

const defaultStemDigitsMax = 5;

export function buildPrefixIndex(
  rowsByPrefix: ReadonlyMap<string, readonly RateRow[]>,
  shape: PrefixIndexShape,
): PrefixIndex {
  return prefixIndexOver(buildPrefixIndexTables(rowsByPrefix, shape));
}

/**
 * The index of a deck whose tables were built elsewhere (a deck image assembled after a worker
 * thread built them, `deck-assembly.ts`): later `prefixIndexOf(deck)` calls answer it.
 */
export function adoptPrefixIndex(deck: RateDeck, index: PrefixIndex): void {
  assert(index.listCount === deck.rowsByPrefix.size, 'the index is the deck\'s');
  indexes.set(deck, index);
}

/** The tables `buildPrefixIndex` searches, before they are wrapped in lookups. */
export function buildPrefixIndexTables(
  rowsByPrefix: ReadonlyMap<string, readonly RateRow[]>,
  shape: PrefixIndexShape,
): PrefixIndexTables {
  const { stemDigits, suffixDigits } = shape;
  assert(stemDigits >= 1 && stemDigits <= prefixIndexLimits.stemDigitsMax, 'stem digits bound');
  assert(suffixDigits >= 1 && suffixDigits <= prefixIndexLimits.suffixDigitsMax, 'suffix bound');
  // Sorted, every prefix comes after its own prefixes and the prefixes of one stem are together:
  // list ids follow this order.
  const prefixes = [...rowsByPrefix.keys()].sort();
  const listCount = prefixes.length;
  const deepMax = stemDigits + suffixDigits;
  const stemCount = 10 ** stemDigits;
  const isDeep = (prefix: string) => prefix.length > stemDigits && prefix.length <= deepMax;
  const stemOf = (prefix: string) => Number(prefix.slice(0, stemDigits));
  const keyCells = keyCellsOf(suffixDigits);
  const rowLists = prefixes.map((prefix) => rowsByPrefix.get(prefix)!);

  // Layout: the deep prefixes' keys (`keyCells` each) in `keys`, bucket by bucket in stem order;
  // their records in the same order at the start of `cells`, then the records of the other
  // prefixes. The cells are made at their final size, packed (every cell a number first), and
  // written in place.
  let deepCount = 0;
  for (const prefix of prefixes) if (isDeep(prefix)) deepCount += 1;
  const cellCount = listCount * recordStride;
  const cells: Cell[] = Array.from({ length: cellCount }, () => 0);
  const keys = new Int32Array(deepCount * keyCells);
  const bucketStart = new Int32Array(stemCount + 1);
  const schemes = new RecordSchemes();
  const recordOfList = new Int32Array(listCount);
  let deepPlaced = 0;
  let nextStem = 0;
  for (let list = 0; list < listCount; list += 1) {
    const prefix = prefixes[list]!;
    if (!isDeep(prefix)) continue;
    // Sorted, the stems of deep prefixes never decrease; long prefixes may sit between them.
    const stem = stemOf(prefix);
    for (; nextStem <= stem; nextStem += 1) bucketStart[nextStem] = deepPlaced;
    const key = keyOf(prefix, stemDigits, suffixDigits);
    if (keyCells === 1) {
      keys[deepPlaced] = key;
    } else {
      const [high, low] = split(key);
      keys[deepPlaced * 2] = high;
      keys[deepPlaced * 2 + 1] = low;
    }
    recordOfList[list] = deepPlaced * recordStride;
    writeRecord(cells, deepPlaced * recordStride, list, rowLists[list]!, schemes);
    deepPlaced += 1;
  }
  for (; nextStem <= stemCount; nextStem += 1) bucketStart[nextStem] = deepPlaced;

  const shortByPrefix = new Map<string, number>();
  const longByPrefix = new Map<string, number>();
  let written = deepCount * recordStride;
  for (let list = 0; list < listCount; list += 1) {
    const prefix = prefixes[list]!;
    if (isDeep(prefix)) continue;
    recordOfList[list] = written;
    (prefix.length <= stemDigits ? shortByPrefix : longByPrefix).set(prefix, written);
    writeRecord(cells, written, list, rowLists[list]!, schemes);
    written += recordStride;
  }
  assert(written === cellCount, 'every prefix has one record');
  const parentOfList = parentsOf(prefixes, recordOfList);
  const shortBest = innermostShortOfStems(prefixes, stemDigits, recordOfList);
  return { cells, keys, schemes: schemes.fields.slice(0, schemes.count * schemeStride),
    bucketStart, shortBest, shortByPrefix, longByPrefix, listCount,
    rowsOf: (list) => rowLists[list]!, parentOfList, windows: effectiveWindows(rowLists),
    stemDigits, suffixDigits, longestPrefix: longestOf(prefixes) };
}

export interface PrefixIndexTables {
  readonly cells: readonly Cell[];
  /** The deep prefixes' keys, `keyCells` numbers each, in the order of their records. */
  readonly keys: Int32Array;
  readonly schemes: Int32Array;
  /** Per stem, the ordinal of its bucket's first key; a bucket ends where the next one starts. */
  readonly bucketStart: Int32Array;
  readonly shortBest: Int32Array;
  readonly shortByPrefix: ReadonlyMap<string, number>;
  readonly longByPrefix: ReadonlyMap<string, number>;
  /** Lists are the deck's prefixes in sorted order; their rows in file order. */
  readonly listCount: number;
  readonly rowsOf: (list: number) => readonly RateRow[];
  /** Per list, its parent's record (or `noRecord`). */
  readonly parentOfList: Int32Array;
  /** Per list, the first row's effective window `[from, to)`; empty when no row is dated. */
  readonly windows: Float64Array;
  readonly stemDigits: number;
  readonly suffixDigits: number;
  readonly longestPrefix: number;
}

/** The searches over built tables. */
export function prefixIndexOver(tables: PrefixIndexTables): PrefixIndex {
  const { cells, keys, bucketStart, shortBest, rowsOf, parentOfList, windows } = tables;
  const { stemDigits, suffixDigits } = tables;
  const keyShape = { stemDigits, suffixDigits, keyCells: keyCellsOf(suffixDigits) };
  const deepMax = stemDigits + suffixDigits;
  const hasLong = tables.longByPrefix.size > 0;
  return {
    find(number) {
      const length = number.length;
      let stem = 0;
      let position = 0;
      for (; position < stemDigits && position < length; position += 1) {
        const digit = number.charCodeAt(position) - 48;
        // One unsigned comparison rejects both sides of '0'..'9'.
        if (digit >>> 0 > 9) break;
        stem = stem * 10 + digit;
      }
      if (position < stemDigits) return findShort(tables.shortByPrefix, number, position);
      if (hasLong && length > deepMax) {
        const at = findLong(tables.longByPrefix, number, Math.min(length, tables.longestPrefix),
          deepMax);
        if (at !== noRecord) return at;
      }
      const from = bucketStart[stem]!;
      const to = bucketStart[stem + 1]!;
      if (to > from) {
        const at = findInBucket(keys, cells, parentOfList, from, to,
          pointOf(number, stemDigits, suffixDigits), keyShape);
        if (at !== noRecord) return at;
      }
      return shortBest[stem]!;
    },
    parentOf(at) {
      return parentOfList[cells[at + recordField.list] as number]!;
    },
    rowsAt(at) {
      return rowsOf(cells[at + recordField.list] as number);
    },
    datedInForce(at, atMs) {
      const list = cells[at + recordField.list] as number;
      return atMs >= windows[list * 2]! && atMs < windows[list * 2 + 1]!;
    },
    cells,
    schemes: tables.schemes,
    listCount: tables.listCount,
    stemDigits,
  };
}

/**
 * The innermost key of the bucket `[from, to)` (key ordinals) whose interval holds `point`, as
 * its record offset. Keys are sorted; the last one starting at or before the point is the
 * candidate, and every interval that holds the point is it or one of its ancestors (intervals
 * nest or are apart).
 */
function findInBucket(
  keys: Int32Array,
  cells: readonly Cell[],
  parentOfList: Int32Array,
  from: number,
  to: number,
  point: number,
  shape: PrefixIndexShape & { readonly keyCells: number },
): number {
  const { keyCells, suffixDigits } = shape;
  // Keys are `start * 16 + digits`: every key starting at or before the point is at most this.
  const bound = point * keyScale + (keyScale - 1);
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyAt(keys, middle, keyCells) <= bound) low = middle + 1;
    else high = middle;
  }
  let slot = low - 1;
  for (let step = 0; slot >= from; step += 1) {
    assert(step <= suffixDigits, 'a parent walk is bounded by the suffix digits');
    const key = keyAt(keys, slot, keyCells);
    const start = Math.floor(key / keyScale);
    const digits = key - start * keyScale;
    const at = slot * recordStride;
    if (point < start + powersOf11[suffixDigits - digits]!) return at;
    const parentAt = parentOfList[cells[at + recordField.list] as number]!;
    // A parent outside this bucket is not deep: the caller's `shortBest` covers it.
    slot = parentAt >= from * recordStride && parentAt < to * recordStride
      ? parentAt / recordStride
      : -1;
  }
  return noRecord;
}

/**
 * The digits after the stem as one base-11 number of `suffixDigits` places: digit d counts as
 * d + 1, and a number that ends (or meets a non-digit) fills the remaining places with 0, below
 * every digit. A prefix whose suffix has m digits is then the interval of points starting with
 * them: `[key digits * 11^(s - m), (key digits + 1) * 11^(s - m))`, which also holds the number
 * that ends right after it.
 */
function pointOf(number: string, stemDigits: number, suffixDigits: number): number {
  const end = Math.min(number.length, stemDigits + suffixDigits);
  let point = 0;
  let position = stemDigits;
  for (; position < end; position += 1) {
    const digit = number.charCodeAt(position) - 48;
    if (digit >>> 0 > 9) break;
    point = point * 11 + digit + 1;
  }
  return point * powersOf11[stemDigits + suffixDigits - position]!;
}

function keyOf(prefix: string, stemDigits: number, suffixDigits: number): number {
  const start = pointOf(prefix, stemDigits, suffixDigits);
  return start * keyScale + (prefix.length - stemDigits);
}

/** A key packs the digit count (1..13) below the interval start. */
const keyScale = 16;

/**
 * A key is one int32 when every key of the shape stays below 2^30, so that the keys take half
 * the bytes (a bucket's keys usually share one cache line); else two, `high * 2^30 + low`.
 */
function keyCellsOf(suffixDigits: number): number {
  return 11 ** suffixDigits * keyScale <= highUnit ? 1 : 2;
}

/** The key of ordinal `slot`. */
function keyAt(keys: Int32Array, slot: number, keyCells: number): number {
  return keyCells === 1 ? keys[slot]! : keys[slot * 2]! * highUnit + keys[slot * 2 + 1]!;
}
const powersOf11 = Array.from({ length: prefixIndexLimits.suffixDigitsMax + 1 },
  (_, power) => 11 ** power);

/** A number with fewer digits than a stem: only prefixes that short can match it. */
function findShort(shortByPrefix: ReadonlyMap<string, number>, number: string, digits: number) {
  for (let length = digits; length >= 1; length -= 1) {
    const at = shortByPrefix.get(number.slice(0, length));
    if (at !== undefined) return at;
  }
  return noRecord;
}

/** Prefixes longer than a bucket key holds, longest first (a slice with a non-digit is absent). */
function findLong(longByPrefix: ReadonlyMap<string, number>, number: string, longest: number,
  deepMax: number): number {
  for (let length = longest; length > deepMax; length -= 1) {
    const at = longByPrefix.get(number.slice(0, length));
    if (at !== undefined) return at;
  }
  return noRecord;
}

/** Each list's parent: the nearest earlier prefix in sorted order that is a prefix of it. */
function parentsOf(prefixes: readonly string[], recordOfList: Int32Array): Int32Array {
  const parentOfList = new Int32Array(prefixes.length).fill(noRecord);
  const open: number[] = []; // lists whose prefix is a prefix of the current one, outermost first
  for (let list = 0; list < prefixes.length; list += 1) {
    const prefix = prefixes[list]!;
    while (open.length > 0 && !prefix.startsWith(prefixes[open[open.length - 1]!]!)) open.pop();
    assert(open.length < prefixIndexLimits.matchesMax, 'nesting is bounded by prefix digits');
    const parent = open[open.length - 1];
    if (parent !== undefined) parentOfList[list] = recordOfList[parent]!;
    open.push(list);
  }
  return parentOfList;
}

/** The first rows' effective windows, open ends as -/+Infinity (none kept when none is dated). */
function effectiveWindows(rowLists: readonly (readonly RateRow[])[]): Float64Array {
  const dated = rowLists.some((rows) =>
    rows[0]!.effectiveFromMs !== null || rows[0]!.effectiveToMs !== null);
  if (!dated) return new Float64Array(0);
  const windows = new Float64Array(rowLists.length * 2);
  for (let list = 0; list < rowLists.length; list += 1) {
    windows[list * 2] = rowLists[list]![0]!.effectiveFromMs ?? -Infinity;
    windows[list * 2 + 1] = rowLists[list]![0]!.effectiveToMs ?? Infinity;
  }
  return windows;
}

/**
 * For every stem, the record of its longest deck prefix of at most `stemDigits` digits. In
 * sorted order a prefix comes after its own prefixes, so filling each one's range of stems
 * leaves the innermost in place.
 */
function innermostShortOfStems(
  prefixes: readonly string[],
  stemDigits: number,
  recordOfList: Int32Array,
): Int32Array {
  const shortBest = new Int32Array(10 ** stemDigits).fill(noRecord);
  for (let list = 0; list < prefixes.length; list += 1) {
    const prefix = prefixes[list]!;
    if (prefix.length > stemDigits) continue;
    const width = 10 ** (stemDigits - prefix.length);
    const first = Number(prefix) * width;
    shortBest.fill(recordOfList[list]!, first, first + width);
  }
  return shortBest;
}

function longestOf(prefixes: readonly string[]): number {
  let longest = 0;
  for (const prefix of prefixes) longest = Math.max(longest, prefix.length);
  return longest;
}
