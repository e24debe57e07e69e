import { parseDidNumber, type Did, type DidDeps, type DidHolding } from '@tollgate/core';
import type { Principal } from '../auth/api-keys.ts';
import type { AppServices } from '../http/app-services.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';

export function didsOf(services: AppServices): DidDeps {
  if (services.dids === undefined) {
    throw httpProblem('service_unavailable', 'numbers (DIDs) are not configured on this node');
  }
  return services.dids;
}

/** A number a key may see, its holds now, and the depth of the key's own hold (0: operator). */
export interface VisibleDid {
  readonly did: Did;
  readonly holdings: readonly DidHolding[];
  readonly viewerDepth: number;
}

/**
 * Tenant isolation of numbers: a tenant key names the numbers of its own operator (its root)
 * only, and sees one when it is that operator or holds the number now (a number assigned
 * down the tree is held by every level above its owner). Anything else, another operator's
 * number above all, answers `did_not_found`, exactly like a number that does not exist.
 */
export async function visibleDid(services: AppServices, principal: Principal,
  numberText: string, operatorId: string | undefined): Promise<VisibleDid> {
  const dids = didsOf(services);
  const number = unwrap(parseDidNumber(numberText));
  const missing = httpProblem('did_not_found', `no number +${number}`);
  let did: Did | null;
  if (principal.kind === 'operator') {
    const found = operatorId === undefined ? await dids.store.findDidsByNumber(number)
      : [await dids.store.findDid({ operatorId, number })].filter((entry) => entry !== null);
    if (found.length > 1) {
      throw httpProblem('scope_required', `several operators have +${number}: add operator_id`);
    }
    did = found[0] ?? null;
  } else {
    const root = await services.access.rootOf(principal);
    did = root === null || (operatorId !== undefined && operatorId !== root) ? null
      : await dids.store.findDid({ operatorId: root, number });
  }
  if (did === null) throw missing;
  const holdings = await dids.store.activeHoldings(did);
  if (principal.kind === 'operator' || principal.accountId === did.operatorId) {
    return { did, holdings, viewerDepth: 0 };
  }
  const own = holdings.find((holding) => holding.kind === 'parent' &&
    holding.accountId === principal.accountId);
  if (own === undefined) throw missing;
  return { did, holdings, viewerDepth: own.depth };
}
