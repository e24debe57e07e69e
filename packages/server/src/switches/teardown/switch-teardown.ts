import {
  success,
  type ChargingResult,
  type ChargingService,
  type Clock,
  type KillAnswer,
} from '@tollgate/core';
import type { SessionOriginStore } from './session-origins.ts';
import type { SwitchLog } from './switch-log.ts';
import {
  endCallWithin,
  httpTeardownDriver,
  outcomeWithin,
  type TeardownOutcome,
  type TeardownRegistry,
} from './teardown-registry.ts';

export const teardownLimits = {
  /** A switch that has not confirmed a kill by then is reported `teardown_timeout`. */
  teardownTimeoutMs: 1_500,
  /** Live sessions listed per page when ending an account's calls. */
  livePageSize: 200,
  /** Pages at most per suspension: 10,000 calls; more is reported, not looped over. */
  livePagesMax: 50,
} as const;

export interface KilledCall {
  readonly answer: KillAnswer;
  readonly teardown: TeardownOutcome;
}

export interface EndLiveCallsOutcome {
  readonly killed: number;
  /** Sessions that could not be settled (closed meanwhile, or an error): logged each. */
  readonly failed: number;
  /** True when the page bound stopped the walk before the last live call. */
  readonly more: boolean;
}

export interface SwitchTeardown {
  /** kill_session: settle now (disposition `killed`), then end the call on its switch. */
  killSession(input: { sessionId: string; scopeAccountId?: string; reason: string }):
    Promise<ChargingResult<KilledCall>>;
  /**
   * Ends every live call of the account and its subtree on every integration (suspension,
   * fraud control). Settles each call first, then reaches the switches in parallel, each
   * bounded by `teardownTimeoutMs`.
   */
  endLiveCallsOf(accountId: string, reason: string): Promise<EndLiveCallsOutcome>;
  /**
   * Asks the switches of the live calls of the account and its subtree to re-authorize now
   * (a Diameter RAR), because what they may be granted changed: a top-up, a raised limit.
   * Calls on integrations that cannot be asked are skipped (they see it at their next report).
   */
  reauthorizeLiveCallsOf(accountId: string, reason: string): Promise<ReauthorizeOutcome>;
}

export interface ReauthorizeOutcome {
  /** Calls whose switch was asked and agreed. */
  readonly asked: number;
  /** Calls not asked (no driver can, the switch refused or did not answer). */
  readonly skipped: number;
  readonly more: boolean;
}

export function createSwitchTeardown(deps: {
  charging: ChargingService;
  origins: SessionOriginStore;
  registry: TeardownRegistry;
  clock: Clock;
  log: SwitchLog;
}): SwitchTeardown {
  const { charging, origins, registry, clock, log } = deps;
  const killSession: SwitchTeardown['killSession'] = async (input) => {
    const origin = await origins.find(input.sessionId);
    const driver = origin === null ? httpTeardownDriver
      : registry.driverOf(origin.integration);
    const usedSeconds = origin === null ? undefined
      : driver?.usedSecondsOf?.(origin, clock.nowMs());
    const killed = await charging.kill({ sessionId: input.sessionId,
      ...(input.scopeAccountId === undefined ? {} : { scopeAccountId: input.scopeAccountId }),
      ...(usedSeconds === undefined ? {} : { usedSeconds }) });
    if (!killed.ok) return killed;
    await origins.recordKill(input.sessionId, killed.value, clock.nowMs());
    let teardown: TeardownOutcome;
    if (origin === null) teardown = { status: 'next_request' };
    else if (driver === undefined) {
      teardown = { status: 'failed', code: 'no_driver',
        detail: `integration ${origin.integration} is not running in this process` };
    } else {
      teardown = await endCallWithin(driver, origin, { reason: input.reason,
        timeoutMs: teardownLimits.teardownTimeoutMs });
    }
    const fields = { sessionId: input.sessionId, reason: input.reason,
      integration: origin?.integration ?? 'http', usedSeconds: killed.value.usedSeconds };
    if (teardown.status === 'failed') {
      log.warn({ code: teardown.code, ...fields, detail: teardown.detail },
        'call killed and settled, but its switch was not reached: it stops at its grant');
    } else log.info({ code: 'session_killed', ...fields }, 'call killed');
    return success({ answer: killed.value, teardown });
  };

  /**
   * Runs `each` on every live session of the account's subtree, a page at a time (each page in
   * parallel), at most `livePagesMax` pages; counts what `each` did and did not do.
   */
  const forEachLiveSession = async (accountId: string, reason: string,
    each: (sessionId: string) => Promise<boolean>): Promise<EndLiveCallsOutcome> => {
    let done = 0;
    let failed = 0;
    let after: string | undefined;
    for (let page = 0; page < teardownLimits.livePagesMax; page += 1) {
      const listed = await charging.listLiveSessions({ scopeAccountId: accountId,
        limit: teardownLimits.livePageSize,
        ...(after === undefined ? {} : { afterSessionId: after }) });
      if (!listed.ok || listed.value.length === 0) return { killed: done, failed, more: false };
      const outcomes = await Promise.all(listed.value.map((session) => each(session.sessionId)));
      for (const outcome of outcomes) {
        if (outcome) done += 1;
        else failed += 1;
      }
      if (listed.value.length < teardownLimits.livePageSize) {
        return { killed: done, failed, more: false };
      }
      after = listed.value.at(-1)?.sessionId;
    }
    log.warn({ code: 'live_calls_bound_reached', accountId, reason },
      'more live calls than one walk covers; run it again');
    return { killed: done, failed, more: true };
  };

  const endLiveCallsOf: SwitchTeardown['endLiveCallsOf'] = (accountId, reason) =>
    forEachLiveSession(accountId, reason, async (sessionId) => {
      const outcome = await killSession({ sessionId, reason });
      if (!outcome.ok) {
        log.warn({ code: outcome.code, sessionId, reason }, 'a live call could not be killed');
      }
      return outcome.ok;
    });

  const reauthorizeLiveCallsOf: SwitchTeardown['reauthorizeLiveCallsOf'] = async (accountId,
    reason) => {
    const outcome = await forEachLiveSession(accountId, reason, async (sessionId) => {
      const origin = await origins.find(sessionId);
      const driver = origin === null ? undefined : registry.driverOf(origin.integration);
      if (origin === null || driver?.reauthorize === undefined) return false;
      const asked = await outcomeWithin(driver.reauthorize(origin, reason), origin,
        teardownLimits.teardownTimeoutMs);
      if (asked.status === 'failed') {
        log.warn({ code: asked.code, sessionId, reason, detail: asked.detail },
          'a live call was not asked to re-authorize: it sees the change at its next report');
      }
      return asked.status !== 'failed';
    });
    return { asked: outcome.killed, skipped: outcome.failed, more: outcome.more };
  };
  return { killSession, endLiveCallsOf, reauthorizeLiveCallsOf };
}
