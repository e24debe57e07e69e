import { success } from '../kernel/result.ts';
import { loadScopedChain } from '../charging/authorize.ts';
import { checkCallee } from '../charging/charging-input.ts';
import type { ChargingDeps } from '../charging/charging-ports.ts';
import type { ChargingResult } from '../charging/charging-service.ts';
import { chargingProblem, inPricingTransaction } from '../charging/charging-work.ts';
import { defaultExpectedDurationS, routingLimits } from './carrier.ts';
import { routeCall } from './route-candidates.ts';
import { noRouting } from './routing-ports.ts';
import type { DroppedRoute, NoRouteReason, Route } from './select-routes.ts';

export interface ListRoutesInput {
  readonly accountId: string;
  readonly callee: string;
  /** Seconds the full cost of each carrier is computed for; default 60 (as CGRateS). */
  readonly expectedDurationS?: number;
  readonly scopeAccountId?: string;
}

export interface RouteList {
  readonly routes: readonly Route[];
  readonly dropped: readonly DroppedRoute[];
  readonly expectedDurationS: number;
  /** The root's currency: costs and margins are in it. */
  readonly currency: string;
  /** Set when no carrier can take the call. */
  readonly noRouteReason: NoRouteReason | null;
}

/**
 * `POST /v1/routes`: the ordered carriers for a call with the full cost of each and the margin
 * at the root. Reads only; the switch then authorizes naming the carrier it picked.
 */
export async function listRoutes(
  deps: ChargingDeps,
  input: ListRoutesInput,
): Promise<ChargingResult<RouteList>> {
  const expectedS = input.expectedDurationS ?? defaultExpectedDurationS;
  if (!Number.isInteger(expectedS) || expectedS < 1 ||
    expectedS > routingLimits.expectedDurationSMax) {
    return chargingProblem('invalid_expected_duration',
      `expected_duration_s: 1-${routingLimits.expectedDurationSMax} whole seconds`);
  }
  const badNumber = checkCallee(input.callee);
  if (badNumber !== null) return badNumber;
  const routing = deps.routing ?? noRouting;
  const view = await routing.view();
  const ticket = routing.ticket();
  const nowMs = deps.clock.nowMs();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const chain = await loadScopedChain(tx, input.accountId, input.scopeAccountId);
    if (!chain.ok) return chain;
    const selection = await routeCall({ tx, deckOf, view, chain: chain.value,
      callee: input.callee, startedAtMs: nowMs, expectedS, ticket });
    return success({ routes: selection.ok ? selection.routes : [], dropped: selection.dropped,
      expectedDurationS: expectedS, currency: chain.value.at(-1)!.currency,
      noRouteReason: selection.ok ? null : selection.reason });
  });
}
