import type { Cdr, GrantAnswer, RefusalAnswer, RouteChoice } from '@tollgate/core';
import type { Principal } from '../auth/api-keys.ts';
import type { Access } from '../auth/access.ts';
import { tenantIdsOf } from './tenant-ids.ts';

/**
 * What a key may see of the levels above it (issue 14, "what each tier may see"). A customer
 * sees its own price; a reseller sees its own cost (its level) and what its customers pay, never
 * what its parent pays upward, nor which carrier carried the call or at what cost. The operator
 * key and the root's key see everything: the carriers are theirs.
 */

/** The CDR levels at or below the key's account (levels are stored customer first). */
export function cdrForKey(cdr: Cdr, principal: Principal): Cdr {
  if (principal.kind === 'operator') return cdr;
  const position = cdr.levels.findIndex((level) => level.accountId === principal.accountId);
  const levels = position < 0 ? [] : cdr.levels.slice(0, position + 1);
  const root = cdr.levels.at(-1)?.accountId === principal.accountId;
  const carrier = root && cdr.carrier !== null ? { ...cdr.carrier,
    carrierId: tenantIdsOf(principal).shown(cdr.carrier.carrierId) } : null;
  return { ...cdr, levels, carrier };
}

/** The route a grant hands to the switch is the root's business: carrier and gateway. */
export async function grantForKey(
  answer: GrantAnswer,
  principal: Principal,
  access: Access,
): Promise<GrantAnswer> {
  if (answer.route === undefined || principal.kind === 'operator') return answer;
  if (await access.rootOf(principal) === principal.accountId) {
    const ids = tenantIdsOf(principal);
    const shown = (route: RouteChoice) => ({ ...route, carrierId: ids.shown(route.carrierId) });
    return { ...answer, route: shown(answer.route),
      ...(answer.fallbacks === undefined ? {} : { fallbacks: answer.fallbacks.map(shown) }) };
  }
  const { route: _hidden, fallbacks: _alsoHidden, ...rest } = answer;
  return rest;
}

/**
 * `binding` says whether the call's own account or one above it cannot pay. A refusal caused
 * above the key's own account keeps its precise code but neither the account's name nor its
 * finances: "your reseller is out of credit" is all a customer may learn.
 */
export type RefusalBinding = 'account' | 'upstream';

export async function refusalForKey(
  answer: RefusalAnswer,
  callAccountId: string,
  principal: Principal,
  access: Access,
): Promise<{ readonly answer: RefusalAnswer; readonly binding: RefusalBinding | null }> {
  if (answer.accountId === null) return { answer, binding: null };
  const binding: RefusalBinding = answer.accountId === callAccountId ? 'account' : 'upstream';
  if (principal.kind === 'operator' ||
    (await access.account(principal, answer.accountId, 'subtree')).ok) {
    return { answer, binding };
  }
  return { binding, answer: { ...answer, accountId: null,
    message: `an account above yours cannot pay for this call (${answer.status})` } };
}
