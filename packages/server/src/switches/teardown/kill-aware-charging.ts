import {
  finalGrantAfterClose,
  settlementOfKill,
  success,
  type ChargingService,
  type Clock,
} from '@tollgate/core';
import type { SessionOriginStore } from './session-origins.ts';

/**
 * The charging service as every front end sees it (HTTP, RADIUS, ESL, Kamailio). Charging
 * itself answers what a switch sends after a kill: the kill stores its settlement tagged
 * `killed`, so an update gets "0 seconds, final" and a terminate the kill's settlement.
 * Sessions killed before that tag existed stored a plain terminate answer, which charging
 * cannot tell from a normal end: for them a request it finds `session_closed` is answered
 * from the kill's settlement kept with the session's origin. Nothing here moves money.
 */
export function killAwareCharging(
  inner: ChargingService,
  origins: SessionOriginStore,
  clock: Clock,
): ChargingService {
  const killAnswerOf = async (sessionId: string) =>
    (await origins.find(sessionId))?.killAnswer ?? null;
  return {
    ...inner,
    update: async (input) => {
      const result = await inner.update(input);
      if (result.ok || result.code !== 'session_closed') return result;
      const killed = await killAnswerOf(input.sessionId);
      if (killed === null) return result;
      return success(finalGrantAfterClose(killed, input.requestNumber, clock.nowMs()));
    },
    terminate: async (input) => {
      const result = await inner.terminate(input);
      if (result.ok || result.code !== 'session_closed') return result;
      const killed = await killAnswerOf(input.sessionId);
      return killed === null ? result : success(settlementOfKill(killed));
    },
  };
}
