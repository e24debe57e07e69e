import { success } from '../kernel/result.ts';
import { inScope, sessionOutOfScope } from './authorize.ts';
import { checkSessionId, checkUsedSeconds } from './charging-input.ts';
import type { ChargingDeps } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import type { KillAnswer } from './charging-types.ts';
import { chargingProblem, inPricingTransaction } from './charging-work.ts';
import { killAnswerOf } from './closed-session-answers.ts';
import type { SessionRecord } from './session-record.ts';
import { settleAndClose } from './settle-session.ts';

// The answers after a kill, for front ends that keep a kill's settlement of their own.
export { finalGrantAfterClose, settlementOfKill } from './closed-session-answers.ts';

/** Ends a live call from Tollgate's side (an operator's kill, a suspension, fraud control). */
export interface KillInput {
  readonly sessionId: string;
  /** When set, the session's chain must contain this account (the API key's scope). */
  readonly scopeAccountId?: string;
  /**
   * Seconds used at the kill, when the integration that carries the call measured them (the
   * switch knows when the call was answered). Absent: estimated from the last report.
   */
  readonly usedSeconds?: number;
}

/**
 * The seconds a killed call is charged for when the switch did not say: what it last reported
 * plus the whole seconds since that report, never past what was granted (the switch was told
 * to hang up there) and never below what was reported.
 */
export function killedSecondsEstimate(session: SessionRecord, nowMs: number): number {
  const sinceReportS = Math.max(0, Math.floor((nowMs - session.updatedAtMs) / 1000));
  const estimate = Math.min(session.usedSeconds + sinceReportS, session.grantedUntilSeconds);
  return Math.max(session.usedSeconds, estimate);
}

/**
 * kill_session: settles a live call now, in one transaction, with the CDR disposition
 * `killed`. The kill takes the request number the switch was due to send next and stores its
 * settlement, tagged `killed`, under it. Whatever the switch sends afterwards, with that
 * number or any other, is answered from it by charging itself (session-requests.ts): a
 * terminate gets the kill's settlement, an update "0 seconds, final" (the session is closed:
 * no further grant is possible), and no money moves twice. Reaching the call on the switch is
 * the caller's job (server/switches/teardown).
 */
export async function killSession(
  deps: ChargingDeps,
  input: KillInput,
): Promise<ChargingResult<KillAnswer>> {
  const malformed = checkSessionId(input.sessionId) ??
    (input.usedSeconds === undefined ? null : checkUsedSeconds(input.usedSeconds, deps.settings));
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const session = await tx.findSession(input.sessionId);
    if (session === null) {
      return chargingProblem('session_not_found', `no session ${input.sessionId}`);
    }
    const chainIds = session.levels.length > 0
      ? session.levels.map((level) => level.accountId) : [session.accountId];
    if (!inScope(chainIds, input.scopeAccountId)) return sessionOutOfScope(input.sessionId);
    if (session.state !== 'live') {
      return chargingProblem('session_closed', `session ${input.sessionId} is not live`);
    }
    const measured = input.usedSeconds === undefined ? killedSecondsEstimate(session, nowMs)
      : Math.min(Math.max(input.usedSeconds, session.usedSeconds), session.grantedUntilSeconds);
    const closed = await settleAndClose({ deps, tx, session, nowMs, deckOf,
      requestNumber: session.lastRequestNumber + 1, usedSeconds: measured }, 'killed');
    if (!closed.ok) return closed;
    return success(killAnswerOf(closed.value));
  });
}
