import type { Carrier } from '@tollgate/core';
import type { Access } from '../auth/access.ts';
import type { Principal } from '../auth/api-keys.ts';
import type { RoutingService } from '../routing/routing-service.ts';
import { httpProblem } from './http-problem.ts';
import { firstNamed, tenantIdsOf } from './tenant-ids.ts';

/**
 * The carrier a name means to this key. A carrier's id lives in the namespace of the key that
 * created it (tenant-ids.ts): an operator's root key calls its `acme` by that name while
 * another operator has an `acme` of its own; the operator key made carriers under the names it
 * gave. The key's own namespace is tried first. Whether the key may use the carrier found is
 * the caller's to check (its root).
 */
export async function carrierNamed(
  routing: RoutingService,
  principal: Principal,
  name: string,
): Promise<Carrier | null> {
  return firstNamed(tenantIdsOf(principal), name, async (key) => {
    const found = await routing.getCarrier(key);
    return found.ok ? found.value : null;
  });
}

/**
 * The carrier a key may manage: the operator's key, or its root's. Another operator's carrier
 * answers exactly like a missing one; a key below the root is told it is not the root.
 */
export async function managedCarrier(
  services: { routing: RoutingService; access: Access },
  principal: Principal,
  carrierId: string,
): Promise<Carrier> {
  const carrier = await carrierNamed(services.routing, principal, carrierId);
  if (carrier === null) throw httpProblem('carrier_not_found', `no carrier ${carrierId}`);
  if (principal.kind === 'operator' || principal.accountId === carrier.rootAccountId) {
    return carrier;
  }
  if (await services.access.rootOf(principal) !== carrier.rootAccountId) {
    throw httpProblem('carrier_not_found', `no carrier ${carrierId}`);
  }
  throw httpProblem('forbidden', 'carriers are managed by the operator (the root account)');
}
