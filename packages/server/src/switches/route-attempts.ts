import type { ChargingCode, GrantAnswer, LedgerCode } from '@tollgate/core';
import { routingLimits } from '@tollgate/core';
import { reportUsage, startCall, type SwitchFront } from './switch-front.ts';
import type { IntegrationName } from './teardown/session-origins.ts';

/**
 * Carrier failover on a switch (docs/integrations/README.md, "Routes"). Each carrier tried for
 * a call is a charging session of its own: the first keeps the call's session id, the next
 * ones add `~r<n>`. A carrier that fails before answer ends its session with 0 seconds (free;
 * its quality counts a failed attempt) and the call is authorized again, naming the next
 * carrier of the list the first grant handed out, so the customer pays the price of the
 * carrier that carries the call, and that carrier's account accrues its cost.
 */
export const routeAttemptLimits = {
  /** The chosen carrier and its fallbacks. */
  attemptsMax: 1 + routingLimits.fallbacksMax,
} as const;

export function attemptSessionId(callSessionId: string, attempt: number): string {
  return attempt <= 1 ? callSessionId : `${callSessionId}~r${attempt}`;
}

/** The carriers of a routed grant in the order to try them (empty: the call is not routed). */
export function carrierOrderOf(grant: GrantAnswer): string[] {
  if (grant.route === undefined) return [];
  return [grant.route, ...grant.fallbacks ?? []].map((route) => route.carrierId)
    .slice(0, routeAttemptLimits.attemptsMax);
}

/** A carrier order as kept in a call reference (carrier ids never hold spaces). */
export function encodeCarrierOrder(carrierIds: readonly string[]): string {
  return carrierIds.join(' ');
}

export function decodeCarrierOrder(text: string | number | undefined): string[] {
  return typeof text === 'string' && text !== '' ? text.split(' ')
    .slice(0, routeAttemptLimits.attemptsMax) : [];
}

export interface FailedAttempt {
  readonly callSessionId: string;
  /** The attempt that failed (1 for the first carrier). */
  readonly attempt: number;
  readonly failedCarrierId: string;
  /** Every carrier of the call, in order (`carrierOrderOf` the first grant). */
  readonly carrierOrder: readonly string[];
  readonly integration: IntegrationName;
  readonly callRef: Readonly<Record<string, string | number>>;
  readonly accountId: string;
  readonly caller: string;
  readonly callee: string;
  readonly scopeAccountId?: string;
  /**
   * True when Tollgate picks the next destination (Kamailio's failure_route asks for it): a
   * carrier it may not route to now is skipped. False when the switch already dials the next
   * one of its list (a FreeSWITCH `|` bridge): only that carrier may be authorized.
   */
  readonly skipUnusable: boolean;
}

export type FailoverOutcome =
  | { readonly kind: 'moved'; readonly attempt: number; readonly sessionId: string;
    readonly carrierId: string; readonly grant: GrantAnswer }
  /** No carrier left that Tollgate may route to: the call ends. */
  | { readonly kind: 'exhausted' }
  /** The failed attempt could not be ended, or the next one was refused for another reason. */
  | { readonly kind: 'refused'; readonly code: ChargingCode | LedgerCode };

/**
 * Ends the failed attempt (0 seconds) and authorizes the next usable carrier after it. A
 * carrier Tollgate would not route to now (full, cooling down, loss-making under `protect`)
 * answers `no_route` and is skipped, so a fallback never runs at a loss.
 */
export async function failOver(front: SwitchFront, failed: FailedAttempt):
Promise<FailoverOutcome> {
  const sessionId = attemptSessionId(failed.callSessionId, failed.attempt);
  const ended = await reportUsage(front, { sessionId, usedSeconds: 0, ended: true,
    ...(failed.scopeAccountId === undefined ? {} : { scopeAccountId: failed.scopeAccountId }) });
  if (!ended.ok) return { kind: 'refused', code: ended.code };
  await front.origins.markEnded(sessionId, front.clock.nowMs());
  const position = failed.carrierOrder.indexOf(failed.failedCarrierId);
  const remaining = position < 0 ? [] : failed.carrierOrder.slice(position + 1);
  let attempt = failed.attempt;
  const tries = failed.skipUnusable ? routeAttemptLimits.attemptsMax : 1;
  for (const carrierId of remaining.slice(0, tries)) {
    attempt += 1;
    const next = attemptSessionId(failed.callSessionId, attempt);
    const answer = await startCall(front, { sessionId: next, integration: failed.integration,
      callRef: failed.callRef, accountId: failed.accountId, caller: failed.caller,
      callee: failed.callee, carrierId,
      ...(failed.scopeAccountId === undefined ? {} : { scopeAccountId: failed.scopeAccountId }) });
    if (!answer.ok) return { kind: 'refused', code: answer.code };
    if (answer.value.status === 'granted') {
      return { kind: 'moved', attempt, sessionId: next, carrierId, grant: answer.value };
    }
    await front.origins.markEnded(next, front.clock.nowMs());
    if (answer.value.status !== 'no_route') return { kind: 'refused', code: answer.value.status };
    front.log.warn({ code: 'fallback_unusable', sessionId: next, carrierId },
      'fallback carrier not usable now: skipped');
  }
  return { kind: 'exhausted' };
}
