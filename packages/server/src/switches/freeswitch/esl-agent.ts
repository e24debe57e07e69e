import type { GrantAnswer } from '@tollgate/core';
import { carrierOrderOf, failOver } from '../route-attempts.ts';
import { reportUsage, SessionQueue, startCall, type SwitchFront } from '../switch-front.ts';
import type { SessionOrigin } from '../teardown/session-origins.ts';
import type { TeardownDriver, TeardownOutcome } from '../teardown/teardown-registry.ts';
import { bridgeOf, bridgeVariable, failedLegOf } from './esl-bridge.ts';
import { callRefOf, currentSessionOf, eslSessionId, type FsCall } from './esl-call.ts';
import { EslConnection } from './esl-connection.ts';
import type { EslMessage } from './esl-parser.ts';
import { reattachCalls } from './esl-reattach.ts';

export { eslSessionId } from './esl-call.ts';

export const eslAgentLimits = {
  /** Calls followed at once; past it new calls are refused (uuid_kill), never unbilled. */
  callsMax: 50_000,
  /** An update is sent this long before the grant ends (or half the grant, if shorter). */
  updateLeadSeconds: 5,
  reconnectDelayMsMin: 200,
  reconnectDelayMsMax: 5_000,
} as const;

/** The events the agent subscribes to. */
export const eslEventNames = ['CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE'];

export interface EslAgentOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly front: SwitchFront;
  /** The dialplan context a granted call is transferred to (it bridges the call). */
  readonly authorizedContext: string;
}

export const uuidPattern = /^[\w-]{1,64}$/;

/** Whole seconds from an ESL µs-epoch header, or null when absent or zero. */
function msOfMicros(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,19}$/.test(text) || /^0+$/.test(text)) return null;
  return Number(BigInt(text) / 1000n);
}

export interface EslAgent extends TeardownDriver {
  /** Calls followed now (tests and metrics). */
  readonly liveCalls: () => number;
  /** Stops following calls; they go on in FreeSWITCH, armed to hang up at their grant. */
  stop(): Promise<void>;
}

/**
 * The FreeSWITCH agent (inbound event socket). A call is charged when its A-leg parks with the
 * channel variable `tollgate_account` set (docs/integrations/freeswitch.md):
 * - CHANNEL_PARK -> authorize; granted: a routed call gets its bridge string in
 *   `tollgate_bridge`, then `uuid_transfer` to the authorized context; refused: `uuid_kill`;
 * - a B-leg that hangs up unanswered -> failover to the next carrier of the bridge string;
 * - CHANNEL_ANSWER -> `sched_hangup +<grant>` (the switch enforces the grant even if Tollgate
 *   goes away), then an update shortly before each grant ends, re-arming `sched_hangup`;
 * - CHANNEL_HANGUP_COMPLETE -> terminate with `variable_billsec`;
 * - a kill is `uuid_kill`.
 * A lost connection is re-opened with backoff; calls that ended meanwhile (`uuid_exists`
 * false) are terminated with the seconds measured here. At start the agent re-attaches to the
 * calls a previous run followed (esl-reattach.ts). Every report goes through the origin's
 * request counter, so nothing is charged twice across reconnects and restarts.
 */
export function startEslAgent(options: EslAgentOptions): EslAgent {
  const { front } = options;
  const calls = new Map<string, FsCall>();
  // One queue per A-leg: park, failovers, answer, updates and hang-up of a call in order.
  const queue = new SessionQueue();
  let connection: EslConnection | null = null;
  let stopped = false;
  let reattached = false;
  let reconnectDelayMs: number = eslAgentLimits.reconnectDelayMsMin;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const api = async (command: string): Promise<string> => {
    if (connection === null || connection.closed) return '-ERR not connected';
    try {
      return await connection.api(command);
    } catch (error) {
      return `-ERR ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  const warn = (code: string, fields: Record<string, unknown>, message: string) =>
    front.log.warn({ code, ...fields }, message);
  const save = (call: FsCall) => front.origins.updateCallRef(currentSessionOf(call),
    callRefOf(call), front.clock.nowMs());

  const elapsedSeconds = (call: FsCall) => call.answeredAtMs === null ? 0
    : Math.max(0, Math.floor((Date.now() - call.answeredAtMs) / 1000));

  const arm = async (call: FsCall) => {
    clearTimeout(call.timer);
    const remainingS = call.grantedUntilSeconds - elapsedSeconds(call);
    if (remainingS <= 0) {
      await api(`uuid_kill ${call.uuid} ALLOTTED_TIMEOUT`);
      return;
    }
    const armed = await api(`sched_hangup +${remainingS} ${call.uuid} ALLOTTED_TIMEOUT`);
    if (!armed.startsWith('+OK')) {
      warn('sched_hangup_failed', { uuid: call.uuid, reply: armed },
        'the grant is not armed on the switch: Tollgate will kill the call at its end');
    }
    if (call.final) return;
    const leadS = Math.min(eslAgentLimits.updateLeadSeconds, Math.floor(remainingS / 2));
    call.timer = setTimeout(() => void queue.run(call.uuid, () => nibble(call)),
      Math.max(0, remainingS - leadS) * 1000);
  };

  const nibble = async (call: FsCall) => {
    if (calls.get(call.uuid) !== call) return;
    const usedSeconds = elapsedSeconds(call);
    const answer = await reportUsage(front, { sessionId: currentSessionOf(call), usedSeconds,
      ended: false });
    if (calls.get(call.uuid) !== call) return;
    if (!answer.ok || answer.value.status !== 'granted') {
      warn(answer.ok ? 'session_closed' : answer.code, { uuid: call.uuid },
        'update not granted: the call ends at its current grant');
      call.final = true;
      return;
    }
    const grant: GrantAnswer = answer.value;
    call.grantedUntilSeconds = Math.min(usedSeconds, grant.usedSeconds) + grant.grantedSeconds;
    call.final = grant.final;
    await save(call);
    await arm(call);
  };

  const refuse = async (uuid: string, code: string, cause: string) => {
    calls.delete(uuid);
    warn(code, { uuid }, 'call refused');
    await api(`uuid_kill ${uuid} ${cause}`);
  };

  /** Sets the bridge string of a routed call; false when no carrier can be dialled. */
  const setBridge = async (call: FsCall, grant: GrantAnswer): Promise<boolean> => {
    const bridge = bridgeOf(grant, call.uuid, call.destination);
    if (bridge.unsafe.length > 0) {
      warn('unsafe_gateway', { uuid: call.uuid, carriers: bridge.unsafe },
        'gateway not usable in a dial string: carrier left out');
    }
    call.carrierOrder = bridge.carrierOrder;
    if (bridge.dialString === '') return false;
    const set = await api(`uuid_setvar ${call.uuid} ${bridgeVariable} ${bridge.dialString}`);
    // Without the variable the dialplan would bridge to another gateway than the one charged.
    if (set.startsWith('+OK')) return true;
    warn('setvar_failed', { uuid: call.uuid, reply: set }, 'bridge string not set: call ended');
    return false;
  };

  const onPark = async (headers: ReadonlyMap<string, string>) => {
    const uuid = headers.get('Unique-ID') ?? '';
    const accountId = headers.get('variable_tollgate_account');
    if (accountId === undefined || calls.has(uuid)) return;
    const destination = headers.get('Caller-Destination-Number') ?? '';
    // Both go into api commands: anything but a plain uuid and a number is refused.
    if (!uuidPattern.test(uuid)) {
      warn('bad_event', { uuid: uuid.slice(0, 80) }, 'CHANNEL_PARK without a usable Unique-ID');
      return;
    }
    if (!/^\+?\d{1,32}$/.test(destination)) return refuse(uuid, 'invalid_number', 'CALL_REJECTED');
    if (calls.size >= eslAgentLimits.callsMax) {
      return refuse(uuid, 'calls_bound_reached', 'CALL_REJECTED');
    }
    const call: FsCall = { uuid, accountId, caller: headers.get('Caller-Caller-ID-Number') ?? '',
      destination: destination.replace(/^\+/, ''), carrierOrder: [], carrierId: null,
      attempt: 1, answeredAtMs: null, grantedUntilSeconds: 0, final: false, timer: undefined };
    calls.set(uuid, call);
    const answer = await startCall(front, { sessionId: eslSessionId(uuid),
      integration: 'freeswitch', callRef: { uuid }, accountId, caller: call.caller,
      callee: call.destination });
    if (!answer.ok || answer.value.status !== 'granted') {
      return refuse(uuid, answer.ok ? answer.value.status : answer.code, 'CALL_REJECTED');
    }
    call.grantedUntilSeconds = answer.value.grantedSeconds;
    call.final = answer.value.final;
    call.carrierId = answer.value.route?.carrierId ?? null;
    if (carrierOrderOf(answer.value).length > 0 && !await setBridge(call, answer.value)) {
      await end(call, 0);
      await api(`uuid_kill ${uuid} NO_ROUTE_DESTINATION`);
      return;
    }
    await save(call);
    const moved = await api(`uuid_transfer ${uuid} ${destination} XML ` +
      options.authorizedContext);
    if (!moved.startsWith('+OK')) warn('transfer_failed', { uuid, reply: moved }, 'not routed');
  };

  /** A carrier's leg failed before answer: charge the call on the next one FreeSWITCH dials. */
  const onFailedLeg = async (leg: { callUuid: string; carrierId: string }) => {
    const call = calls.get(leg.callUuid);
    if (call === undefined || call.answeredAtMs !== null || call.carrierId !== leg.carrierId) {
      return;
    }
    const position = call.carrierOrder.indexOf(leg.carrierId);
    const outcome = await failOver(front, { callSessionId: eslSessionId(call.uuid),
      attempt: call.attempt, failedCarrierId: leg.carrierId, carrierOrder: call.carrierOrder,
      integration: 'freeswitch', callRef: { uuid: call.uuid }, accountId: call.accountId,
      caller: call.caller, callee: call.destination, skipUnusable: false });
    if (outcome.kind === 'moved') {
      call.attempt = outcome.attempt;
      call.carrierId = outcome.carrierId;
      call.grantedUntilSeconds = outcome.grant.grantedSeconds;
      call.final = outcome.grant.final;
      await save(call);
      return;
    }
    calls.delete(call.uuid);
    // The last carrier failed: FreeSWITCH ends the call itself. Otherwise it is dialling a
    // carrier Tollgate will not pay for now: the call ends here.
    if (outcome.kind === 'exhausted' && position === call.carrierOrder.length - 1) return;
    warn(outcome.kind === 'refused' ? outcome.code : 'fallback_unusable', { uuid: call.uuid },
      'failover refused: call ended');
    await api(`uuid_kill ${call.uuid} NO_ROUTE_DESTINATION`);
  };

  const onAnswer = async (headers: ReadonlyMap<string, string>) => {
    const call = calls.get(headers.get('Unique-ID') ?? '');
    if (call === undefined || call.answeredAtMs !== null) return;
    call.answeredAtMs = msOfMicros(headers.get('Caller-Channel-Answered-Time')) ?? Date.now();
    await save(call);
    await arm(call);
  };

  const end = async (call: FsCall, usedSeconds: number) => {
    clearTimeout(call.timer);
    calls.delete(call.uuid);
    const sessionId = currentSessionOf(call);
    const ended = await reportUsage(front, { sessionId, usedSeconds, ended: true });
    if (!ended.ok) warn(ended.code, { uuid: call.uuid }, 'terminate not charged');
    else await front.origins.markEnded(sessionId, front.clock.nowMs());
  };

  const onHangup = async (headers: ReadonlyMap<string, string>) => {
    const call = calls.get(headers.get('Unique-ID') ?? '');
    if (call === undefined) {
      const leg = failedLegOf(headers);
      if (leg !== null) await queue.run(leg.callUuid, () => onFailedLeg(leg));
      return;
    }
    const billsec = headers.get('variable_billsec');
    const reported = billsec !== undefined && /^\d{1,9}$/.test(billsec) ? Number(billsec)
      : elapsedSeconds(call);
    await end(call, call.answeredAtMs === null ? 0 : reported);
  };

  const onEvent = (event: EslMessage) => {
    const name = event.headers.get('Event-Name');
    const uuid = event.headers.get('Unique-ID') ?? '';
    const handled = name === 'CHANNEL_PARK' ? queue.run(uuid, () => onPark(event.headers))
      : name === 'CHANNEL_ANSWER' ? queue.run(uuid, () => onAnswer(event.headers))
        : name === 'CHANNEL_HANGUP_COMPLETE' ? queue.run(uuid, () => onHangup(event.headers))
          : null;
    handled?.catch((error: unknown) => warn('internal_error', { event: name,
      detail: error instanceof Error ? error.message : String(error) }, 'event not handled'));
  };

  /** After a reconnect: calls that ended while the socket was down are terminated now. */
  const reconcile = async () => {
    for (const call of [...calls.values()]) {
      const exists = await api(`uuid_exists ${call.uuid}`);
      if (exists === 'false') {
        await queue.run(call.uuid, () => end(call, Math.min(elapsedSeconds(call),
          call.grantedUntilSeconds)));
      }
    }
  };

  const reattach = async () => {
    if (reattached) return;
    reattached = true;
    const found = await reattachCalls({ front, api, uuidPattern,
      known: (uuid) => calls.has(uuid), callsMax: eslAgentLimits.callsMax });
    for (const call of found.live) {
      calls.set(call.uuid, call);
      if (call.answeredAtMs !== null) await queue.run(call.uuid, () => arm(call));
    }
    for (const call of found.gone) {
      calls.set(call.uuid, call);
      await queue.run(call.uuid, () => end(call, Math.min(elapsedSeconds(call),
        call.grantedUntilSeconds)));
    }
  };

  const open = async () => {
    reconnectTimer = undefined;
    if (stopped) return;
    try {
      connection = await EslConnection.open({ host: options.host, port: options.port,
        password: options.password, events: eslEventNames,
        handlers: { onEvent, onClose: (reason) => {
          if (stopped) return;
          warn('esl_disconnected', { reason }, 'event socket lost: reconnecting');
          reconnectTimer = setTimeout(() => void open(), reconnectDelayMs);
        } } });
      reconnectDelayMs = eslAgentLimits.reconnectDelayMsMin;
      front.log.info({ code: 'esl_connected', host: options.host }, 'event socket connected');
      await reconcile();
      await reattach();
    } catch (error) {
      if (stopped) return;
      warn('esl_connect_failed', { detail: error instanceof Error ? error.message : '' },
        'event socket not reachable: retrying');
      reconnectTimer = setTimeout(() => void open(), reconnectDelayMs);
      reconnectDelayMs = Math.min(reconnectDelayMs * 2, eslAgentLimits.reconnectDelayMsMax);
    }
  };
  void open();

  return {
    liveCalls: () => calls.size,
    usedSecondsOf: (origin: SessionOrigin) => {
      const call = calls.get(String(origin.callRef['uuid'] ?? ''));
      return call === undefined ? undefined : elapsedSeconds(call);
    },
    endCall: async (origin: SessionOrigin): Promise<TeardownOutcome> => {
      const uuid = String(origin.callRef['uuid'] ?? '');
      if (!uuidPattern.test(uuid)) {
        return { status: 'failed', code: 'call_ref_missing', detail: 'no channel uuid' };
      }
      const call = calls.get(uuid);
      if (call !== undefined) {
        clearTimeout(call.timer);
        call.final = true;
      }
      const reply = await api(`uuid_kill ${uuid} MANAGER_REQUEST`);
      if (reply.startsWith('+OK')) return { status: 'ended' };
      return { status: 'failed', code: reply.includes('not connected') ? 'switch_unreachable'
        : 'switch_refused', detail: reply };
    },
    stop: async () => {
      stopped = true;
      clearTimeout(reconnectTimer);
      for (const call of calls.values()) clearTimeout(call.timer);
      connection?.close();
    },
  };
}
