import type { CurrencyCode } from '../kernel/currency.ts';

/**
 * A termination provider (routing/README.md): where the operator hands calls over,
 * what it charges (its own rate deck, in its own currency) and how much it takes at once. Its
 * ledger account accrues what the operator owes it: the root level of every call routed to it
 * pays the carrier instead of the outside world.
 */
export interface Carrier {
  readonly id: string;
  /** The operator (a root account) whose calls may use this carrier. */
  readonly rootAccountId: string;
  readonly name: string;
  /** The carrier's price list; its currency is the carrier's. */
  readonly rateDeckId: string;
  readonly currency: CurrencyCode;
  /** Opaque dial string for the switch (e.g. `sofia/gateway/acme/`). */
  readonly gateway: string;
  /** Lower goes first under the `priority` strategy. */
  readonly priority: number;
  /** Share of calls under the `load_share` strategy, relative to the other carriers. */
  readonly weight: number;
  readonly concurrentCallsMax: number | null;
  readonly callsPerSecondMax: number | null;
  readonly state: CarrierState;
  /** The ledger account that accrues the carrier's cost of each call. */
  readonly accountId: string;
}

export const carrierStates = ['active', 'disabled'] as const;
export type CarrierState = (typeof carrierStates)[number];

export const routingStrategies = ['least_cost', 'priority', 'quality', 'load_share'] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

/**
 * What to do with a carrier that costs more than the call sells for at the root: `protect`
 * drops it; `allow_loss` keeps it (last, after every profitable carrier). An account without a
 * policy inherits its nearest ancestor's; with none on the chain, `least_cost` + `protect`.
 */
export const marginPolicies = ['protect', 'allow_loss'] as const;
export type MarginPolicy = (typeof marginPolicies)[number];

export interface RoutingPolicy {
  readonly accountId: string;
  readonly strategy: RoutingStrategy;
  readonly marginPolicy: MarginPolicy;
}

export const defaultRoutingPolicy: Omit<RoutingPolicy, 'accountId'> = {
  strategy: 'least_cost',
  marginPolicy: 'protect',
};

/**
 * A route plan line: for callees starting with `prefix`, `pin` keeps only the pinned carriers
 * (in their order of pinning) and `block` removes the carrier. The rules of the account nearest
 * the customer that has any for the longest matching prefix win.
 */
export interface RouteRule {
  readonly accountId: string;
  readonly prefix: string;
  readonly carrierId: string;
  readonly action: RouteRuleAction;
}

export const routeRuleActions = ['pin', 'block'] as const;
export type RouteRuleAction = (typeof routeRuleActions)[number];

/** Routing limits, each a named bound (conventions: every loop and batch has one). */
export const routingLimits = {
  carriersPerRootMax: 200,
  rulesPerAccountMax: 10_000,
  expectedDurationSMax: 4 * 3600,
  routesAnsweredMax: 50,
  /** Fallback carriers handed to the switch with a routed grant. */
  fallbacksMax: 4,
} as const;

export const defaultExpectedDurationS = 60;
