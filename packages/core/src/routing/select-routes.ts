import type { CurrencyCode } from '../kernel/currency.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { Carrier, MarginPolicy, RoutingStrategy } from './carrier.ts';
import type { QualityView } from './carrier-quality.ts';
import type { ResolvedRouteRules } from './route-rules.ts';

/** One carrier considered for a call, priced for the expected duration. */
export interface RouteCandidate {
  readonly carrier: Carrier;
  /** Null when the carrier's deck has no rate for the callee at the call start. */
  readonly priced: {
    readonly prefix: string;
    /** The whole call at the carrier's price, in the carrier's currency. */
    readonly carrierCostMicros: Micros;
    /** The same in the root's currency (exchange rate fixed at the call start). */
    readonly costMicros: Micros;
  } | null;
  readonly liveCalls: number;
  /** True when the carrier took its calls-per-second maximum in the current second. */
  readonly callsPerSecondFull: boolean;
  readonly quality: QualityView | null;
}

export interface Route {
  readonly carrierId: string;
  readonly gateway: string;
  readonly prefix: string;
  readonly carrierCostMicros: Micros;
  readonly carrierCurrency: CurrencyCode;
  /** Root currency. */
  readonly costMicros: Micros;
  /** What the root sells the call for minus what the carrier costs; null when nothing sells. */
  readonly marginMicros: Micros | null;
  readonly loss: boolean;
  readonly asrBp: number | null;
  readonly acdS: number | null;
}

export const routeDropReasons = [
  'disabled',
  'no_rate',
  'blocked',
  'not_pinned',
  'at_capacity',
  'calls_per_second',
  'quality_cool_down',
  'loss_making',
] as const;
export type RouteDropReason = (typeof routeDropReasons)[number];

export interface DroppedRoute {
  readonly carrierId: string;
  readonly reason: RouteDropReason;
}

/** Why no carrier can take a call (the `no_route` refusal's reason). */
export type NoRouteReason = 'no_carrier' | 'no_rate' | 'all_loss_making' | 'all_at_capacity'
  | 'none_usable';

export type RouteSelection =
  | { readonly ok: true; readonly routes: readonly Route[]; readonly dropped: DroppedRoute[] }
  | { readonly ok: false; readonly reason: NoRouteReason; readonly dropped: DroppedRoute[] };

/** An unknown ASR counts as this in the quality strategy: neither rewarded nor punished much. */
const unknownAsrBp = 5_000;
/** ASR floor in the quality strategy, so that a 0 % carrier still has a finite score. */
const asrFloorBp = 100;

/** What a decision's policy and route plan decide, besides the carriers and their prices. */
export interface SelectionTerms {
  readonly strategy: RoutingStrategy;
  readonly marginPolicy: MarginPolicy;
  readonly rules: ResolvedRouteRules;
  /** Any unsigned 32-bit number; the `load_share` draw derives from it. */
  readonly ticket: number;
  readonly routesMax: number;
}

/**
 * Orders the usable carriers for one call (pure). A carrier is dropped when it is disabled,
 * has no rate, is blocked or not pinned by the route plan, is at its concurrent-call or
 * per-second maximum, is cooling down after poor quality, or would lose money under `protect`.
 * Full costs (connect fee and blocks included) are compared, never per-minute prices.
 */
export function selectRoutes(input: SelectionTerms & {
  readonly candidates: readonly RouteCandidate[];
  /** What the root sells the call for (root currency), or null when the root sells nothing. */
  readonly sellMicros: Micros | null;
}): RouteSelection {
  const dropped: DroppedRoute[] = [];
  const profitable: { route: Route; carrier: Carrier }[] = [];
  const losing: { route: Route; carrier: Carrier }[] = [];
  for (const candidate of input.candidates) {
    const reason = dropReason(candidate, input.rules);
    if (reason !== null) {
      dropped.push({ carrierId: candidate.carrier.id, reason });
      continue;
    }
    const route = routeOf(candidate, input.sellMicros);
    if (!route.loss) profitable.push({ route, carrier: candidate.carrier });
    else if (input.marginPolicy === 'allow_loss') {
      losing.push({ route, carrier: candidate.carrier });
    }
    else dropped.push({ carrierId: candidate.carrier.id, reason: 'loss_making' });
  }
  const ordered = orderRoutes(profitable, input.strategy, input.ticket);
  if (losing.length > 0) ordered.push(...orderRoutes(losing, 'least_cost', input.ticket));
  if (ordered.length > input.routesMax) ordered.length = input.routesMax;
  if (ordered.length > 0) return { ok: true, routes: ordered, dropped };
  return { ok: false, reason: noRouteReason(input.candidates.length, dropped), dropped };
}

function dropReason(candidate: RouteCandidate, rules: ResolvedRouteRules): RouteDropReason | null {
  return configuredDropReason(candidate.carrier, candidate.priced !== null, rules) ??
    liveDropReason(candidate.carrier, candidate.liveCalls, candidate.callsPerSecondFull,
      candidate.quality);
}

/**
 * The first reasons to drop a carrier, in order, from configuration alone: checked before the
 * live ones (`liveDropReason`), which are read only for the carriers these keep.
 */
export function configuredDropReason(
  carrier: Carrier,
  priced: boolean,
  rules: ResolvedRouteRules,
): RouteDropReason | null {
  if (carrier.state !== 'active') return 'disabled';
  if (!priced) return 'no_rate';
  if (rules.blockedCarrierIds.has(carrier.id)) return 'blocked';
  if (rules.pinnedCarrierIds !== null && !rules.pinnedCarrierIds.has(carrier.id)) {
    return 'not_pinned';
  }
  return null;
}

/** The reasons to drop a carrier that change from call to call, in order. */
export function liveDropReason(
  carrier: Carrier,
  liveCalls: number,
  callsPerSecondFull: boolean,
  quality: QualityView | null,
): RouteDropReason | null {
  if (carrier.concurrentCallsMax !== null && liveCalls >= carrier.concurrentCallsMax) {
    return 'at_capacity';
  }
  if (callsPerSecondFull) return 'calls_per_second';
  if (quality?.outUntilMs != null) return 'quality_cool_down';
  return null;
}

/** What the root sells the call for minus what the carrier costs; null when nothing sells. */
export function marginOf(sellMicros: Micros | null, costMicros: Micros): Micros | null {
  return sellMicros === null ? null : micros(sellMicros - costMicros);
}

function routeOf(candidate: RouteCandidate, sellMicros: Micros | null): Route {
  const priced = candidate.priced!;
  return routeFrom(candidate.carrier, priced, marginOf(sellMicros, priced.costMicros),
    candidate.quality);
}

export function routeFrom(
  carrier: Carrier,
  priced: NonNullable<RouteCandidate['priced']>,
  marginMicros: Micros | null,
  quality: QualityView | null,
): Route {
  return { carrierId: carrier.id, gateway: carrier.gateway,
    prefix: priced.prefix, carrierCostMicros: priced.carrierCostMicros,
    carrierCurrency: carrier.currency, costMicros: priced.costMicros, marginMicros,
    // A root that sells nothing (no deck above the customer) cannot lose on a carrier.
    loss: marginMicros !== null && marginMicros < 0n,
    asrBp: quality?.asrBp ?? null, acdS: quality?.acdS ?? null };
}

export function noRouteReason(candidateCount: number, dropped: readonly DroppedRoute[]):
  NoRouteReason {
  if (candidateCount === 0) return 'no_carrier';
  // Carriers the operator or the route plan took out say nothing about the others.
  const considered = dropped.filter((entry) => entry.reason !== 'disabled' &&
    entry.reason !== 'blocked' && entry.reason !== 'not_pinned');
  if (considered.length === 0 || considered.every((entry) => entry.reason === 'no_rate')) {
    return 'no_rate';
  }
  const rated = considered.filter((entry) => entry.reason !== 'no_rate');
  if (rated.every((entry) => entry.reason === 'loss_making')) return 'all_loss_making';
  const full = (reason: RouteDropReason) => reason === 'at_capacity' ||
    reason === 'calls_per_second';
  if (rated.every((entry) => full(entry.reason))) {
    return 'all_at_capacity';
  }
  return 'none_usable';
}

export type Ranked = { route: Route; carrier: Carrier };

function byCostThenId(a: Ranked, b: Ranked): number {
  return costThenId(a.route.costMicros, a.carrier, b.route.costMicros, b.carrier);
}

/** The least-cost order: full cost, then priority, then id. */
export function costThenId(costA: Micros, a: Carrier, costB: Micros, b: Carrier): number {
  if (costA !== costB) return costA < costB ? -1 : 1;
  if (a.priority !== b.priority) return a.priority - b.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The priority order: priority, then the least-cost order. */
export function priorityThenCost(costA: Micros, a: Carrier, costB: Micros, b: Carrier): number {
  return a.priority - b.priority || costThenId(costA, a, costB, b);
}

/** Orders `ranked` in place (it is the caller's own array) and returns the routes. */
export function orderRoutes(ranked: Ranked[], strategy: RoutingStrategy, ticket: number): Route[] {
  const sorted = ranked;
  if (strategy === 'least_cost') sorted.sort(byCostThenId);
  if (strategy === 'priority') {
    sorted.sort((a, b) => priorityThenCost(a.route.costMicros, a.carrier, b.route.costMicros,
      b.carrier));
  }
  if (strategy === 'quality') sorted.sort((a, b) => qualityOrder(a, b) || byCostThenId(a, b));
  if (strategy === 'load_share') return weightedOrder(sorted.sort(byCostThenId), ticket);
  return sorted.map((entry) => entry.route);
}

/** Cost divided by ASR, compared without division: cost_a * asr_b vs cost_b * asr_a. */
function qualityOrder(a: Ranked, b: Ranked): number {
  const asrA = BigInt(Math.max(a.route.asrBp ?? unknownAsrBp, asrFloorBp));
  const asrB = BigInt(Math.max(b.route.asrBp ?? unknownAsrBp, asrFloorBp));
  const left = a.route.costMicros * asrB;
  const right = b.route.costMicros * asrA;
  return left === right ? 0 : left < right ? -1 : 1;
}

/**
 * Weighted draw without replacement: each next carrier is picked with probability
 * weight / remaining weight, from a small deterministic generator seeded by `ticket`.
 * Carriers of weight 0 follow, cheapest first.
 */
export function weightedOrder(ranked: readonly Ranked[], ticket: number): Route[] {
  const pool = ranked.filter((entry) => entry.carrier.weight > 0);
  const rest = ranked.filter((entry) => entry.carrier.weight <= 0);
  const out: Route[] = [];
  let state = (ticket >>> 0) || 0x9e3779b9;
  while (pool.length > 0) {
    state = xorshift32(state);
    const total = pool.reduce((sum, entry) => sum + entry.carrier.weight, 0);
    let draw = state % total;
    let index = 0;
    while (draw >= pool[index]!.carrier.weight) {
      draw -= pool[index]!.carrier.weight;
      index += 1;
    }
    out.push(pool[index]!.route);
    pool.splice(index, 1);
  }
  return [...out, ...rest.map((entry) => entry.route)];
}

function xorshift32(value: number): number {
  let x = value >>> 0;
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}
