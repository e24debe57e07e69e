import type { ChargingService, Clock, GrantAnswer, RefusalAnswer } from '@tollgate/core';
import type { SessionOriginStore } from '../switches/teardown/session-origins.ts';
import { missingAvp } from './avp-read.ts';
import { encodeAnswer, type LocalIdentity } from './base-answers.ts';
import {
  ccaHead,
  ccMoneyOf,
  costInformationOf,
  grantAvps,
  refusalAvps,
} from './cca-build.ts';
import {
  calledDigits,
  parseCreditControlRequest,
  type CreditControlRequest,
} from './ccr-parse.ts';
import { avp, DiameterDecodeError, echoAvp, type DiameterMessage, type OutAvp } from
  './diameter-codec.ts';
import { ccRequestTypes, requestedActions, resultCodes } from './diameter-constants.ts';
import { diameterCallRef } from './diameter-teardown.ts';
import type { ApplicationHandler, PeerInfo } from './peer-connection.ts';
import { answerForCode, refusalResultCode } from './result-mapping.ts';
import type { SessionUsage } from './session-usage.ts';
import { resolveSubscriber, type SubscriberDirectory } from './subscriber-directory.ts';

export interface CreditControlDeps {
  readonly charging: ChargingService;
  readonly directory: SubscriberDirectory;
  readonly local: LocalIdentity;
  readonly usage: SessionUsage;
  /** Where each session lives (its client), so a kill or a re-auth can reach it. */
  readonly origins: SessionOriginStore;
  readonly clock: Clock;
}

interface Answer {
  readonly resultCode: number;
  readonly avps: readonly OutAvp[];
}

/** The caller as the core stores it (at most 128 characters). */
function callerOf(request: CreditControlRequest): string {
  return (request.subscriptionIds[0]?.data ?? '').slice(0, 128);
}

function problemAnswer(code: string, message: string): Answer {
  const mapped = answerForCode(code);
  return { resultCode: mapped.resultCode, avps: [avp('Error-Message', message.slice(0, 200)),
    ...(mapped.failedAvp === undefined ? []
      : [avp('Failed-AVP', [missingAvp(mapped.failedAvp)])])] };
}

/**
 * A problem the core found in a CCR. A request for units it cannot honour (zero, or past the
 * longest call) is 5004 with the Requested-Service-Unit as sent, so the client sees the value.
 */
function requestProblem(request: CreditControlRequest, code: string, message: string): Answer {
  if (code === 'invalid_requested_seconds' && request.requestedSeconds !== null) {
    return failed(resultCodes.invalidAvpValue, message.slice(0, 200),
      avp('Requested-Service-Unit', [avp('CC-Time', request.requestedSeconds)]));
  }
  return problemAnswer(code, message);
}

/** RSU CC-Time as the core's requested seconds; absent (or an empty RSU): the slice. */
function requestedOf(request: CreditControlRequest): { requestedSeconds?: number } {
  return request.requestedSeconds === null ? {} : { requestedSeconds: request.requestedSeconds };
}

function failed(resultCode: number, message: string, failedAvp?: OutAvp): Answer {
  return { resultCode, avps: [avp('Error-Message', message),
    ...(failedAvp === undefined ? [] : [avp('Failed-AVP', [failedAvp])])] };
}

function refusal(request: CreditControlRequest, answer: RefusalAnswer): Answer {
  const resultCode = refusalResultCode(answer.status);
  return { resultCode, avps: [...refusalAvps(request, resultCode),
    avp('Error-Message', answer.message.slice(0, 200))] };
}

function grant(request: CreditControlRequest, answer: GrantAnswer): Answer {
  if (answer.grantedSeconds === 0) {
    // Nothing left to grant: 4012 ends the call once the units already granted are used.
    return { resultCode: resultCodes.creditLimitReached,
      avps: refusalAvps(request, resultCodes.creditLimitReached) };
  }
  return { resultCode: resultCodes.success,
    avps: grantAvps(request, { seconds: answer.grantedSeconds, final: answer.final }) };
}

/** The callee digits and the account of a CCR-I or CCR-E, or the answer refusing it. */
async function partiesOf(
  deps: CreditControlDeps,
  request: CreditControlRequest,
): Promise<{ callee: string; accountId: string } | Answer> {
  if (request.calledParty === null) {
    return failed(resultCodes.missingAvp, 'Called-Party-Address is missing',
      missingAvp('Called-Party-Address'));
  }
  const callee = calledDigits(request.calledParty);
  if (callee === null) {
    return failed(resultCodes.invalidAvpValue, 'the called party is not a phone number',
      avp('Called-Party-Address', request.calledParty.slice(0, 200)));
  }
  if (request.subscriptionIds.length === 0) {
    return failed(resultCodes.missingAvp, 'Subscription-Id is missing',
      missingAvp('Subscription-Id'));
  }
  const match = await resolveSubscriber(deps.directory, request.subscriptionIds);
  if (match === null) return failed(resultCodes.userUnknown, 'unknown subscriber');
  if (match.kind === 'not_applicable') {
    return { resultCode: resultCodes.creditControlNotApplicable, avps: [] };
  }
  return { callee, accountId: match.accountId };
}

async function initial(
  deps: CreditControlDeps,
  request: CreditControlRequest,
  peer: PeerInfo,
): Promise<Answer> {
  const parties = await partiesOf(deps, request);
  if ('resultCode' in parties) return parties;
  const result = await deps.charging.authorize({ sessionId: request.sessionId,
    requestNumber: request.requestNumber, accountId: parties.accountId,
    caller: callerOf(request), callee: parties.callee, ...requestedOf(request) });
  if (!result.ok) return requestProblem(request, result.code, result.message);
  if (result.value.status !== 'granted') return refusal(request, result.value);
  // Where the session lives, for a kill's ASR or a re-auth's RAR: only once granted, so a
  // refused or malformed CCR-I leaves nothing behind. A kill in the instant before finds no
  // origin and is answered at the client's next CCR-U instead (0 seconds, final: 4012).
  await deps.origins.record({ sessionId: request.sessionId, integration: 'diameter',
    callRef: diameterCallRef(peer), nowMs: deps.clock.nowMs() });
  deps.usage.remember(request.sessionId, { usedSeconds: 0, requestNumber: 0 });
  return grant(request, result.value);
}

async function update(deps: CreditControlDeps, request: CreditControlRequest): Promise<Answer> {
  const usedSeconds = await deps.usage.cumulativeSeconds({ charging: deps.charging,
    sessionId: request.sessionId, requestNumber: request.requestNumber,
    reportedSeconds: request.usedSeconds });
  const result = await deps.charging.update({ sessionId: request.sessionId,
    requestNumber: request.requestNumber, usedSeconds, ...requestedOf(request) });
  if (!result.ok) return requestProblem(request, result.code, result.message);
  deps.usage.remember(request.sessionId, { usedSeconds: result.value.usedSeconds,
    requestNumber: result.value.requestNumber });
  return grant(request, result.value);
}

async function termination(
  deps: CreditControlDeps,
  request: CreditControlRequest,
): Promise<Answer> {
  const usedSeconds = await deps.usage.cumulativeSeconds({ charging: deps.charging,
    sessionId: request.sessionId, requestNumber: request.requestNumber,
    reportedSeconds: request.usedSeconds });
  const result = await deps.charging.terminate({ sessionId: request.sessionId,
    requestNumber: request.requestNumber, usedSeconds });
  if (!result.ok) {
    // Kamailio ends a refused session with a CCR-T reporting nothing (protocols.md 1.5):
    // there is nothing to charge, so it is acknowledged.
    if (result.code === 'session_closed' && request.usedSeconds === 0) {
      deps.usage.forget(request.sessionId);
      return { resultCode: resultCodes.success, avps: [] };
    }
    return problemAnswer(result.code, result.message);
  }
  deps.usage.forget(request.sessionId);
  return { resultCode: resultCodes.success,
    avps: costInformationOf(result.value.costMicros, result.value.currency) };
}

async function event(deps: CreditControlDeps, request: CreditControlRequest): Promise<Answer> {
  if (request.requestedAction !== requestedActions.directDebiting) {
    return failed(resultCodes.unableToComply, 'only DIRECT_DEBITING events are served');
  }
  const seconds = request.requestedSeconds ?? (request.usedSeconds > 0 ? request.usedSeconds
    : null);
  if (seconds === null) {
    return failed(resultCodes.missingAvp, 'the event names no CC-Time to debit',
      missingAvp('Requested-Service-Unit'));
  }
  const parties = await partiesOf(deps, request);
  if ('resultCode' in parties) return parties;
  const eventId = request.requestNumber === 0 ? request.sessionId
    : `${request.sessionId}#${request.requestNumber}`;
  const result = await deps.charging.event({ eventId, accountId: parties.accountId,
    caller: callerOf(request), callee: parties.callee, durationSeconds: seconds });
  if (!result.ok) return problemAnswer(result.code, result.message);
  if (result.value.status !== 'charged') return refusal(request, result.value);
  const { costMicros, currency } = result.value;
  return { resultCode: resultCodes.success, avps: [
    ...grantAvps(request, { seconds, final: false, money: ccMoneyOf(costMicros, currency) }),
    ...costInformationOf(costMicros, currency)] };
}

function serveRequest(
  deps: CreditControlDeps,
  request: CreditControlRequest,
  peer: PeerInfo,
): Promise<Answer> {
  switch (request.requestType) {
    case ccRequestTypes.initial:
      return initial(deps, request, peer);
    case ccRequestTypes.update:
      return update(deps, request);
    case ccRequestTypes.termination:
      return termination(deps, request);
    case ccRequestTypes.event:
      return event(deps, request);
  }
}

/**
 * The credit-control application: a CCR becomes one charging use case; its outcome, or the
 * reason the CCR was not understood, becomes the CCA.
 */
export function createCreditControlHandler(deps: CreditControlDeps): ApplicationHandler {
  return async (message: DiameterMessage, peer: PeerInfo) => {
    let request: CreditControlRequest;
    try {
      request = parseCreditControlRequest(message.avps);
    } catch (error) {
      if (!(error instanceof DiameterDecodeError)) throw error;
      return encodeUnparsedAnswer(deps.local, message, error);
    }
    const answer = await serveRequest(deps, request, peer);
    return encodeAnswer(message, answer.resultCode,
      [...ccaHead(deps.local, request, answer.resultCode), ...answer.avps]);
  };
}

/** A CCR that could not be read: a CCA with what could be read of it, and Failed-AVP. */
function encodeUnparsedAnswer(
  local: LocalIdentity,
  message: DiameterMessage,
  error: DiameterDecodeError,
): Buffer {
  const echo = (code: number) => message.avps.find((candidate) => candidate.code === code &&
    candidate.vendorId === 0 && candidate.data.length <= 256);
  const head = [
    echo(263), // Session-Id
  ].flatMap((found) => found === undefined ? [] : [echoAvp(found)]);
  const tail = [echo(416), echo(415)] // CC-Request-Type, CC-Request-Number
    .flatMap((found) => found === undefined || found.data.length !== 4 ? [] : [echoAvp(found)]);
  return encodeAnswer(message, error.resultCode, [...head,
    avp('Result-Code', error.resultCode), avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    avp('Auth-Application-Id', 4), ...tail,
    avp('Error-Message', error.message.slice(0, 200)),
    ...(error.failedAvp === undefined ? [] : [avp('Failed-AVP', [error.failedAvp])])]);
}
