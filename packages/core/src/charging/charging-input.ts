import type { ChargingSettings } from './charging-ports.ts';
import type {
  AuthorizeInput,
  EventInput,
  UpdateInput,
  UsageReport,
} from './charging-types.ts';
import { chargingProblem, type ChargingProblem } from './charging-work.ts';

/** Bounds on what a switch may send (conventions: put a limit on everything). */
export const chargingInputLimits = {
  /** A session or event id as a caller sends it. */
  sessionIdLengthMax: 200,
  /**
   * A stored session key: an id, or an id in a tenant's namespace (`<root account>/<id>`,
   * server/http/tenant-ids.ts): the id, a slash and an account id.
   */
  sessionKeyLengthMax: 200 + 1 + 64,
  partyLengthMax: 128,
  numberDigitsMax: 32,
  requestNumberMax: 1_000_000,
} as const;

// Printable ASCII without spaces: Diameter Session-Ids and SIP Call-IDs fit.
const sessionIdPattern = /^[\x21-\x7e]+$/;
const digitsPattern = /^\d+$/;

/** A session id or key: printable, and at most `lengthMax` long (a stored key by default). */
export function checkSessionId(
  sessionId: unknown,
  lengthMax: number = chargingInputLimits.sessionKeyLengthMax,
): ChargingProblem | null {
  if (typeof sessionId !== 'string' || sessionId.length === 0 ||
    sessionId.length > lengthMax || !sessionIdPattern.test(sessionId)) {
    return chargingProblem('invalid_session_id',
      `session_id must be 1-${lengthMax} printable characters`);
  }
  return null;
}

export function checkRequestNumber(requestNumber: unknown): ChargingProblem | null {
  if (typeof requestNumber !== 'number' || !Number.isInteger(requestNumber) ||
    requestNumber < 0 || requestNumber > chargingInputLimits.requestNumberMax) {
    return chargingProblem('invalid_request_number',
      `request_number must be a whole number 0-${chargingInputLimits.requestNumberMax}`);
  }
  return null;
}

function checkParties(caller: unknown, callee: unknown): ChargingProblem | null {
  if (typeof caller !== 'string' || caller.length > chargingInputLimits.partyLengthMax) {
    return chargingProblem('invalid_number', 'caller must be a string of at most 128 characters');
  }
  return checkCallee(callee);
}

export function checkCallee(callee: unknown): ChargingProblem | null {
  if (typeof callee !== 'string' || !digitsPattern.test(callee) ||
    callee.length > chargingInputLimits.numberDigitsMax) {
    return chargingProblem('invalid_number', 'callee must be 1-32 digits');
  }
  return null;
}

export function checkAuthorizeInput(
  input: AuthorizeInput,
  settings: ChargingSettings,
): ChargingProblem | null {
  const malformed = checkSessionId(input.sessionId) ?? checkRequestNumber(input.requestNumber) ??
    checkParties(input.caller, input.callee) ??
    checkRequestedSeconds(input.requestedSeconds, settings);
  if (malformed !== null) return malformed;
  if (input.requestNumber !== 0) {
    return chargingProblem('request_out_of_order', 'a session starts with request_number 0');
  }
  return null;
}

export function checkUsedSeconds(usedSeconds: unknown, settings: ChargingSettings) {
  if (typeof usedSeconds !== 'number' || !Number.isInteger(usedSeconds) || usedSeconds < 0 ||
    usedSeconds > settings.callDurationSecondsMax * 2) {
    return chargingProblem('invalid_used_seconds',
      'used_seconds must be a whole, non-negative number of seconds');
  }
  return null;
}

/**
 * Seconds a switch asks for: absent (the slice), or a whole number from 1 to the longest call
 * (`callDurationSecondsMax`, the named maximum). Zero, a negative or a larger number is not a
 * request the grant can honour, so it is refused before anything is read or written.
 */
export function checkRequestedSeconds(
  requestedSeconds: unknown,
  settings: ChargingSettings,
): ChargingProblem | null {
  if (requestedSeconds === undefined) return null;
  if (typeof requestedSeconds !== 'number' || !Number.isInteger(requestedSeconds) ||
    requestedSeconds < 1 || requestedSeconds > settings.callDurationSecondsMax) {
    return chargingProblem('invalid_requested_seconds', 'requested_seconds must be a whole ' +
      `number of seconds from 1 to ${settings.callDurationSecondsMax}`);
  }
  return null;
}

/** What update and terminate both carry: the session, its number and the seconds used. */
export function checkUsageReport(
  input: UsageReport,
  settings: ChargingSettings,
): ChargingProblem | null {
  return checkSessionId(input.sessionId) ?? checkRequestNumber(input.requestNumber) ??
    checkUsedSeconds(input.usedSeconds, settings);
}

export function checkUpdateInput(
  input: UpdateInput,
  settings: ChargingSettings,
): ChargingProblem | null {
  return checkUsageReport(input, settings) ??
    checkRequestedSeconds(input.requestedSeconds, settings);
}

export function checkEventInput(
  input: EventInput,
  settings: ChargingSettings,
): ChargingProblem | null {
  const malformed = checkSessionId(input.eventId) ?? checkParties(input.caller, input.callee) ??
    checkUsedSeconds(input.durationSeconds, settings);
  if (malformed !== null) return malformed;
  if (input.durationSeconds > settings.callDurationSecondsMax) {
    return chargingProblem('duration_too_long',
      `an event lasts at most ${settings.callDurationSecondsMax} seconds`);
  }
  return null;
}
