import { assert } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import { planCall } from '../rating/call-plan.ts';
import { rateDuration } from '../rating/rate-duration.ts';
import type { RateDeck, RateRow } from '../tariffs/rate-deck.ts';
import type { RankedNode } from './node-routes.ts';

/**
 * One digit trie over the prefixes of several decks (an operator's carriers and the deck it
 * sells with), so that a route decision walks the callee's digits once for all of them instead
 * of once per deck, and the full cost of the expected call on a prefix priced by one plain row
 * is computed once and then read. Plain: one row for the prefix, always in force, no tier, no
 * time band. Such a row prices a call the same way whenever it starts, so its cost for a given
 * duration never changes; anything else is rated the general way at each decision.
 */
export interface RouteIndex {
  readonly decks: readonly RateDeck[];
  readonly expectedS: number;
  /**
   * Looks `callee` up in every deck at once. Afterwards `matchOf(slot)` is the deck's longest
   * prefix of the callee (an id for `costOf`), or -1 when the deck has none.
   */
  lookup(callee: string): void;
  matchOf(slot: number): number;
  /** The plain prefix's cost for `expectedS` seconds, or null: rate it the general way. */
  plainCostOf(slot: number, match: number): Micros | null;
  /** The deck's prefix matched by the last lookup (a match was found for the slot). */
  prefixOf(slot: number): string;
  /**
   * Per deck slot, for the last lookup: the plain match and its cost, null (no prefix), or
   * 'general' (rate it the general way). Shared and cached: every callee whose deepest prefix
   * in any of the decks ends at the same trie node matches the same prefixes.
   */
  matchedCosts(): readonly MatchedCost[];
  /** The same costs in their per-node memo entry, which also carries routing's own memo. */
  matchedNode(): MatchedNode;
}

/**
 * The memo of one trie node (one destination): the matched costs, and what routing derives
 * from them once (`node-routes.ts`), kept here so a decision finds both with one lookup.
 */
export interface MatchedNode {
  readonly costs: readonly MatchedCost[];
  /** Set and read by routing only; null until a decision derives it. */
  ranked: RankedNode | null;
}

/**
 * A plain match's cost for the expected duration, in the deck's currency. Both amounts are the
 * same here; routing converts `costMicros` to the operator's currency when they differ and
 * keeps `carrierCostMicros` as the carrier's own figure.
 */
export interface PlainMatch {
  readonly prefix: string;
  readonly carrierCostMicros: Micros;
  readonly costMicros: Micros;
  readonly currency: CurrencyCode;
}

export type MatchedCost = PlainMatch | null | 'general';

/**
 * Trie nodes whose memo is kept (the nodes calls actually reach): about 1 KiB of matched costs
 * and, for 20 carriers, 2.5 KiB of routing's ranking each, so at most about 1 GiB per index.
 * When full it starts again: an entry is derived from the per-prefix costs in microseconds.
 */
const matchedCostNodesMax = 1 << 18;

/** Trie nodes at most: 2^26 nodes of 10 children (Int32) is 2.5 GiB, far past any real set. */
const nodesMax = 1 << 26;
const digits = 10;
/** Marks a prefix that is not plain (its cost depends on when the call starts). */
const notPlain = -1n;

interface DeckEntries {
  readonly prefixes: string[];
  readonly rows: (readonly RateRow[])[];
}

/** Builds the index in steps of at most `stepPrefixesMax` prefixes, so a server can interleave. */
export interface RouteIndexBuilder {
  /** Adds up to `budget` more prefixes; true when the index is complete. */
  step(budget: number): boolean;
  /** The index; only once `step` returned true. */
  result(): RouteIndex;
}

export function routeIndexBuilder(decks: readonly RateDeck[], expectedS: number):
  RouteIndexBuilder {
  assert(Number.isInteger(expectedS) && expectedS > 0, 'expected duration is whole seconds');
  let children = new Int32Array(digits * 1024).fill(-1);
  let nodeCount = 1;
  // Endings per node, built as linked lists in growable arrays: (slot, entry, next).
  let endHead = new Int32Array(1024).fill(-1);
  const endSlot: number[] = [];
  const endEntry: number[] = [];
  const endNext: number[] = [];
  const entries: DeckEntries[] = decks.map(() => ({ prefixes: [], rows: [] }));
  const iterators = decks.map((deck) => deck.rowsByPrefix.entries());
  let slot = 0;
  let built: RouteIndex | null = null;

  function grow(): void {
    const nextChildren = new Int32Array(children.length * 2).fill(-1);
    nextChildren.set(children);
    children = nextChildren;
    const nextHead = new Int32Array(endHead.length * 2).fill(-1);
    nextHead.set(endHead);
    endHead = nextHead;
  }

  function insert(prefix: string, deckSlot: number, entry: number): void {
    let node = 0;
    for (let index = 0; index < prefix.length; index += 1) {
      const digit = prefix.charCodeAt(index) - 48;
      assert(digit >= 0 && digit < digits, 'deck prefixes are digits');
      let child = children[node * digits + digit]!;
      if (child < 0) {
        assert(nodeCount < nodesMax, 'the route index stays within its node bound');
        if ((nodeCount + 1) * digits > children.length) grow();
        child = nodeCount;
        nodeCount += 1;
        children[node * digits + digit] = child;
      }
      node = child;
    }
    endSlot.push(deckSlot);
    endEntry.push(entry);
    endNext.push(endHead[node]!);
    endHead[node] = endSlot.length - 1;
  }

  return {
    step(budget) {
      if (built !== null) return true;
      let left = budget;
      while (slot < decks.length && left > 0) {
        const next = iterators[slot]!.next();
        if (next.done === true) {
          slot += 1;
          continue;
        }
        const [prefix, rows] = next.value;
        const deckEntries = entries[slot]!;
        deckEntries.prefixes.push(prefix);
        deckEntries.rows.push(rows);
        insert(prefix, slot, deckEntries.prefixes.length - 1);
        left -= 1;
      }
      if (slot < decks.length) return false;
      built = finish(decks, expectedS, { children, nodeCount, endHead,
        endSlot: Int32Array.from(endSlot),
        endEntry: Int32Array.from(endEntry), endNext: Int32Array.from(endNext), entries });
      return true;
    },
    result() {
      assert(built !== null, 'the index is complete');
      return built;
    },
  };
}

/** The whole index at once (tests, benchmarks). */
export function buildRouteIndex(decks: readonly RateDeck[], expectedS: number): RouteIndex {
  const builder = routeIndexBuilder(decks, expectedS);
  while (!builder.step(Number.MAX_SAFE_INTEGER));
  return builder.result();
}

function isPlain(rows: readonly RateRow[]): boolean {
  if (rows.length !== 1) return false;
  const row = rows[0]!;
  return row.fromS === 0 && row.timeBand === null && row.effectiveFromMs === null &&
    row.effectiveToMs === null;
}

/**
 * The lookup form of the trie: nodes renumbered in depth-first order, each a record of four
 * Int32s (first child; child digit mask and ending count; first ending; memo entry, filled by
 * lookups) with its children in one block, so a walk reads records that sit close together
 * instead of one 40-byte row per node anywhere in a large array; 16 bytes, so four records
 * share a cache line. Endings (deck slot, entry) follow in the same order.
 */
interface CompactTrie {
  readonly records: Int32Array;
  readonly endings: Int32Array;
}

const recordLength = 4;
/** The record's field that holds the node's memo entry (-1: none yet). */
const memoField = 3;
/** Set bits below each digit of a 10-bit mask: the child's place in its parent's block. */
const rankBelow = (mask: number, digit: number): number => {
  let bits = mask & ((1 << digit) - 1);
  bits -= (bits >>> 1) & 0x55555555;
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return (((bits + (bits >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

function compact(trie: { children: Int32Array; nodeCount: number; endHead: Int32Array;
  endSlot: Int32Array; endEntry: Int32Array; endNext: Int32Array }): CompactTrie {
  const { children, nodeCount, endHead, endSlot, endEntry, endNext } = trie;
  const records = new Int32Array(nodeCount * recordLength);
  for (let at = memoField; at < records.length; at += recordLength) records[at] = -1;
  const endings = new Int32Array(endSlot.length * 2);
  // A node's children block is placed when the node is visited (depth first), so a parent's
  // block sits just before the blocks of its first child's subtree.
  let placed = 1;
  let endingsPlaced = 0;
  const stack: number[] = [0, 0];
  while (stack.length > 0) {
    const compactId = stack.pop()!;
    const node = stack.pop()!;
    let mask = 0;
    for (let digit = 0; digit < digits; digit += 1) {
      if (children[node * digits + digit]! >= 0) mask |= 1 << digit;
    }
    const firstChild = placed;
    let childIndex = 0;
    for (let digit = digits - 1; digit >= 0; digit -= 1) {
      const child = children[node * digits + digit]!;
      if (child < 0) continue;
      childIndex += 1;
      stack.push(child, firstChild + rankBelow(mask, digit));
    }
    placed += childIndex;
    const at = compactId * recordLength;
    records[at] = firstChild;
    records[at + 2] = endingsPlaced;
    // Shorter prefixes are met first on a walk; within a node the order does not matter.
    let count = 0;
    for (let end = endHead[node]!; end >= 0; end = endNext[end]!) {
      endings[endingsPlaced * 2] = endSlot[end]!;
      endings[endingsPlaced * 2 + 1] = endEntry[end]!;
      endingsPlaced += 1;
      count += 1;
    }
    // The mask takes 10 bits; a node ends at most one prefix per deck.
    assert(count < 1 << 20, 'endings per node fit beside the mask');
    records[at + 1] = mask | (count << digits);
  }
  assert(placed === nodeCount && endingsPlaced === endSlot.length, 'every node is placed once');
  return { records, endings };
}

function finish(
  decks: readonly RateDeck[],
  expectedS: number,
  trie: { children: Int32Array; nodeCount: number; endHead: Int32Array; endSlot: Int32Array;
    endEntry: Int32Array; endNext: Int32Array; entries: DeckEntries[] },
): RouteIndex {
  const { entries } = trie;
  const { records, endings } = compact(trie);
  // Per ending (deck x prefix), in trie order: the decks that end a prefix at one node sit
  // side by side, so one decision reads a few neighbouring cells, not one per deck anywhere.
  const costs: (bigint | undefined)[] = new Array<bigint | undefined>(endings.length / 2);
  const matches = new Int32Array(decks.length).fill(-1);
  const depths = new Int32Array(decks.length);
  // A match's prefix is the callee's first `depth` digits: cut once per depth and lookup.
  let callee = '';
  let generation = 0;
  // The walk of `lookup` only finds the deepest node that ends a prefix; the matches per deck
  // are read off the same path when asked (`resolve`), which the node memo makes rare.
  let resolved = 0;
  const cutAt = new Int32Array(64);
  const cuts: string[] = [];
  let deepestEnding = -1;
  // Node memo: the entry of a node is memoEntries[its record's memo field]; the record was
  // just read by the walk, so finding the entry costs no hashing and no other cache line.
  const memoEntries: MatchedNode[] = [];
  const memoNodes: number[] = [];
  const noMatches: MatchedNode = { costs: decks.map(() => null), ranked: null };

  /** The longest prefix per deck on the last callee's path: `matches` and `depths`. */
  function resolve(): void {
    if (resolved === generation) return;
    resolved = generation;
    matches.fill(-1);
    if (deepestEnding < 0) return;
    const number = callee;
    let node = 0;
    for (let index = 0; ; index += 1) {
      const at = node * recordLength;
      // Endings of shorter prefixes come first and are overwritten by longer ones.
      const packed = records[at + 1]!;
      const endFrom = records[at + 2]!;
      const endTo = endFrom + (packed >>> digits);
      for (let end = endFrom; end < endTo; end += 1) {
        const slot = endings[end * 2]!;
        matches[slot] = end;
        depths[slot] = index;
      }
      if (node === deepestEnding || index === number.length) break;
      node = records[at]! + rankBelow(packed & 0x3ff, number.charCodeAt(index) - 48);
    }
  }

  function remember(node: number, entry: MatchedNode): void {
    if (memoEntries.length >= matchedCostNodesMax) {
      for (const forgotten of memoNodes) records[forgotten * recordLength + memoField] = -1;
      memoEntries.length = 0;
      memoNodes.length = 0;
    }
    records[node * recordLength + memoField] = memoEntries.length;
    memoEntries.push(entry);
    memoNodes.push(node);
  }

  const index: RouteIndex = {
    decks,
    expectedS,
    lookup(number) {
      callee = number;
      generation += 1;
      let deepest = -1;
      let node = 0;
      for (let index = 0; ; index += 1) {
        const at = node * recordLength;
        const packed = records[at + 1]!;
        if (packed >>> digits !== 0) deepest = node;
        if (index === number.length) break;
        const digit = number.charCodeAt(index) - 48;
        if (digit < 0 || digit >= digits) break;
        const mask = packed & 0x3ff;
        if ((mask & (1 << digit)) === 0) break;
        node = records[at]! + rankBelow(mask, digit);
      }
      deepestEnding = deepest;
    },
    matchOf(slot) {
      resolve();
      return matches[slot]!;
    },
    prefixOf(slot) {
      resolve();
      const depth = depths[slot]!;
      if (cutAt[depth] !== generation) {
        cutAt[depth] = generation;
        cuts[depth] = callee.slice(0, depth);
      }
      return cuts[depth]!;
    },
    plainCostOf(slot, match) {
      let cost = costs[match];
      if (cost === undefined) {
        const entry = endings[match * 2 + 1]!;
        const deckEntries = entries[slot]!;
        cost = plainCost(decks[slot]!, deckEntries.prefixes[entry]!, deckEntries.rows[entry]!,
          expectedS);
        costs[match] = cost;
      }
      return cost === notPlain ? null : cost as Micros;
    },
    matchedCosts: () => index.matchedNode().costs,
    matchedNode() {
      if (deepestEnding < 0) return noMatches;
      const known = records[deepestEnding * recordLength + memoField]!;
      if (known >= 0) return memoEntries[known]!;
      resolve();
      const found: MatchedNode = { ranked: null, costs: decks.map((_, slot): MatchedCost => {
        const match = matches[slot]!;
        if (match < 0) return null;
        const costMicros = index.plainCostOf(slot, match);
        return costMicros === null ? 'general' : { prefix: index.prefixOf(slot),
          carrierCostMicros: costMicros, costMicros,
          currency: decks[slot]!.settings.currency };
      }) };
      remember(deepestEnding, found);
      return found;
    },
  };
  return index;
}

/** The engine's own cost for the prefix (rated once, exactly as a call would be), or notPlain. */
function plainCost(deck: RateDeck, prefix: string, rows: readonly RateRow[], expectedS: number) {
  if (!isPlain(rows)) return notPlain;
  // A plain row is in force at every instant, so any start gives the same plan and cost.
  const planned = planCall({ deck, number: prefix, startedAtMs: 0, horizonS: expectedS });
  assert(planned.status === 'planned' && planned.plan.prefix === prefix,
    'a plain prefix plans on itself');
  const rated = rateDuration(planned.plan, expectedS, 0);
  assert(rated.status === 'rated', 'a plain row has no gap');
  assert(rated.costMicros >= 0n && rated.costMicros < 2n ** 62n, 'a cost fits the memo');
  return rated.costMicros;
}
