import type { Account } from '../ledger/account.ts';
import { convertMicros } from '../ledger/exchange-rate.ts';
import type { Micros } from '../kernel/money.ts';
import { planCall } from '../rating/call-plan.ts';
import { rateDuration } from '../rating/rate-duration.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { DeckLookup } from '../charging/charging-work.ts';
import { exchangeRateOf } from '../charging/priced-levels.ts';
import {
  defaultRoutingPolicy,
  routingLimits,
  type Carrier,
  type RoutingPolicy,
} from './carrier.ts';
import { resolveRouteRules } from './route-rules.ts';
import type { RoutingView } from './routing-ports.ts';
import { selectRoutes, type RouteCandidate, type RouteSelection } from './select-routes.ts';

/**
 * Prices every carrier of the chain's root for a call of `expectedS` seconds to `callee`
 * starting at `startedAtMs`, prices what the root sells the same call for, and orders the
 * usable carriers under the chain's policy and route plan.
 */
export async function routeCall(options: {
  tx: ChargingTransaction;
  deckOf: DeckLookup;
  view: RoutingView;
  /** Customer first, root last. */
  chain: readonly Account[];
  callee: string;
  startedAtMs: number;
  expectedS: number;
  ticket: number;
}): Promise<RouteSelection> {
  const { tx, view, chain } = options;
  const root = chain.at(-1)!;
  const carriers = view.carriersOf(root.id).slice(0, routingLimits.carriersPerRootMax);
  const liveCalls = carriers.some((carrier) => carrier.concurrentCallsMax !== null)
    ? await tx.countLiveCarrierSessions(carriers.map((carrier) => carrier.id)) : new Map();
  const candidates: RouteCandidate[] = [];
  for (const carrier of carriers) {
    candidates.push({ carrier, liveCalls: liveCalls.get(carrier.id) ?? 0,
      priced: await priceAtCarrier(options, carrier, root),
      callsPerSecondFull: view.callsPerSecondFull(carrier.id, options.startedAtMs),
      quality: null });
  }
  const withQuality = candidates.map((candidate) => candidate.priced === null ? candidate
    : { ...candidate,
      quality: view.quality(candidate.carrier.id, candidate.priced.prefix, options.startedAtMs) });
  const chainIds = chain.map((account) => account.id as string);
  const policy = policyFor(chainIds, view.policiesOf(chainIds));
  return selectRoutes({ candidates: withQuality, sellMicros: await sellAtRoot(options),
    strategy: policy.strategy, marginPolicy: policy.marginPolicy,
    rules: resolveRouteRules(chainIds, view.rulesOf(chainIds), options.callee),
    ticket: options.ticket, routesMax: routingLimits.routesAnsweredMax });
}

/** The nearest policy to the customer on the chain, or the default. */
export function policyFor(
  chainIds: readonly string[],
  policies: readonly RoutingPolicy[],
): Omit<RoutingPolicy, 'accountId'> {
  for (const accountId of chainIds) {
    const found = policies.find((policy) => policy.accountId === accountId);
    if (found !== undefined) return found;
  }
  return defaultRoutingPolicy;
}

/** The deck's cost of the whole expected call, or null when the deck has no rate for it. */
function deckCost(
  options: { deckOf: DeckLookup; callee: string; startedAtMs: number; expectedS: number },
  deckId: string,
): { prefix: string; costMicros: Micros; currency: string } | null {
  const deck = options.deckOf(deckId);
  if (deck === null) return null;
  const planned = planCall({ deck, number: options.callee, startedAtMs: options.startedAtMs,
    horizonS: options.expectedS });
  if (planned.status !== 'planned') return null;
  const rated = rateDuration(planned.plan, options.expectedS, 0);
  if (rated.status !== 'rated') return null;
  return { prefix: rated.prefix, costMicros: rated.costMicros, currency: deck.settings.currency };
}

async function priceAtCarrier(
  options: { tx: ChargingTransaction; deckOf: DeckLookup; callee: string; startedAtMs: number;
    expectedS: number },
  carrier: Carrier,
  root: Account,
): Promise<RouteCandidate['priced']> {
  const cost = deckCost(options, carrier.rateDeckId);
  if (cost === null) return null;
  const rate = await exchangeRateOf(options.tx, carrier.currency, root.currency,
    options.startedAtMs);
  if (rate === null) return null;
  return { prefix: cost.prefix, carrierCostMicros: cost.costMicros,
    costMicros: convertMicros({ amountMicros: cost.costMicros, rate, mode: 'half_up' }) };
}

/**
 * What the level below the root pays the root for the call, in the root's currency: the sell
 * price margin protection compares with. Null when the customer is the root's only level or
 * the level below has no deck or no rate (then nothing is sold, so nothing can be lost).
 */
async function sellAtRoot(options: {
  tx: ChargingTransaction; deckOf: DeckLookup; chain: readonly Account[]; callee: string;
  startedAtMs: number; expectedS: number;
}): Promise<Micros | null> {
  const { chain } = options;
  const root = chain.at(-1)!;
  const below = chain.at(-2);
  if (below === undefined || below.rateDeckId === null) return null;
  const cost = deckCost(options, below.rateDeckId);
  if (cost === null) return null;
  const rate = await exchangeRateOf(options.tx, cost.currency as Account['currency'],
    root.currency, options.startedAtMs);
  if (rate === null) return null;
  return convertMicros({ amountMicros: cost.costMicros, rate, mode: 'half_up' });
}
