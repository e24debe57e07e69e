import { assert } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import type { Carrier } from './carrier.ts';
import type { QualityView } from './carrier-quality.ts';
import type { MatchedNode, PlainMatch } from './route-index.ts';
import type { RoutingView } from './routing-ports.ts';
import {
  configuredDropReason,
  costThenId,
  liveDropReason,
  marginOf,
  noRouteReason,
  orderRoutes,
  priorityThenCost,
  routeFrom,
  weightedOrder,
  type DroppedRoute,
  type Ranked,
  type Route,
  type RouteSelection,
  type SelectionTerms,
} from './select-routes.ts';

/**
 * What a destination's plain costs decide for an operator's carriers, derived once per trie
 * node of the merged index (`MatchedNode.ranked`) instead of at every call: each carrier's
 * route (cost in the root's currency, margin, loss) and the carriers in the least-cost and
 * priority orders. A call then only drops the carriers that configuration or live state takes
 * out and reads the rest in order; `selectRoutes` (the general way) gives the same answer, as
 * the property test in `node-routes.test.ts` checks.
 *
 * Why a precomputed order is the order of `selectRoutes`: both comparators are total preorders
 * and Array.prototype.sort is stable, so a stable sort of a subsequence of the carriers is the
 * same subsequence of the stable sort of all of them.
 */
export interface RankedNode {
  /** The view's carrier list (by identity) and root currency this was derived for. */
  readonly carrierList: readonly Carrier[];
  readonly currency: CurrencyCode;
  /** False when a price is rated the general way or is in another currency: no fast path. */
  readonly plain: boolean;
  /**
   * Per carrier slot: its route as answered while the carrier has no quality figures (shared
   * by every call, so frozen), or null when the carrier has no rate.
   */
  readonly routes: readonly (Route | null)[];
  /**
   * Per carrier slot, what a call reads before it answers: the route's prefix (null: no rate)
   * and whether it loses money. Beside the routes so that a call touches a route only to answer
   * it: a destination's memo is rarely in the CPU's cache.
   */
  readonly prefixes: readonly (string | null)[];
  readonly losses: readonly boolean[];
  /** Priced slots in the least-cost order. */
  readonly byCost: readonly number[];
  /** Priced slots in the priority order, derived when a policy first asks for it. */
  byPriority: readonly number[] | null;
}

/** The node's ranking for these carriers, derived now if it was for others (or never). */
export function rankedNode(
  node: MatchedNode,
  carrierList: readonly Carrier[],
  carriers: readonly Carrier[],
  currency: CurrencyCode,
): RankedNode {
  const known = node.ranked;
  if (known !== null && known.carrierList === carrierList && known.currency === currency) {
    return known;
  }
  const ranked = derive(node, carrierList, carriers, currency);
  // One entry per node: operators that share the very same decks take turns.
  node.ranked = ranked;
  return ranked;
}

function derive(
  node: MatchedNode,
  carrierList: readonly Carrier[],
  carriers: readonly Carrier[],
  currency: CurrencyCode,
): RankedNode {
  const { costs } = node;
  const count = carriers.length;
  let plain = costs.length === count + 1;
  for (let slot = 0; plain && slot <= count; slot += 1) {
    const cost = costs[slot]!;
    plain = cost !== 'general' && (cost === null || cost.currency === currency);
  }
  if (!plain) {
    return { carrierList, currency, plain, routes: [], prefixes: [], losses: [], byCost: [],
      byPriority: null };
  }
  // Arrays of their exact size: a memo entry is kept for every destination called.
  const routes = new Array<Route | null>(count);
  const prefixes = new Array<string | null>(count);
  const losses = new Array<boolean>(count);
  const sellMicros = (costs[count] as PlainMatch | null)?.costMicros ?? null;
  let priced = 0;
  for (let slot = 0; slot < count; slot += 1) {
    const cost = costs[slot] as PlainMatch | null;
    const route = cost === null ? null : Object.freeze(routeFrom(carriers[slot]!, cost,
      marginOf(sellMicros, cost.costMicros), null));
    routes[slot] = route;
    prefixes[slot] = route?.prefix ?? null;
    losses[slot] = route?.loss ?? false;
    if (route !== null) priced += 1;
  }
  const byCost = new Array<number>(priced);
  priced = 0;
  for (let slot = 0; slot < count; slot += 1) {
    if (routes[slot] !== null) byCost[priced++] = slot;
  }
  byCost.sort((a, b) => costThenId(routes[a]!.costMicros, carriers[a]!, routes[b]!.costMicros,
    carriers[b]!));
  return { carrierList, currency, plain, routes, prefixes, losses, byCost, byPriority: null };
}

function byPriorityOf(ranked: RankedNode, carriers: readonly Carrier[]): readonly number[] {
  if (ranked.byPriority === null) {
    const { routes } = ranked;
    ranked.byPriority = [...ranked.byCost].sort((a, b) => priorityThenCost(
      routes[a]!.costMicros, carriers[a]!, routes[b]!.costMicros, carriers[b]!));
  }
  return ranked.byPriority;
}

/** What a slot is in one decision. */
const dropped = 0;
const profitable = 1;
const losing = 2;

/**
 * Per-slot scratch of one decision (a decision runs without yielding, so one set serves all):
 * the slot's standing and its quality figures.
 */
const standings: number[] = [];
const qualities: (QualityView | null)[] = [];

/**
 * `selectRoutes` for a destination whose prices are all plain and in the root's currency,
 * from its ranking: the same routes, order, margins and drop reasons.
 */
export function selectRankedRoutes(input: SelectionTerms & {
  readonly ranked: RankedNode;
  readonly carriers: readonly Carrier[];
  readonly liveCalls: ReadonlyMap<string, number>;
  readonly view: RoutingView;
  readonly startedAtMs: number;
}): RouteSelection {
  const { ranked, carriers, view, startedAtMs } = input;
  const droppedRoutes: DroppedRoute[] = [];
  let profitableCount = 0;
  let losingCount = 0;
  // Whether the quality strategy sees any ASR: without one it is the least-cost order.
  let anyAsr = false;
  for (let slot = 0; slot < carriers.length; slot += 1) {
    const carrier = carriers[slot]!;
    const prefix = ranked.prefixes[slot] ?? null;
    standings[slot] = dropped;
    qualities[slot] = null;
    let reason = configuredDropReason(carrier, prefix !== null, input.rules);
    if (reason === null) {
      const quality = view.quality(carrier.id, prefix!, startedAtMs);
      const liveCalls = carrier.concurrentCallsMax === null ? 0
        : input.liveCalls.get(carrier.id) ?? 0;
      reason = liveDropReason(carrier, liveCalls, view.callsPerSecondFull(carrier.id, startedAtMs),
        quality);
      qualities[slot] = quality;
    }
    if (reason !== null) {
      droppedRoutes.push({ carrierId: carrier.id, reason });
    } else if (!ranked.losses[slot]) {
      standings[slot] = profitable;
      profitableCount += 1;
      anyAsr ||= qualities[slot]?.asrBp != null;
    } else if (input.marginPolicy === 'allow_loss') {
      standings[slot] = losing;
      losingCount += 1;
    } else {
      droppedRoutes.push({ carrierId: carrier.id, reason: 'loss_making' });
    }
  }
  // Every usable carrier is answered, up to the bound: the list is made at its final size.
  const routes = new Array<Route>(Math.min(profitableCount + losingCount, input.routesMax));
  let filled = 0;
  if (profitableCount > 0) {
    const { strategy } = input;
    if (strategy === 'least_cost' || (strategy === 'quality' && !anyAsr)) {
      filled = fillInOrder(routes, filled, ranked, carriers, ranked.byCost, profitable);
    } else if (strategy === 'priority') {
      filled = fillInOrder(routes, filled, ranked, carriers, byPriorityOf(ranked, carriers),
        profitable);
    } else {
      // Load share draws from the least-cost order; live ASRs (quality) are sorted the
      // general way, from the carrier order.
      const ordered = strategy === 'load_share'
        ? weightedOrder(rankedIn(ranked, carriers, ranked.byCost), input.ticket)
        : orderRoutes(rankedIn(ranked, carriers, carriers.map((_, slot) => slot)), strategy,
          input.ticket);
      for (const route of ordered) if (filled < routes.length) routes[filled++] = route;
    }
  }
  if (losingCount > 0) {
    filled = fillInOrder(routes, filled, ranked, carriers, ranked.byCost, losing);
  }
  assert(filled === routes.length, 'every usable carrier is answered, up to the bound');
  if (routes.length > 0) return { ok: true, routes, dropped: droppedRoutes };
  return { ok: false, reason: noRouteReason(carriers.length, droppedRoutes),
    dropped: droppedRoutes };
}

/** Writes the routes of the slots of `order` that have `standing` from `filled` on. */
function fillInOrder(
  routes: Route[],
  filled: number,
  ranked: RankedNode,
  carriers: readonly Carrier[],
  order: readonly number[],
  standing: number,
): number {
  let next = filled;
  for (let at = 0; at < order.length && next < routes.length; at += 1) {
    const slot = order[at]!;
    if (standings[slot] === standing) routes[next++] = routeAt(ranked, carriers, slot);
  }
  return next;
}

/** The profitable slots of `order` as `selectRoutes` ranks them. */
function rankedIn(ranked: RankedNode, carriers: readonly Carrier[], order: readonly number[]):
  Ranked[] {
  const out: Ranked[] = [];
  for (const slot of order) {
    if (standings[slot] !== profitable) continue;
    out.push({ route: routeAt(ranked, carriers, slot), carrier: carriers[slot]! });
  }
  return out;
}

/** The slot's route: the shared one while the carrier has no quality figures. */
function routeAt(ranked: RankedNode, carriers: readonly Carrier[], slot: number): Route {
  const quality = qualities[slot] ?? null;
  const route = ranked.routes[slot]!;
  if (quality === null || (quality.asrBp === null && quality.acdS === null)) return route;
  return routeFrom(carriers[slot]!, route, route.marginMicros, quality);
}
