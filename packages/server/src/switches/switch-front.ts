import {
  problem,
  type ChargingResult,
  type ChargingService,
  type Clock,
  type GrantAnswer,
  type RefusalAnswer,
  type TerminateAnswer,
} from '@tollgate/core';
import type { IntegrationName, SessionOriginStore } from './teardown/session-origins.ts';
import type { SwitchLog } from './teardown/switch-log.ts';
import type { AppServices } from '../http/app-services.ts';

/** What every switch front end (RADIUS, ESL, Kamailio) charges through. */
export interface SwitchFront {
  /** The kill-aware charging service (teardown/kill-aware-charging.ts). */
  readonly charging: ChargingService;
  readonly origins: SessionOriginStore;
  readonly clock: Clock;
  readonly log: SwitchLog;
}

/**
 * The front every switch integration charges through: the app's charging service (or a view
 * of it, such as a protocol's metered one), origins, clock and switch log.
 */
export function switchFrontOf(services: AppServices,
  charging: ChargingService = services.charging): SwitchFront {
  return { charging, origins: services.switches.origins, clock: services.clock,
    log: services.switches.log };
}

export const switchFrontLimits = {
  /** Sessions with a report in flight; past it reports are not ordered (never dropped). */
  sessionsQueuedMax: 100_000,
} as const;

/**
 * Runs the reports of one session one after the other: a switch may send an interim and a
 * stop back to back, and each takes the next request number from the origin's counter.
 */
export class SessionQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    if (this.#tails.size >= switchFrontLimits.sessionsQueuedMax) return work();
    const previous = this.#tails.get(sessionId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#tails.set(sessionId, tail);
    void tail.then(() => {
      if (this.#tails.get(sessionId) === tail) this.#tails.delete(sessionId);
    });
    return next;
  }
}

/**
 * Authorize (request 0) for a call a switch announces. The origin is recorded first, so a kill
 * that arrives right after the grant already knows how to reach the call.
 */
export async function startCall(front: SwitchFront, call: {
  sessionId: string;
  integration: IntegrationName;
  callRef: Readonly<Record<string, string | number>>;
  accountId: string;
  caller: string;
  callee: string;
  /** The API key's account when the switch calls over HTTP (Kamailio). */
  scopeAccountId?: string;
  /** The carrier the switch dials (a fallback after a failed one); absent: the first route. */
  carrierId?: string;
}): Promise<ChargingResult<GrantAnswer | RefusalAnswer>> {
  await front.origins.record({ sessionId: call.sessionId, integration: call.integration,
    callRef: call.callRef, nowMs: front.clock.nowMs() });
  return front.charging.authorize({ sessionId: call.sessionId, requestNumber: 0,
    accountId: call.accountId, caller: call.caller, callee: call.callee,
    ...(call.scopeAccountId === undefined ? {} : { scopeAccountId: call.scopeAccountId }),
    ...(call.carrierId === undefined ? {} : { carrierId: call.carrierId }) });
}

export type UsageAnswer = GrantAnswer | TerminateAnswer;

/**
 * An update (`ended` false) or a terminate with the cumulative seconds the switch reports. The
 * request number is the origin's counter + 1, moved forward only after charging answered; if
 * the process dies in between, the same number is sent again and charging replays its stored
 * answer, so nothing is charged twice.
 */
export async function reportUsage(front: SwitchFront, report: {
  sessionId: string;
  usedSeconds: number;
  ended: boolean;
  scopeAccountId?: string;
}): Promise<ChargingResult<UsageAnswer>> {
  const origin = await front.origins.find(report.sessionId);
  if (origin === null) {
    return problem('session_not_found', `no switch session ${report.sessionId}`);
  }
  const requestNumber = origin.requestNumber + 1;
  const input = { sessionId: report.sessionId, requestNumber, usedSeconds: report.usedSeconds,
    ...(report.scopeAccountId === undefined ? {} : { scopeAccountId: report.scopeAccountId }) };
  const result: ChargingResult<UsageAnswer> = report.ended
    ? await front.charging.terminate(input) : await front.charging.update(input);
  if (result.ok) {
    await front.origins.advanceRequestNumber(report.sessionId, requestNumber,
      front.clock.nowMs());
  }
  return result;
}
