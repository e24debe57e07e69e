import type { ChargingService } from '@tollgate/core';
import type { RoutingCatalog } from './routing-catalog.ts';

/** Sessions remembered per kind of feedback, so a retransmission is not counted twice. */
const rememberedSessionsMax = 50_000;

function boundedSet() {
  const seen = new Set<string>();
  return {
    /** True the first time `id` is added. */
    add(id: string): boolean {
      if (seen.has(id)) return false;
      if (seen.size >= rememberedSessionsMax) seen.delete(seen.values().next().value!);
      seen.add(id);
      return true;
    },
  };
}

/**
 * Feeds the outcome of routed calls to the routing catalog: an authorize routed to a carrier
 * counts towards its calls per second, a terminate towards its quality (answered or not, and
 * for how long) for the prefix that priced the call.
 */
export function withRoutingFeedback(
  charging: ChargingService,
  catalog: RoutingCatalog,
): ChargingService {
  const attempts = boundedSet();
  const outcomes = boundedSet();
  return {
    ...charging,
    async authorize(input) {
      const result = await charging.authorize(input);
      if (result.ok && result.value.status === 'granted' && result.value.route !== undefined &&
        attempts.add(input.sessionId)) {
        catalog.recordAttempt(result.value.route.carrierId);
      }
      return result;
    },
    async terminate(input) {
      const result = await charging.terminate(input);
      if (result.ok && result.value.carrierId !== undefined &&
        result.value.carrierPrefix !== undefined && outcomes.add(input.sessionId)) {
        catalog.recordOutcome(result.value.carrierId, result.value.carrierPrefix,
          { usedSeconds: result.value.usedSeconds,
            ...(input.pddMs === undefined ? {} : { pddMs: input.pddMs }) });
      }
      return result;
    },
  };
}
