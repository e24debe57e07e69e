import type { SwitchFront, SessionQueue } from '../switch-front.ts';
import { pushGrantToNas, type RadiusLongCalls } from './radius-renewal.ts';
import { reportUsage, startCall } from '../switch-front.ts';
import {
  acctStatusTypes,
  integerAttribute,
  integerOf,
  radiusAttributes as attr,
  radiusCodes,
  textAttribute,
  textOf,
  vendorAttribute,
  type RadiusAttribute,
  type RadiusPacket,
} from './radius-packet.ts';
import { namedCarrierOf, routeAttributesOf } from './radius-routes.ts';

/** What the server does with a request: send a reply, or drop it (logged with a code). */
export type RadiusOutcome =
  | { readonly kind: 'reply'; readonly code: number; readonly attributes: RadiusAttribute[] }
  | { readonly kind: 'drop'; readonly code: string; readonly detail: string };

const ciscoVendorId = 9;
const ciscoCreditTime = 102;
const ciscoReturnCode = 103;
/** Acct-Session-Ids longer than this are refused: the session id must stay under 200. */
const acctSessionIdLengthMax = 128;

/** Tollgate's session id for a NAS's call: the NAS address keeps two NASes' ids apart. */
export function radiusSessionId(nasAddress: string, acctSessionId: string): string {
  return `rad:${nasAddress}:${acctSessionId}`;
}

/** Called-Station-Id as digits: a leading + is dropped; anything else non-digit is kept
 * (and refused by charging as `invalid_number`). */
function calleeOf(text: string | undefined): string {
  return (text ?? '').trim().replace(/^\+/, '');
}

function reject(code: string, returnCode: number): RadiusOutcome {
  return { kind: 'reply', code: radiusCodes.accessReject, attributes: [
    textAttribute(attr.replyMessage, code),
    vendorAttribute(ciscoVendorId, ciscoReturnCode, `h323-return-code=${returnCode}`)] };
}

/**
 * Access-Request -> authorize. User-Name is the Tollgate account, Calling-Station-Id the
 * caller, Called-Station-Id the number, Acct-Session-Id the call. The Accept carries the grant
 * as Session-Timeout (and Cisco's h323-credit-time), and Class = the session id; a refusal is
 * an Access-Reject whose Reply-Message is the refusal's code.
 */
export async function handleAccessRequest(
  front: SwitchFront,
  packet: RadiusPacket,
  nasAddress: string,
  longCalls: RadiusLongCalls | null = null,
): Promise<RadiusOutcome> {
  const accountId = textOf(packet, attr.userName);
  const acctSessionId = textOf(packet, attr.acctSessionId);
  if (accountId === undefined || accountId === '') return reject('missing_user_name', 1);
  if (acctSessionId === undefined || acctSessionId === '' ||
    acctSessionId.length > acctSessionIdLengthMax) {
    return reject('missing_acct_session_id', 1);
  }
  const sessionId = radiusSessionId(nasAddress, acctSessionId);
  const carrierId = namedCarrierOf(packet);
  const answer = await startCall(front, { sessionId, integration: 'radius',
    callRef: { nas: nasAddress, acctSessionId, userName: accountId }, accountId,
    caller: textOf(packet, attr.callingStationId) ?? '',
    callee: calleeOf(textOf(packet, attr.calledStationId)),
    ...(carrierId === undefined ? {} : { carrierId }) });
  if (!answer.ok) {
    front.log.warn({ code: answer.code, sessionId, nas: nasAddress }, 'Access-Request refused');
    return reject(answer.code, 1);
  }
  if (answer.value.status !== 'granted') {
    front.log.info({ code: answer.value.status, sessionId }, 'call refused');
    return reject(answer.value.status, 4);
  }
  const seconds = answer.value.grantedSeconds;
  const interim = longCalls === null || longCalls.interimSeconds <= 0 ? []
    : [integerAttribute(attr.acctInterimInterval, longCalls.interimSeconds)];
  const routes = routeAttributesOf(answer.value);
  if (routes.tooLong.length > 0) {
    front.log.warn({ code: 'unsafe_gateway', sessionId, carriers: routes.tooLong },
      'gateway too long for a Cisco-AVPair: carrier left out of the Accept');
  }
  return { kind: 'reply', code: radiusCodes.accessAccept, attributes: [
    integerAttribute(attr.sessionTimeout, seconds), ...interim,
    textAttribute(attr.class, sessionId),
    vendorAttribute(ciscoVendorId, ciscoCreditTime, `h323-credit-time=${seconds}`),
    vendorAttribute(ciscoVendorId, ciscoReturnCode, 'h323-return-code=0'),
    ...routes.attributes] };
}

const accountingResponse: RadiusOutcome = { kind: 'reply', code: radiusCodes.accountingResponse,
  attributes: [] };

/**
 * Accounting-Request -> update (Interim-Update) or terminate (Stop), with Acct-Session-Time
 * as the cumulative seconds. Start charges nothing (the Accept already reserved the grant).
 * An Interim-Update's new grant then goes to the NAS (CoA, or Disconnect at the money), after
 * the Accounting-Response and without holding it (radius-renewal.ts).
 * Every record that was understood is acknowledged, even when charging refuses it (logged
 * with its code): a NAS retransmits an unanswered record forever. A record the server could
 * not store (an exception) is not answered, so the NAS sends it again.
 */
export async function handleAccountingRequest(
  front: SwitchFront,
  queue: SessionQueue,
  packet: RadiusPacket,
  nasAddress: string,
  longCalls: RadiusLongCalls | null = null,
): Promise<RadiusOutcome> {
  const status = integerOf(packet, attr.acctStatusType);
  if (status === acctStatusTypes.accountingOn || status === acctStatusTypes.accountingOff) {
    front.log.info({ code: 'nas_restarted', nas: nasAddress, status },
      'Accounting-On/Off: its live calls end with their grants');
    return accountingResponse;
  }
  const acctSessionId = textOf(packet, attr.acctSessionId);
  if (acctSessionId === undefined || acctSessionId === '' ||
    acctSessionId.length > acctSessionIdLengthMax) {
    return { kind: 'drop', code: 'missing_acct_session_id', detail: `status ${status}` };
  }
  const sessionId = radiusSessionId(nasAddress, acctSessionId);
  if (status === acctStatusTypes.start) {
    front.log.info({ code: 'accounting_start', sessionId }, 'call answered');
    return accountingResponse;
  }
  const usedSeconds = integerOf(packet, attr.acctSessionTime);
  const ended = status === acctStatusTypes.stop;
  if ((!ended && status !== acctStatusTypes.interimUpdate) || usedSeconds === undefined) {
    front.log.warn({ code: 'unsupported_accounting_record', sessionId, status },
      'accounting record without a status or Acct-Session-Time: acknowledged, not charged');
    return accountingResponse;
  }
  const result = await queue.run(sessionId, () =>
    reportUsage(front, { sessionId, usedSeconds, ended }));
  if (!result.ok) {
    front.log.warn({ code: result.code, sessionId, usedSeconds },
      'accounting record acknowledged but not charged');
  } else if (!ended && result.value.status === 'granted' && longCalls?.dynamicAuth) {
    const grant = result.value;
    const dynamicAuth = longCalls.dynamicAuth;
    setImmediate(() => void pushGrantToNas(front, dynamicAuth, sessionId, grant)
      .catch((error: unknown) => front.log.warn({ code: 'internal_error', sessionId,
        detail: error instanceof Error ? error.message : String(error) },
      'grant not pushed to the NAS: the call ends at its Session-Timeout')));
  }
  return accountingResponse;
}
