import { assert } from '../kernel/assert.ts';
import type { RateDeck, RateRow } from './rate-deck.ts';

/**
 * A digit trie over a deck's prefixes, for longest-prefix lookups without building substrings.
 * A Map keyed by strings costs a substring, a hash and a probe per tried length (12 or more per
 * number); the trie walks one typed-array cell per digit. Each cell holds
 * `(child << 1) | childIsPrefix`, so the walk reads only the cells on its path, and the rows
 * are fetched once, for the deepest prefix found.
 */
export interface PrefixIndex {
  /** Rows of each prefix along the number's path, longest first (at most one per length). */
  matches(number: string): readonly (readonly RateRow[])[];
  readonly nodeCount: number;
}

const digits = 10;
const nodesInitial = 1 << 12;
/** Cells hold `node << 1` in an Int32Array: node indexes stay below 2^30. */
const nodesMax = 1 << 30;

const indexes = new WeakMap<RateDeck, PrefixIndex>();

/** The deck's index, built on first use (about a second for 500,000 prefixes) and kept. */
export function prefixIndexOf(deck: RateDeck): PrefixIndex {
  let index = indexes.get(deck);
  if (index === undefined) {
    index = buildPrefixIndex(deck.rowsByPrefix);
    indexes.set(deck, index);
  }
  return index;
}

function buildPrefixIndex(rowsByPrefix: ReadonlyMap<string, readonly RateRow[]>): PrefixIndex {
  let capacity = nodesInitial;
  let cells = new Int32Array(capacity * digits);
  let rowsOfNode = new Int32Array(capacity).fill(-1);
  const rowLists: (readonly RateRow[])[] = [];
  let nodeCount = 1; // node 0 is the root (the empty prefix)
  // Inserting in sorted order lays every path out depth-first, so the deep nodes one lookup
  // visits sit next to each other in memory: fewer cache misses per walk.
  const prefixes = [...rowsByPrefix.keys()].sort();
  for (const prefix of prefixes) {
    const rows = rowsByPrefix.get(prefix)!;
    let node = 0;
    for (let position = 0; position < prefix.length; position += 1) {
      const digit = prefix.charCodeAt(position) - 48;
      assert(digit >= 0 && digit <= 9, 'prefixes are digits (checked at import)');
      const cell = node * digits + digit;
      let child = cells[cell]! >>> 1;
      if (child === 0) {
        if (nodeCount === capacity) {
          assert(capacity * 2 <= nodesMax, 'the prefix index stays within its node bound');
          capacity *= 2;
          cells = grow(cells, capacity * digits, 0);
          rowsOfNode = grow(rowsOfNode, capacity, -1);
        }
        child = nodeCount;
        nodeCount += 1;
        cells[cell] = child << 1;
      }
      if (position === prefix.length - 1) cells[cell] = (child << 1) | 1;
      node = child;
    }
    rowsOfNode[node] = rowLists.length;
    rowLists.push(rows);
  }
  return { matches: (number) => walk(cells, rowsOfNode, rowLists, number), nodeCount };
}

function walk(
  cells: Int32Array,
  rowsOfNode: Int32Array,
  rowLists: readonly (readonly RateRow[])[],
  number: string,
): readonly (readonly RateRow[])[] {
  const found: number[] = [];
  let node = 0;
  for (let position = 0; position < number.length; position += 1) {
    const digit = number.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9) break;
    const cell = cells[node * digits + digit]!;
    if (cell === 0) break;
    node = cell >>> 1;
    if ((cell & 1) === 1) found.push(node);
  }
  const matches: (readonly RateRow[])[] = [];
  for (let index = found.length - 1; index >= 0; index -= 1) {
    matches.push(rowLists[rowsOfNode[found[index]!]!]!);
  }
  return matches;
}

function grow(array: Int32Array<ArrayBuffer>, length: number, fill: number) {
  const grown = new Int32Array(length);
  if (fill !== 0) grown.fill(fill, array.length);
  grown.set(array);
  return grown;
}
