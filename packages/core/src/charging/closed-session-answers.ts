import type { GrantAnswer, KillAnswer, TerminateAnswer } from './charging-types.ts';

/** A kill's settlement as the session stores it: tagged `killed`, so replays know it. */
export function killAnswerOf(settlement: TerminateAnswer): KillAnswer {
  return { ...settlement, status: 'killed' };
}

/**
 * A terminate that arrives after a kill gets the kill's settlement as its own: the call was
 * settled once, by the kill, and the switch only needs to hear that it is over.
 */
export function settlementOfKill(killed: KillAnswer): TerminateAnswer {
  return { ...killed, status: 'terminated' };
}

/**
 * "No more time": the answer to an update that meets a closed session (killed, or settled
 * under the number the update carries). No grant is possible, so this tells the switch, whatever
 * its integration, to end the call now; it repeats what the call was charged.
 */
export function finalGrantAfterClose(
  closed: TerminateAnswer | KillAnswer,
  requestNumber: number,
  nowMs: number,
): GrantAnswer {
  return { status: 'granted', sessionId: closed.sessionId, requestNumber, grantedSeconds: 0,
    final: true, hangupAtMs: nowMs, usedSeconds: closed.usedSeconds,
    costMicros: closed.costMicros, currency: closed.currency };
}
