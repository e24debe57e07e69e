import type { GrantAnswer, RouteChoice } from '@tollgate/core';
import { routeAttemptLimits } from '../route-attempts.ts';

/** The A-leg variable the dialplan bridges to (docs/integrations/freeswitch-dialplan.xml). */
export const bridgeVariable = 'tollgate_bridge';
/** Per-leg variables that tie a B-leg back to its call and carrier. */
export const callVariable = 'tollgate_call';
export const carrierVariable = 'tollgate_carrier';

/**
 * A gateway goes into a dial string between `|` (failover) and `[...]` (per-leg variables):
 * one carrying those characters, a comma or blanks would change the string's meaning.
 */
const safeGateway = /^[^\s|,[\]{}<>^]{1,256}$/;

export interface Bridge {
  /** `[tollgate_call=<a-leg>,tollgate_carrier=<id>]<gateway><number>|...`, or '' when none. */
  readonly dialString: string;
  /** The carriers in the dial string, in order. */
  readonly carrierOrder: string[];
  /** Carriers left out because their gateway cannot go into a dial string. */
  readonly unsafe: string[];
}

/**
 * The bridge string for a routed grant: the chosen carrier, then its fallbacks, each dialled
 * as `<gateway><number>` (a carrier's gateway is a dial-string prefix such as
 * `sofia/gateway/acme/`). FreeSWITCH tries the legs in order and moves to the next when one
 * fails; each leg carries the call's uuid and its carrier so its hang-up can be reported.
 */
export function bridgeOf(grant: GrantAnswer, uuid: string, destination: string): Bridge {
  const routes: RouteChoice[] = grant.route === undefined ? []
    : [grant.route, ...grant.fallbacks ?? []].slice(0, routeAttemptLimits.attemptsMax);
  const legs: string[] = [];
  const carrierOrder: string[] = [];
  const unsafe: string[] = [];
  for (const route of routes) {
    if (!safeGateway.test(route.gateway)) {
      unsafe.push(route.carrierId);
      continue;
    }
    carrierOrder.push(route.carrierId);
    legs.push(`[${callVariable}=${uuid},${carrierVariable}=${route.carrierId}]` +
      `${route.gateway}${destination}`);
  }
  return { dialString: legs.join('|'), carrierOrder, unsafe };
}

/**
 * Hang-up causes that come from the callee or the caller, not the carrier: the dialplan's
 * `fail_on_single_reject` ends the bridge on the first two, and the caller hanging up while it
 * rings ends it too. None of them moves the call to another carrier.
 */
export const notCarrierFailures: ReadonlySet<string> = new Set(['USER_BUSY', 'CALL_REJECTED',
  'ORIGINATOR_CANCEL']);

/** A B-leg that ended without answer because of its carrier: its call's uuid and carrier. */
export function failedLegOf(headers: ReadonlyMap<string, string>):
{ callUuid: string; carrierId: string } | null {
  const callUuid = headers.get(`variable_${callVariable}`);
  const carrierId = headers.get(`variable_${carrierVariable}`);
  if (callUuid === undefined || carrierId === undefined) return null;
  if (notCarrierFailures.has(headers.get('Hangup-Cause') ?? '')) return null;
  const answered = headers.get('Caller-Channel-Answered-Time');
  if (answered !== undefined && !/^0*$/.test(answered)) return null;
  return { callUuid, carrierId };
}
