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
  /**
   * Finds the deck's prefixes of `number` and returns how many there are. Read them, longest
   * first, with `matchAt(0 .. count - 1)` before the next call: the matches live in a buffer
   * reused by every lookup, so a lookup allocates nothing.
   */
  collect(number: string): number;
  matchAt(index: number): readonly RateRow[];
  readonly nodeCount: number;
}

const digits = 10;
const nodesInitial = 1 << 12;
/** Cells hold `node << 1` in an Int32Array: node indexes stay below 2^30. */
const nodesMax = 1 << 30;

const indexes = new WeakMap<RateDeck, PrefixIndex>();

/** The deck's index, built on first use (about a second for 500,000 prefixes) and kept. */
export function prefixIndexOf(deck: RateDeck): PrefixIndex {
  // Live traffic rates against one deck after another of the same few: remembering the last
  // one saves the WeakMap probe on most lookups.
  if (deck === lastDeck && lastIndex !== null) return lastIndex;
  let index = indexes.get(deck);
  if (index === undefined) {
    index = buildPrefixIndex(deck.rowsByPrefix);
    indexes.set(deck, index);
  }
  lastDeck = deck;
  lastIndex = index;
  return index;
}

let lastDeck: RateDeck | null = null;
let lastIndex: PrefixIndex | null = null;

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
  return compactIndex(cells, rowsOfNode, nodeCount, rowLists);
}

/**
 * The lookup form of the trie: per node 8 bytes (a child mask with the "is a prefix" bit, and
 * the index of its first child) instead of 40, with each node's children stored together and
 * the child blocks laid out depth-first. A lookup touches one small record per digit, and the
 * whole index is five times smaller, so far more of it stays in the processor's caches: the
 * walk is bound by memory latency, not by arithmetic.
 */
function compactIndex(
  cells: Int32Array,
  rowsOfNode: Int32Array,
  nodeCount: number,
  rowLists: readonly (readonly RateRow[])[],
): PrefixIndex {
  const meta = new Int32Array(nodeCount);
  const firstChild = new Int32Array(nodeCount);
  const rowsAt = new Int32Array(nodeCount);
  const newIdOf = new Int32Array(nodeCount);
  const stack = new Int32Array(nodeCount);
  let stackSize = 1; // the root, old id 0, keeps new id 0
  let nextId = 1;
  for (let visited = 0; stackSize > 0; visited += 1) {
    assert(visited < nodeCount, 'the compaction visits every node once');
    stackSize -= 1;
    const old = stack[stackSize]!;
    const id = newIdOf[old]!;
    let mask = 0;
    const blockStart = nextId;
    for (let digit = 0; digit < digits; digit += 1) {
      const child = cells[old * digits + digit]! >>> 1;
      if (child === 0) continue;
      mask |= 1 << digit;
      newIdOf[child] = nextId;
      nextId += 1;
    }
    meta[id] = mask | (rowsOfNode[old]! >= 0 ? prefixBit : 0);
    firstChild[id] = blockStart;
    rowsAt[id] = rowsOfNode[old]!;
    // Push the children highest digit first, so the lowest is laid out (and visited) next.
    for (let digit = digits - 1; digit >= 0; digit -= 1) {
      const child = cells[old * digits + digit]! >>> 1;
      if (child === 0) continue;
      stack[stackSize] = child;
      stackSize += 1;
    }
  }
  assert(nextId === nodeCount, 'every node got a place in the compact index');
  let count = 0;
  return {
    collect(number) {
      count = 0;
      let node = 0;
      const length = Math.min(number.length, matchesMax);
      for (let position = 0; position < length; position += 1) {
        const digit = number.charCodeAt(position) - 48;
        if (digit < 0 || digit > 9) break;
        const bits = meta[node]!;
        if (((bits >>> digit) & 1) === 0) break;
        node = firstChild[node]! + bitsBelow[bits & ((1 << digit) - 1)]!;
        if ((meta[node]! & prefixBit) !== 0) {
          matchNodes[count] = node;
          count += 1;
        }
      }
      return count;
    },
    matchAt(index) {
      assert(index >= 0 && index < count, 'a match is read within the last lookup');
      return rowLists[rowsAt[matchNodes[count - 1 - index]!]!]!;
    },
    nodeCount,
  };
}

/** Bit 10 of a node's record: the path to the node is one of the deck's prefixes. */
const prefixBit = 1 << 10;

/** How many of the 10 child bits are set below a digit: the child's place in its block. */
const bitsBelow = (() => {
  const table = new Uint8Array(1 << digits);
  for (let mask = 1; mask < table.length; mask += 1) {
    table[mask] = (mask & 1) + table[mask >>> 1]!;
  }
  return table;
})();

/** A number has at most this many prefixes in a deck: one per digit, up to the longest. */
const matchesMax = 64;
/** Shared by every index: lookups are synchronous, so one buffer serves them all. */
const matchNodes = new Int32Array(matchesMax);

function grow(array: Int32Array<ArrayBuffer>, length: number, fill: number) {
  const grown = new Int32Array(length);
  if (fill !== 0) grown.fill(fill, array.length);
  grown.set(array);
  return grown;
}
