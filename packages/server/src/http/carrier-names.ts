import type { Carrier } from '@tollgate/core';
import type { Principal } from '../auth/api-keys.ts';
import type { RoutingService } from '../routing/routing-service.ts';
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
