import { assert } from '../kernel/assert.ts';
import type { RateRow } from './rate-deck.ts';

/**
 * `rowsByPrefix` of an assembled deck (`deck-assembly.ts`): every row in one flat array, in
 * sorted prefix order, with where each prefix's rows end. A Map of a million prefixes to
 * one-row arrays costs about 120 bytes a prefix beside the rows themselves (the arrays and the
 * hash table); this costs 12. Lookups by prefix are a binary search: they happen when an index
 * is built or routes are merged, never per rated call (rating reads the prefix index).
 */
export class SortedRowLists implements ReadonlyMap<string, readonly RateRow[]> {
  readonly #rows: readonly RateRow[];
  readonly #rowEnd: Int32Array;

  constructor(rows: readonly RateRow[], rowEnd: Int32Array) {
    assert(rowEnd.length === 0 || rowEnd[rowEnd.length - 1] === rows.length,
      'the lists cover every row');
    this.#rows = rows;
    this.#rowEnd = rowEnd;
  }

  get size(): number {
    return this.#rowEnd.length;
  }

  /** The rows of list `list` (a fresh array: callers may keep it). */
  rowsOf(list: number): readonly RateRow[] {
    const start = list === 0 ? 0 : this.#rowEnd[list - 1]!;
    return this.#rows.slice(start, this.#rowEnd[list]!);
  }

  prefixOf(list: number): string {
    return this.#rows[list === 0 ? 0 : this.#rowEnd[list - 1]!]!.prefix;
  }

  get(prefix: string): readonly RateRow[] | undefined {
    const list = this.#listOf(prefix);
    return list < 0 ? undefined : this.rowsOf(list);
  }

  has(prefix: string): boolean {
    return this.#listOf(prefix) >= 0;
  }

  forEach(
    callback: (rows: readonly RateRow[], prefix: string,
      map: ReadonlyMap<string, readonly RateRow[]>) => void,
    thisArg?: unknown,
  ): void {
    for (let list = 0; list < this.size; list += 1) {
      callback.call(thisArg, this.rowsOf(list), this.prefixOf(list), this);
    }
  }

  *entries(): MapIterator<[string, readonly RateRow[]]> {
    for (let list = 0; list < this.size; list += 1) {
      yield [this.prefixOf(list), this.rowsOf(list)];
    }
  }

  *keys(): MapIterator<string> {
    for (let list = 0; list < this.size; list += 1) yield this.prefixOf(list);
  }

  *values(): MapIterator<readonly RateRow[]> {
    for (let list = 0; list < this.size; list += 1) yield this.rowsOf(list);
  }

  [Symbol.iterator](): MapIterator<[string, readonly RateRow[]]> {
    return this.entries();
  }

  /** Binary search in sorted (code unit) order, as `Array.prototype.sort` sorted them. */
  #listOf(prefix: string): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.prefixOf(middle) < prefix) low = middle + 1;
      else high = middle;
    }
    return low < this.size && this.prefixOf(low) === prefix ? low : -1;
  }
}
