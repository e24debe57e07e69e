import type { Carrier, RouteRule, RoutingPolicy } from './carrier.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import type { QualityView } from './carrier-quality.ts';
import type { RouteIndex } from './route-index.ts';

/**
 * What routing reads besides the ledger: the operators' carriers, policies and route plans
 * (configuration, cached in memory by the adapter and taken before a transaction starts) and
 * the live counters of this node (quality windows, calls per second).
 */
export interface RoutingView {
  /**
   * Carriers of an operator (a root account), in any order. The same array of unchanged
   * carriers until the configuration reloads: routing keys its per-destination memos by it.
   */
  carriersOf(rootAccountId: string): readonly Carrier[];
  /** Policies of these accounts (those that have one). */
  policiesOf(accountIds: readonly string[]): readonly RoutingPolicy[];
  /** Route plan lines of these accounts. */
  rulesOf(accountIds: readonly string[]): readonly RouteRule[];
  quality(carrierId: string, prefix: string, nowMs: number): QualityView | null;
  callsPerSecondFull(carrierId: string, nowMs: number): boolean;
  /**
   * A merged index over exactly these decks for calls of `expectedS` seconds, when one is ready;
   * null: price each deck on its own (the adapter may be building the index meanwhile).
   */
  routeIndex?(decks: readonly RateDeck[], expectedS: number): RouteIndex | null;
}

export interface RoutingProvider {
  /** The current view; configuration may be a few seconds old on other nodes. */
  view(): Promise<RoutingView>;
  /** A new draw for the load-share strategy (any unsigned 32-bit number). */
  ticket(): number;
}

/** No carriers anywhere: every call is priced as before least-cost routing existed. */
export const noRouting: RoutingProvider = {
  view: () => Promise.resolve({
    carriersOf: () => [],
    policiesOf: () => [],
    rulesOf: () => [],
    quality: () => null,
    callsPerSecondFull: () => false,
  }),
  ticket: () => 0,
};
