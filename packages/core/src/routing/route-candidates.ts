import type { Account } from '../ledger/account.ts';
import { convertMicros, unitRate, type RationalRate } from '../ledger/exchange-rate.ts';
import { planCall } from '../rating/call-plan.ts';
import { rateDuration } from '../rating/rate-duration.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { DeckLookup } from '../charging/charging-work.ts';
import { exchangeRateOf } from '../charging/priced-levels.ts';
import {
  defaultRoutingPolicy,
  routingLimits,
  type Carrier,
  type RoutingPolicy,
} from './carrier.ts';
import { rankedNode, selectRankedRoutes, type RankedNode } from './node-routes.ts';
import type { MatchedCost, PlainMatch, RouteIndex } from './route-index.ts';
import { resolveRouteRules } from './route-rules.ts';
import type { RoutingView } from './routing-ports.ts';
import { selectRoutes, type RouteCandidate, type RouteSelection } from './select-routes.ts';

const noLiveCalls: ReadonlyMap<string, number> = new Map();

interface RouteCallOptions {
  tx: ChargingTransaction;
  deckOf: DeckLookup;
  view: RoutingView;
  /** Customer first, root last. */
  chain: readonly Account[];
  callee: string;
  startedAtMs: number;
  expectedS: number;
  ticket: number;
}

/** How this decision prices: the merged index's costs for the callee when there is one. */
interface Pricing {
  readonly options: RouteCallOptions;
  readonly matched: readonly MatchedCost[] | null;
}

/**
 * Prices every carrier of the chain's root for a call of `expectedS` seconds to `callee`
 * starting at `startedAtMs`, prices what the root sells the same call for, and orders the
 * usable carriers under the chain's policy and route plan.
 */
export async function routeCall(options: RouteCallOptions): Promise<RouteSelection> {
  const { tx, view, chain } = options;
  const root = chain.at(-1)!;
  const below = chain.at(-2);
  const all = view.carriersOf(root.id);
  const carriers = all.length <= routingLimits.carriersPerRootMax ? all
    : all.slice(0, routingLimits.carriersPerRootMax);
  const decks = decksOf(all, carriers, below?.rateDeckId ?? null, options.deckOf);
  const sellDeck = decks.list[carriers.length] ?? null;
  const index = indexFor(view, decks, options);
  let matched: readonly MatchedCost[] | null = null;
  let ranked: RankedNode | null = null;
  if (index !== null) {
    index.lookup(options.callee);
    const node = index.matchedNode();
    matched = node.costs;
    ranked = rankedNode(node, all, carriers, root.currency);
  }
  const liveCalls = carriers.some((carrier) => carrier.concurrentCallsMax !== null)
    ? await tx.countLiveCarrierSessions(carriers.map((carrier) => carrier.id)) : noLiveCalls;
  const chainIds = chain.map((account) => account.id as string);
  const policy = policyFor(chainIds, view.policiesOf(chainIds));
  const rules = resolveRouteRules(chainIds, view.rulesOf(chainIds), options.callee);
  const { strategy, marginPolicy } = policy;
  const { ticket } = options;
  const routesMax = routingLimits.routesAnsweredMax;
  // Every price plain and in the root's currency: the node's ranking answers.
  if (ranked?.plain === true) {
    return selectRankedRoutes({ ranked, carriers, liveCalls, view,
      startedAtMs: options.startedAtMs, strategy, marginPolicy, rules, ticket, routesMax });
  }
  const pricing: Pricing = { options, matched };
  const candidates: RouteCandidate[] = [];
  for (let slot = 0; slot < carriers.length; slot += 1) {
    const carrier = carriers[slot]!;
    const deck = decks.list[slot] ?? null;
    const cost = deck === null ? null : deckCost(pricing, deck, slot);
    // Awaited only for a foreign currency: a same-currency decision never yields.
    const priced = cost === null || cost.currency === root.currency ? cost
      : await inRootCurrency(pricing, root, cost);
    candidates.push({ carrier, liveCalls: liveCalls.get(carrier.id) ?? 0, priced,
      callsPerSecondFull: view.callsPerSecondFull(carrier.id, options.startedAtMs),
      quality: priced === null ? null
        : view.quality(carrier.id, priced.prefix, options.startedAtMs) });
  }
  const sellCost = sellDeck === null ? null : deckCost(pricing, sellDeck, carriers.length);
  const sell = sellCost === null || sellCost.currency === root.currency ? sellCost
    : await inRootCurrency(pricing, root, sellCost);
  return selectRoutes({ candidates, sellMicros: sell?.costMicros ?? null, strategy,
    marginPolicy, rules, ticket, routesMax });
}

/** The carriers' decks (slots 0..n-1) and the sell deck (slot n) of one decision. */
interface DecisionDecks {
  readonly list: readonly (RateDeck | null)[];
  /** Every deck is there: the list can key a merged index. */
  readonly complete: boolean;
}

/**
 * The decks of the last decision per carrier list (the view's arrays are stable until its
 * configuration reloads): the same list is handed to `routeIndex` while none changed, so the
 * adapter can find its index by the list's identity instead of building a key per decision.
 */
const lastDecks = new WeakMap<readonly unknown[], DecisionDecks>();

function decksOf(
  all: readonly Carrier[],
  carriers: readonly Carrier[],
  sellDeckId: string | null,
  deckOf: DeckLookup,
): DecisionDecks {
  const last = lastDecks.get(all);
  const count = carriers.length;
  let built: (RateDeck | null)[] | null = last !== undefined && last.list.length === count + 1
    ? null : [];
  // Every deck is looked up, carriers first (a lookup may have to load its deck); the last
  // list is kept while the lookups return the same decks.
  for (let slot = 0; slot <= count; slot += 1) {
    const deck = slot < count ? deckOf(carriers[slot]!.rateDeckId)
      : sellDeckId === null ? null : deckOf(sellDeckId);
    if (built === null) {
      if (last!.list[slot] === deck) continue;
      built = last!.list.slice(0, slot);
    }
    built.push(deck);
  }
  if (built === null) return last!;
  const decks = { list: built, complete: !built.includes(null) };
  lastDecks.set(all, decks);
  return decks;
}

/** The merged index over the carriers' decks (slots 0..n-1) and the sell deck (slot n). */
function indexFor(
  view: RoutingView,
  decks: DecisionDecks,
  options: RouteCallOptions,
): RouteIndex | null {
  if (view.routeIndex === undefined || !decks.complete) return null;
  return view.routeIndex(decks.list as readonly RateDeck[], options.expectedS);
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

/** A deck's cost of the call: `costMicros` is in `currency` until converted to the root's. */
type DeckCost = PlainMatch;

/**
 * The deck's cost of the whole expected call, or null when the deck has no rate for it: read
 * from the merged index for a plain prefix, rated the general way otherwise.
 */
function deckCost(pricing: Pricing, deck: RateDeck, slot: number): DeckCost | null {
  const { options, matched } = pricing;
  const currency = deck.settings.currency;
  const match = matched === null ? 'general' : matched[slot]!;
  if (match === null) return null;
  // The index's shared, immutable match is already a deck cost.
  if (match !== 'general') return match;
  const planned = planCall({ deck, number: options.callee, startedAtMs: options.startedAtMs,
    horizonS: options.expectedS });
  if (planned.status !== 'planned') return null;
  const rated = rateDuration(planned.plan, options.expectedS, 0);
  if (rated.status !== 'rated') return null;
  return { prefix: rated.prefix, carrierCostMicros: rated.costMicros,
    costMicros: rated.costMicros, currency };
}

/** A deck cost in the root's currency; null when no exchange rate is known. */
async function inRootCurrency(
  pricing: Pricing,
  root: Account,
  cost: DeckCost,
): Promise<DeckCost | null> {
  const rate: RationalRate | null = cost.currency === root.currency ? unitRate
    : await exchangeRateOf(pricing.options.tx, cost.currency, root.currency,
      pricing.options.startedAtMs);
  if (rate === null) return null;
  return { ...cost, currency: root.currency,
    costMicros: convertMicros({ amountMicros: cost.costMicros, rate, mode: 'half_up' }) };
}
