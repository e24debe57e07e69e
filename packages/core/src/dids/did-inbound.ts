import type { ChargingResult, ChargingService } from '../charging/charging-service.ts';
import type { GrantAnswer, RefusalAnswer } from '../charging/charging-types.ts';
import type { DidDeps } from './did-deps.ts';
import { didProblem, type DidProblem } from './did-problem.ts';
import type { DidKey } from './did-store.ts';
import { findDidOwner } from './did-use-cases.ts';

export interface InboundCallInput extends DidKey {
  readonly sessionId: string;
  readonly caller: string;
  /** The caller's key scope (charging's `scopeAccountId`). */
  readonly scopeAccountId?: string;
}

/**
 * Authorizes an inbound call to a number: the same charging use case as an outbound call
 * (grant, nibble with updates, terminate, CDR), paid by the number's owner, each level priced
 * with the inbound deck its parent sells the number with (free without one). A number that
 * nobody holds rings nowhere and is `did_not_assigned`; an owner who cannot pay is refused
 * like any call (`insufficient_funds`, ...).
 */
export async function authorizeInboundCall(
  deps: DidDeps,
  charging: ChargingService,
  input: InboundCallInput,
): Promise<ChargingResult<GrantAnswer | RefusalAnswer> | DidProblem> {
  const owner = await findDidOwner(deps, input);
  if (owner === null) {
    return didProblem('did_not_assigned', `+${input.number} is not assigned`,
      { number: input.number });
  }
  const deckIdByAccount: Record<string, string | null> = {};
  for (const holding of owner.holdings) deckIdByAccount[holding.accountId] = holding.inboundDeckId;
  return charging.authorize({ sessionId: input.sessionId, requestNumber: 0,
    accountId: owner.ownerId, caller: input.caller, callee: owner.did.number,
    inbound: { deckIdByAccount },
    ...(input.scopeAccountId === undefined ? {} : { scopeAccountId: input.scopeAccountId }) });
}
