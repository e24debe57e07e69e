import type { GrantAnswer } from '@tollgate/core';
import type { SwitchFront } from '../switch-front.ts';
import type { RadiusDynamicAuthorization } from './radius-disconnect.ts';

/** How a RADIUS call outlives its first grant (docs/integrations/radius.md, "Long calls"). */
export interface RadiusLongCalls {
  /** Acct-Interim-Interval in the Access-Accept; 0 sends none (the NAS's own setting). */
  readonly interimSeconds: number;
  /** Where the renewed grant goes (CoA) and how a call is ended at the money (Disconnect). */
  readonly dynamicAuth: RadiusDynamicAuthorization | null;
}

/** The interim interval for a slice: half of it, so a report comes before the grant ends. */
export function interimSecondsFor(sliceSeconds: number): number {
  return Math.max(1, Math.floor(sliceSeconds / 2));
}

/**
 * After an Interim-Update was charged: the grant it got goes to the NAS. More seconds: a
 * CoA-Request whose Session-Timeout is the whole call so far plus the grant (counted from the
 * start, as the Access-Accept's was). Nothing more (the money is gone): a Disconnect-Request.
 * A call that was killed is left alone (the kill sent its own Disconnect-Request). A NAS that
 * refuses or does not answer keeps the Session-Timeout it had, so the call still ends within
 * what was reserved; the failure is logged with its code.
 */
export async function pushGrantToNas(front: SwitchFront, dynamicAuth: RadiusDynamicAuthorization,
  sessionId: string, grant: GrantAnswer): Promise<void> {
  const origin = await front.origins.find(sessionId);
  if (origin === null || origin.integration !== 'radius' || origin.killedAtMs !== null) return;
  const sessionTimeoutSeconds = grant.usedSeconds + grant.grantedSeconds;
  const outcome = grant.grantedSeconds === 0 ? await dynamicAuth.endCall(origin, 'out_of_credit')
    : await dynamicAuth.extendCall(origin, sessionTimeoutSeconds);
  if (outcome.status === 'failed') {
    front.log.warn({ code: outcome.code, sessionId, detail: outcome.detail,
      sessionTimeoutSeconds }, grant.grantedSeconds === 0
      ? 'Disconnect-Request at the money not acknowledged: the call ends at its Session-Timeout'
      : 'CoA-Request not acknowledged: the call ends at its current Session-Timeout');
  }
}
