import type { GrantAnswer } from '@tollgate/core';
import { attemptSessionId, carrierOrderOf, encodeCarrierOrder } from '../route-attempts.ts';
import type { SessionOriginStore } from '../teardown/session-origins.ts';

/** A destination URI for `$du`: a SIP URI, one token (the answer line is split on blanks). */
export const sipUri = /^sips?:[^\s]{1,250}$/;

/** What authorize keeps in the call's origin so that /route and /failover can answer. */
export function kamailioRouteRef(grant: GrantAnswer, call: { account: string; caller: string;
  callee: string }): Record<string, string | number> {
  if (grant.route === undefined) return {};
  return { carriers: encodeCarrierOrder(carrierOrderOf(grant)), carrier: grant.route.carrierId,
    gateway: grant.route.gateway, attempt: 1, ...call };
}

/** The session of the carrier a Kamailio call is on now (its first session until a failover). */
export async function currentKamailioSession(origins: SessionOriginStore,
  callSessionId: string): Promise<string> {
  const origin = await origins.find(callSessionId);
  const attempt = origin?.callRef['attempt'];
  return typeof attempt === 'number' ? attemptSessionId(callSessionId, attempt) : callSessionId;
}
