import type { ChargingRefusalCode, ChargingRequestCode } from '@tollgate/core';
import type { AvpName } from './avp-dictionary.ts';
import { resultCodes } from './diameter-constants.ts';

/**
 * Charging outcomes as Diameter result codes (RFC 4006 9, protocols.md 1.3). One table per kind
 * of outcome. Other features add charging codes while this one is built, so a code missing here
 * falls back to a safe answer (4010 refuses the call, 5012 the request) and a unit test lists
 * every code the core exports, failing until each is mapped on purpose.
 */

/** Refusals: the call is not allowed. 4012 is what Kamailio turns into SIP 402. */
export const refusalResultCodes = {
  insufficient_funds: resultCodes.creditLimitReached,
  credit_limit_reached: resultCodes.creditLimitReached,
  daily_limit_reached: resultCodes.creditLimitReached,
  monthly_limit_reached: resultCodes.creditLimitReached,
  account_suspended: resultCodes.endUserServiceDenied,
  account_closed: resultCodes.endUserServiceDenied,
  concurrent_calls_limit: resultCodes.endUserServiceDenied,
  destination_blocked: resultCodes.endUserServiceDenied,
  no_rate: resultCodes.ratingFailed,
  exchange_rate_not_found: resultCodes.ratingFailed,
  rate_deck_not_found: resultCodes.ratingFailed,
  no_route: resultCodes.ratingFailed,
  fraud_suspended: resultCodes.endUserServiceDenied,
} as const satisfies Partial<Record<ChargingRefusalCode, number>>;

export function refusalResultCode(code: ChargingRefusalCode): number {
  return (refusalResultCodes as Partial<Record<string, number>>)[code] ??
    resultCodes.endUserServiceDenied;
}

export interface RequestProblemAnswer {
  readonly resultCode: number;
  /** The AVP at fault, for Failed-AVP. */
  readonly failedAvp?: AvpName;
}

/** Requests the charging core rejected without writing anything. */
export const requestProblemAnswers = {
  invalid_session_id: { resultCode: resultCodes.invalidAvpValue, failedAvp: 'Session-Id' },
  invalid_request_number: { resultCode: resultCodes.invalidAvpValue,
    failedAvp: 'CC-Request-Number' },
  invalid_number: { resultCode: resultCodes.invalidAvpValue, failedAvp: 'Called-Party-Address' },
  invalid_used_seconds: { resultCode: resultCodes.invalidAvpValue, failedAvp: 'CC-Time' },
  invalid_requested_seconds: { resultCode: resultCodes.invalidAvpValue,
    failedAvp: 'Requested-Service-Unit' },
  used_seconds_decreased: { resultCode: resultCodes.invalidAvpValue, failedAvp: 'CC-Time' },
  session_not_found: { resultCode: resultCodes.unknownSessionId },
  session_exists: { resultCode: resultCodes.unableToComply, failedAvp: 'Session-Id' },
  session_closed: { resultCode: resultCodes.unknownSessionId },
  request_out_of_order: { resultCode: resultCodes.invalidAvpValue,
    failedAvp: 'CC-Request-Number' },
  account_not_found: { resultCode: resultCodes.userUnknown },
  event_exists: { resultCode: resultCodes.unableToComply, failedAvp: 'Session-Id' },
  duration_too_long: { resultCode: resultCodes.invalidAvpValue, failedAvp: 'CC-Time' },
  invalid_bundle: { resultCode: resultCodes.unableToComply },
  forbidden: { resultCode: resultCodes.userUnknown },
  invalid_expected_duration: { resultCode: resultCodes.invalidAvpValue },
} as const satisfies Partial<Record<ChargingRequestCode, RequestProblemAnswer>>;

/** Any code: a refusal, a request problem, or a ledger problem (5012, never expected here). */
export function answerForCode(code: string): RequestProblemAnswer {
  const refusal = (refusalResultCodes as Partial<Record<string, number>>)[code];
  if (refusal !== undefined) return { resultCode: refusal };
  return (requestProblemAnswers as Partial<Record<string, RequestProblemAnswer>>)[code] ??
    { resultCode: resultCodes.unableToComply };
}
