import { problem, success, type Result } from '../kernel/result.ts';
import {
  carrierStates,
  marginPolicies,
  routeRuleActions,
  routingStrategies,
  type Carrier,
  type RouteRule,
  type RoutingPolicy,
} from './carrier.ts';

export const routingCodes = [
  'invalid_carrier',
  'carrier_not_found',
  'carrier_exists',
  'invalid_routing_policy',
  'invalid_route_rule',
] as const;
export type RoutingCode = (typeof routingCodes)[number];
export type RoutingResult<T> = Result<T, RoutingCode>;

const gatewayLengthMax = 256;
const nameLengthMax = 200;
const priorityMax = 1_000_000;
const weightMax = 1_000_000;
const capacityMax = 10_000_000;
const prefixLengthMax = 32;

/** The fields an operator sets on a carrier; the rest (account, root) Tollgate derives. */
export type CarrierFields = Omit<Carrier, 'accountId' | 'rootAccountId' | 'currency'>;

function wholeIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function invalid(message: string) {
  return problem('invalid_carrier' as const, message);
}

/**
 * A carrier's id as its operator chose it, stored in the namespace of the key that made it
 * (`<account>~<id>`, server/http/tenant-ids.ts) so two operators may use the same name.
 */
const carrierIdPattern = /^(?:[A-Za-z0-9_.~-]{1,64}~)?[A-Za-z0-9_.-]{1,64}$/;

/** Checks a carrier's fields (shape only; the deck's existence is the adapter's to check). */
export function checkCarrierFields(fields: CarrierFields): RoutingResult<CarrierFields> {
  if (!carrierIdPattern.test(fields.id)) {
    return invalid('id: 1-64 characters of letters, digits, ".", "_", "-"');
  }
  if (fields.name.length === 0 || fields.name.length > nameLengthMax) {
    return invalid(`name: 1-${nameLengthMax} characters`);
  }
  if (fields.gateway.length === 0 || fields.gateway.length > gatewayLengthMax ||
    /[\u0000-\u001f]/.test(fields.gateway)) {
    return invalid(`gateway: 1-${gatewayLengthMax} printable characters`);
  }
  if (!wholeIn(fields.priority, 0, priorityMax)) return invalid(`priority: 0-${priorityMax}`);
  if (!wholeIn(fields.weight, 0, weightMax)) return invalid(`weight: 0-${weightMax}`);
  if (fields.concurrentCallsMax !== null && !wholeIn(fields.concurrentCallsMax, 0, capacityMax)) {
    return invalid(`concurrent_calls_max: null or 0-${capacityMax}`);
  }
  if (fields.callsPerSecondMax !== null && !wholeIn(fields.callsPerSecondMax, 1, capacityMax)) {
    return invalid(`calls_per_second_max: null or 1-${capacityMax}`);
  }
  if (!(carrierStates as readonly string[]).includes(fields.state)) {
    return invalid(`state: one of ${carrierStates.join(', ')}`);
  }
  if (fields.rateDeckId.length === 0) return invalid('rate_deck_id is required');
  return success(fields);
}

export function checkRoutingPolicy(policy: RoutingPolicy): RoutingResult<RoutingPolicy> {
  if (!(routingStrategies as readonly string[]).includes(policy.strategy)) {
    return problem('invalid_routing_policy', `strategy: one of ${routingStrategies.join(', ')}`);
  }
  if (!(marginPolicies as readonly string[]).includes(policy.marginPolicy)) {
    return problem('invalid_routing_policy',
      `margin_policy: one of ${marginPolicies.join(', ')}`);
  }
  return success(policy);
}

export function checkRouteRule(rule: RouteRule): RoutingResult<RouteRule> {
  if (!/^[0-9]*$/.test(rule.prefix) || rule.prefix.length > prefixLengthMax) {
    return problem('invalid_route_rule', `prefix: 0-${prefixLengthMax} digits`);
  }
  if (!(routeRuleActions as readonly string[]).includes(rule.action)) {
    return problem('invalid_route_rule', `action: one of ${routeRuleActions.join(', ')}`);
  }
  return success(rule);
}
