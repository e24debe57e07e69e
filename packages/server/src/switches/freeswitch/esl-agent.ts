import type { GrantAnswer } from '@tollgate/core';
import { reportUsage, SessionQueue, startCall, type SwitchFront } from '../switch-front.ts';
import type { SessionOrigin } from '../teardown/session-origins.ts';
import type { TeardownDriver, TeardownOutcome } from '../teardown/teardown-registry.ts';
import { EslConnection } from './esl-connection.ts';
import type { EslMessage } from './esl-parser.ts';

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

interface FsCall {
  readonly uuid: string;
  readonly sessionId: string;
  readonly destination: string;
  answeredAtMs: number | null;
  grantedUntilSeconds: number;
  final: boolean;
  timer: NodeJS.Timeout | undefined;
}

const uuidPattern = /^[\w-]{1,64}$/;

export function eslSessionId(uuid: string): string {
  return `fs:${uuid}`;
}

/** Whole seconds from an ESL µs-epoch header, or null when absent or zero. */
function msOfMicros(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,19}$/.test(text) || /^0+$/.test(text)) return null;
  return Number(BigInt(text) / 1000n);
}

export interface EslAgent extends TeardownDriver {
  /** Calls followed now (tests and metrics). */
  readonly liveCalls: () => number;
  stop(): Promise<void>;
}

/**
 * The FreeSWITCH agent (inbound event socket). A call is charged when its A-leg parks with the
 * channel variable `tollgate_account` set (docs/integrations/freeswitch.md):
 * - CHANNEL_PARK -> authorize; granted: `uuid_transfer` to the authorized context; refused:
 *   `uuid_kill`;
 * - CHANNEL_ANSWER -> `sched_hangup +<grant>` (the switch enforces the grant even if Tollgate
 *   goes away), then an update shortly before each grant ends, re-arming `sched_hangup`;
 * - CHANNEL_HANGUP_COMPLETE -> terminate with `variable_billsec`;
 * - a kill is `uuid_kill`.
 * A lost connection is re-opened with backoff; calls that ended meanwhile (`uuid_exists`
 * false) are terminated with the seconds measured here. Every report goes through the
 * origin's request counter, so nothing is charged twice across reconnects.
 */
export function startEslAgent(options: EslAgentOptions): EslAgent {
  const { front } = options;
  const calls = new Map<string, FsCall>();
  const queue = new SessionQueue();
  let connection: EslConnection | null = null;
  let stopped = false;
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
    const grantS = call.grantedUntilSeconds - elapsedSeconds(call);
    const leadS = Math.min(eslAgentLimits.updateLeadSeconds, Math.floor(grantS / 2));
    call.timer = setTimeout(() => void nibble(call), Math.max(0, grantS - leadS) * 1000);
  };

  const nibble = async (call: FsCall) => {
    if (!calls.has(call.uuid)) return;
    const usedSeconds = elapsedSeconds(call);
    const answer = await queue.run(call.sessionId, () =>
      reportUsage(front, { sessionId: call.sessionId, usedSeconds, ended: false }));
    if (!calls.has(call.uuid)) return;
    if (!answer.ok || answer.value.status !== 'granted') {
      warn(answer.ok ? 'session_closed' : answer.code, { uuid: call.uuid },
        'update not granted: the call ends at its current grant');
      call.final = true;
      return;
    }
    const grant: GrantAnswer = answer.value;
    call.grantedUntilSeconds = Math.min(usedSeconds, grant.usedSeconds) + grant.grantedSeconds;
    call.final = grant.final;
    await arm(call);
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
    if (!/^\+?\d{1,32}$/.test(destination)) {
      warn('invalid_number', { uuid }, 'destination is not a number: refused');
      await api(`uuid_kill ${uuid} CALL_REJECTED`);
      return;
    }
    if (calls.size >= eslAgentLimits.callsMax) {
      warn('calls_bound_reached', { uuid }, 'too many calls followed: refused');
      await api(`uuid_kill ${uuid} CALL_REJECTED`);
      return;
    }
    const call: FsCall = { uuid, sessionId: eslSessionId(uuid), destination, answeredAtMs: null,
      grantedUntilSeconds: 0, final: false, timer: undefined };
    calls.set(uuid, call);
    const answer = await startCall(front, { sessionId: call.sessionId, integration: 'freeswitch',
      callRef: { uuid }, accountId, caller: headers.get('Caller-Caller-ID-Number') ?? '',
      callee: destination.replace(/^\+/, '') });
    if (!answer.ok || answer.value.status !== 'granted') {
      calls.delete(uuid);
      warn(answer.ok ? answer.value.status : answer.code, { uuid }, 'call refused');
      await api(`uuid_kill ${uuid} CALL_REJECTED`);
      return;
    }
    call.grantedUntilSeconds = answer.value.grantedSeconds;
    call.final = answer.value.final;
    const moved = await api(`uuid_transfer ${uuid} ${destination} XML ` +
      options.authorizedContext);
    if (!moved.startsWith('+OK')) warn('transfer_failed', { uuid, reply: moved }, 'not routed');
  };

  const onAnswer = async (headers: ReadonlyMap<string, string>) => {
    const call = calls.get(headers.get('Unique-ID') ?? '');
    if (call === undefined || call.answeredAtMs !== null) return;
    call.answeredAtMs = msOfMicros(headers.get('Caller-Channel-Answered-Time')) ?? Date.now();
    await arm(call);
  };

  const end = async (call: FsCall, usedSeconds: number) => {
    clearTimeout(call.timer);
    calls.delete(call.uuid);
    const ended = await queue.run(call.sessionId, () =>
      reportUsage(front, { sessionId: call.sessionId, usedSeconds, ended: true }));
    if (!ended.ok) warn(ended.code, { uuid: call.uuid }, 'terminate not charged');
  };

  const onHangup = async (headers: ReadonlyMap<string, string>) => {
    const call = calls.get(headers.get('Unique-ID') ?? '');
    if (call === undefined) return;
    const billsec = headers.get('variable_billsec');
    const reported = billsec !== undefined && /^\d{1,9}$/.test(billsec) ? Number(billsec)
      : elapsedSeconds(call);
    await end(call, call.answeredAtMs === null ? 0 : reported);
  };

  const onEvent = (event: EslMessage) => {
    const name = event.headers.get('Event-Name');
    const handled = name === 'CHANNEL_PARK' ? onPark(event.headers)
      : name === 'CHANNEL_ANSWER' ? onAnswer(event.headers)
        : name === 'CHANNEL_HANGUP_COMPLETE' ? onHangup(event.headers) : null;
    handled?.catch((error: unknown) => warn('internal_error', { event: name,
      detail: error instanceof Error ? error.message : String(error) }, 'event not handled'));
  };

  /** After a reconnect: calls that ended while the socket was down are terminated now. */
  const reconcile = async () => {
    for (const call of [...calls.values()]) {
      const exists = await api(`uuid_exists ${call.uuid}`);
      if (exists === 'false') await end(call, elapsedSeconds(call));
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
