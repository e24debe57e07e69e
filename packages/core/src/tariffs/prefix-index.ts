import { assert } from '../kernel/assert.ts';
import type { RateDeck, RateRow } from './rate-deck.ts';
import { buildRowColumns, type RowColumns } from './row-columns.ts';

/**
 * A digit trie over a deck's prefixes, for longest-prefix lookups without building substrings.
 * A Map keyed by strings costs a substring, a hash and a probe per tried length (12 or more per
 * number); the trie walks one typed-array record per digit (`compactIndex`), and the rows are
 * fetched once, for the prefix the caller picks. Each prefix's list of rows has an id, and the
 * lists' numbers are also kept as flat columns for rating (`row-columns.ts`).
 */
export interface PrefixIndex {
  /**
   * Finds the deck's prefixes of `number` and returns how many there are. Read them, longest
   * first, with `matchAt(0 .. count - 1)` before the next call: the matches live in a buffer
   * reused by every lookup, so a lookup allocates nothing.
   */
  collect(number: string): number;
  matchAt(index: number): readonly RateRow[];
  /** The id of match `index` of the last lookup: rows with `rowsOfList`, numbers in `columns`. */
  listAt(index: number): number;
  rowsOfList(list: number): readonly RateRow[];
  readonly nodeCount: number;
  /** Lists of rows, one per prefix; ids run from 0 to `listCount - 1` in prefix order. */
  readonly listCount: number;
  /** The lists' numbers as flat columns (`row-columns.ts`), for rating without the objects. */
  readonly columns: RowColumns;
}

const digits = 10;
const nodesInitial = 1 << 12;
/**
 * Build cells hold `node << 1` and lookup records sit at `node * 2` in Int32Arrays: node ids stay
 * below 2^28, far above any deck within `rateDeckLimits` yet addressable by both.
 */
const nodesMax = 1 << 28;

const indexes = new WeakMap<RateDeck, PrefixIndex>();

/**
 * The deck's index, built on first use and kept: seconds for 500,000 prefixes (5-14 s on a busy
 * 2-core machine; `npm run bench -- rating` reports `indexBuildMs`).
 */
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
 * The lookup form of the trie: one 8-byte record per node in a single Int32Array, `[bits,
 * firstChild]`, where `bits` holds the 10-bit child mask and, above it, `list + 1` for a node
 * that is one of the deck's prefixes (0 otherwise), and each node's children are stored
 * together. The walk reads one record per digit, and both halves of it share a cache line.
 *
 * Layout: the top `hotDepthMax` levels are laid out breadth-first at the front (for 500,000
 * prefixes they are the first ~40,000 records, ~300 KiB, which every lookup visits and which so
 * stay in the processor's caches), and each subtree below them depth-first, so the deep part of
 * one lookup's path (mostly single-child chains) sits in one or two cache lines. The walk is
 * bound by memory latency, not by arithmetic: this layout is what makes it fast.
 */
function compactIndex(
  cells: Int32Array,
  rowsOfNode: Int32Array,
  nodeCount: number,
  rowLists: readonly (readonly RateRow[])[],
): PrefixIndex {
  assert(nodeCount <= nodesMax, 'node records stay addressable');
  assert(rowLists.length < listsMax, 'list ids fit in a record above the child mask');
  const nodes = new Int32Array(nodeCount * 2);
  const newIdOf = new Int32Array(nodeCount);
  const pending = new Int32Array(nodeCount);
  let nextId = 1; // the root, old id 0, keeps new id 0
  // Lays out the children of `old` as one block and writes its record.
  const place = (old: number): void => {
    const blockStart = nextId;
    let mask = 0;
    for (let digit = 0; digit < digits; digit += 1) {
      const child = cells[old * digits + digit]! >>> 1;
      if (child === 0) continue;
      mask |= 1 << digit;
      newIdOf[child] = nextId;
      nextId += 1;
    }
    const id = newIdOf[old]!;
    nodes[id * 2] = mask | ((rowsOfNode[old]! + 1) << digits);
    nodes[id * 2 + 1] = blockStart;
  };
  // Breadth-first over the hot top levels: `pending` is the queue.
  let head = 0;
  let tail = 1;
  let levelEnd = 1;
  for (let depth = 0; depth < hotDepthMax && head < tail; ) {
    const old = pending[head]!;
    head += 1;
    place(old);
    // Queued lowest digit first, the order `place` gave them ids in, so the next level's
    // blocks follow this level's in the same order.
    for (let digit = 0; digit < digits; digit += 1) {
      const child = cells[old * digits + digit]! >>> 1;
      if (child === 0) continue;
      pending[tail] = child;
      tail += 1;
    }
    if (head === levelEnd) {
      depth += 1;
      levelEnd = tail;
    }
  }
  // Depth-first below: the rest of the queue becomes the stack, lowest id on top.
  const stack = new Int32Array(nodeCount);
  let stackSize = 0;
  for (let at = tail - 1; at >= head; at -= 1) {
    stack[stackSize] = pending[at]!;
    stackSize += 1;
  }
  for (let visited = 0; stackSize > 0; visited += 1) {
    assert(visited < nodeCount, 'the compaction visits every node once');
    stackSize -= 1;
    const old = stack[stackSize]!;
    place(old);
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
      let bits = nodes[0]!;
      const length = Math.min(number.length, matchesMax);
      for (let position = 0; position < length; position += 1) {
        const digit = number.charCodeAt(position) - 48;
        // One unsigned comparison rejects both sides of '0'..'9'.
        if (digit >>> 0 > 9 || ((bits >>> digit) & 1) === 0) break;
        node = nodes[node * 2 + 1]! + bitsBelow[bits & ((1 << digit) - 1)]!;
        bits = nodes[node * 2]!;
        const listPlusOne = bits >>> digits;
        if (listPlusOne !== 0) {
          matchLists[count] = listPlusOne - 1;
          count += 1;
        }
      }
      return count;
    },
    listAt(index) {
      assert(index >= 0 && index < count, 'a match is read within the last lookup');
      return matchLists[count - 1 - index]!;
    },
    matchAt(index) {
      assert(index >= 0 && index < count, 'a match is read within the last lookup');
      return rowLists[matchLists[count - 1 - index]!]!;
    },
    rowsOfList(list) {
      const rows = rowLists[list];
      assert(rows !== undefined, 'a list id comes from this index');
      return rows;
    },
    nodeCount,
    listCount: rowLists.length,
    columns: buildRowColumns(rowLists),
  };
}

/**
 * Levels laid out breadth-first. Every lookup passes through them; for 500,000 prefixes the
 * first five levels hold about 40,000 nodes, which fit in a core's L2 cache.
 */
const hotDepthMax = 5;

/** List ids sit above the 10 mask bits of a record, as `list + 1`, in a positive Int32. */
const listsMax = (1 << 21) - 1;

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
const matchLists = new Int32Array(matchesMax);

function grow(array: Int32Array<ArrayBuffer>, length: number, fill: number) {
  const grown = new Int32Array(length);
  if (fill !== 0) grown.fill(fill, array.length);
  grown.set(array);
  return grown;
}
