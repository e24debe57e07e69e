import {
  success,
  type ChargingService,
  type Clock,
  type GrantAnswer,
  type KillAnswer,
  type TerminateAnswer,
} from '@tollgate/core';
import type { SessionOriginStore } from './session-origins.ts';

/**
 * "No more time": the answer to an update that arrives after a kill. The session is closed, so
 * no grant is possible; this tells the switch to end the call now, whatever integration it is.
 */
function finalGrantAfterKill(
  killed: Pick<KillAnswer, 'sessionId' | 'usedSeconds' | 'costMicros' | 'currency'>,
  requestNumber: number,
  nowMs: number,
): GrantAnswer {
  return { status: 'granted', sessionId: killed.sessionId, requestNumber, grantedSeconds: 0,
    final: true, hangupAtMs: nowMs, usedSeconds: killed.usedSeconds,
    costMicros: killed.costMicros, currency: killed.currency };
}

function terminatedByKill(killed: KillAnswer): TerminateAnswer {
  return { ...killed, status: 'terminated' };
}

/**
 * The charging service as every front end sees it (HTTP, RADIUS, ESL, Kamailio): the core's,
 * plus the answers a switch needs after Tollgate killed its call. The kill took the request
 * number the switch was due to send, so its next request is a retransmission of the kill: an
 * update then replays a terminate answer, which becomes "0 seconds, final"; a later request
 * finds the session closed, and the stored kill answers it. Nothing here moves money.
 */
export function killAwareCharging(
  inner: ChargingService,
  origins: SessionOriginStore,
  clock: Clock,
): ChargingService {
  return {
    ...inner,
    update: async (input) => {
      const result = await inner.update(input);
      if (result.ok) {
        const answer = result.value as GrantAnswer | TerminateAnswer;
        if (answer.status !== 'terminated') return result;
        return success(finalGrantAfterKill(answer, input.requestNumber, clock.nowMs()));
      }
      if (result.code !== 'session_closed') return result;
      const killed = (await origins.find(input.sessionId))?.killAnswer ?? null;
      if (killed === null) return result;
      return success(finalGrantAfterKill(killed, input.requestNumber, clock.nowMs()));
    },
    terminate: async (input) => {
      const result = await inner.terminate(input);
      if (result.ok || result.code !== 'session_closed') return result;
      const killed = (await origins.find(input.sessionId))?.killAnswer ?? null;
      return killed === null ? result : success(terminatedByKill(killed));
    },
  };
}
