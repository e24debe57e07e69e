import type { RouteRule } from './carrier.ts';

/** The route plan that applies to one call: which carriers are allowed or removed. */
export interface ResolvedRouteRules {
  /** When not null, only these carriers may take the call. */
  readonly pinnedCarrierIds: ReadonlySet<string> | null;
  readonly blockedCarrierIds: ReadonlySet<string>;
}

/**
 * Resolves the route plan lines of a chain (customer first) for `callee`. Blocks add up over the
 * whole chain: a reseller cannot route around its operator's block. Pins come from the account
 * nearest the customer that pins anything for the callee, at its longest matching prefix.
 */
const noRules: ResolvedRouteRules = { pinnedCarrierIds: null, blockedCarrierIds: new Set() };

export function resolveRouteRules(
  chainAccountIds: readonly string[],
  rules: readonly RouteRule[],
  callee: string,
): ResolvedRouteRules {
  if (rules.length === 0) return noRules;
  const blocked = new Set<string>();
  const pinsByAccount = new Map<string, { prefixLength: number; carrierIds: Set<string> }>();
  for (const rule of rules) {
    if (!callee.startsWith(rule.prefix)) continue;
    if (rule.action === 'block') {
      blocked.add(rule.carrierId);
      continue;
    }
    const best = pinsByAccount.get(rule.accountId);
    if (best === undefined || rule.prefix.length > best.prefixLength) {
      pinsByAccount.set(rule.accountId, { prefixLength: rule.prefix.length,
        carrierIds: new Set([rule.carrierId]) });
    } else if (rule.prefix.length === best.prefixLength) {
      best.carrierIds.add(rule.carrierId);
    }
  }
  let pinned: ReadonlySet<string> | null = null;
  for (const accountId of chainAccountIds) {
    const pins = pinsByAccount.get(accountId);
    if (pins !== undefined) {
      pinned = pins.carrierIds;
      break;
    }
  }
  return { pinnedCarrierIds: pinned, blockedCarrierIds: blocked };
}
