import { attemptSessionId, decodeCarrierOrder, encodeCarrierOrder } from '../route-attempts.ts';

/**
 * A call the FreeSWITCH agent follows: its A-leg, the carrier session it is charged on now
 * (one per carrier tried, route-attempts.ts) and its grant. The same state is kept in the
 * session's origin (`callRef`), so an agent that restarts picks the call up where it was.
 */
export interface FsCall {
  readonly uuid: string;
  readonly accountId: string;
  readonly caller: string;
  readonly destination: string;
  /** The carriers the dialplan bridges to, in order (empty: the call is not routed). */
  carrierOrder: string[];
  /** The carrier of the current attempt, or null when not routed. */
  carrierId: string | null;
  /** 1 for the first carrier, then 2, 3, ... after each failover. */
  attempt: number;
  answeredAtMs: number | null;
  grantedUntilSeconds: number;
  final: boolean;
  timer: NodeJS.Timeout | undefined;
}

export function eslSessionId(uuid: string): string {
  return `fs:${uuid}`;
}

/** The charging session of the carrier the call is on now. */
export function currentSessionOf(call: FsCall): string {
  return attemptSessionId(eslSessionId(call.uuid), call.attempt);
}

type CallRef = Readonly<Record<string, string | number>>;

/** The call as stored in its origin (strings and numbers only). */
export function callRefOf(call: FsCall): CallRef {
  return { uuid: call.uuid, account: call.accountId, caller: call.caller,
    destination: call.destination, carriers: encodeCarrierOrder(call.carrierOrder),
    carrier: call.carrierId ?? '', attempt: call.attempt,
    answeredAtMs: call.answeredAtMs ?? 0, grantedUntilSeconds: call.grantedUntilSeconds,
    final: call.final ? 1 : 0 };
}

const text = (value: string | number | undefined) => typeof value === 'string' ? value : '';
const whole = (value: string | number | undefined) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;

/**
 * A call back from its origin; null when the origin is not one this agent wrote in full (an
 * older agent stored only the uuid: such a call ends at its armed hang-up, as before).
 */
export function callOfRef(callRef: CallRef, uuidPattern: RegExp): FsCall | null {
  const uuid = text(callRef['uuid']);
  const accountId = text(callRef['account']);
  const attempt = whole(callRef['attempt']);
  if (!uuidPattern.test(uuid) || accountId === '' || attempt < 1) return null;
  const answeredAtMs = whole(callRef['answeredAtMs']);
  const carrierId = text(callRef['carrier']);
  return { uuid, accountId, caller: text(callRef['caller']),
    destination: text(callRef['destination']),
    carrierOrder: decodeCarrierOrder(callRef['carriers']),
    carrierId: carrierId === '' ? null : carrierId, attempt,
    answeredAtMs: answeredAtMs === 0 ? null : answeredAtMs,
    grantedUntilSeconds: whole(callRef['grantedUntilSeconds']),
    final: callRef['final'] === 1, timer: undefined };
}
