import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import type { FundsCode } from '../ledger/ledger-problem.ts';

/**
 * The live-call requests a softswitch sends (charging.md, "A live call"). Every request names
 * its session and carries a request number: 0 for authorize, then 1, 2, ... A repeated number
 * returns the stored answer and moves no money.
 */
export interface AuthorizeInput {
  readonly sessionId: string;
  readonly requestNumber: number;
  readonly accountId: string;
  /** The calling party as the switch sends it (E.164 digits or a SIP user). */
  readonly caller: string;
  /** The called number: digits only, matched against the rate decks. */
  readonly callee: string;
  /**
   * When set, the account must be this one or below it (the caller's API key scope); checked
   * inside the charging transaction against the chain it loads anyway.
   */
  readonly scopeAccountId?: string;
  /**
   * The carrier the switch will use (from `POST /v1/routes`). Absent: when the operator has
   * carriers, the first route is taken; when it has none, the call is not routed.
   */
  readonly carrierId?: string;
  /**
   * The seconds the switch asks for (Diameter RSU CC-Time, HTTP `requested_seconds`): the grant
   * is at most this, the slice and what every level can pay. Absent: the slice.
   */
  readonly requestedSeconds?: number;
}

/** Where a routed call goes (least-cost routing): told to the switch, kept on the session. */
export interface RouteChoice {
  readonly carrierId: string;
  readonly gateway: string;
  /** The carrier deck's prefix that priced the call. */
  readonly prefix: string;
}

/** What update and terminate both report: the session, its number, the seconds used. */
export interface UsageReport {
  readonly sessionId: string;
  readonly requestNumber: number;
  /** Cumulative seconds used since answer, as reported by the switch. */
  readonly usedSeconds: number;
  /** When set, the session's account must be this one or below it. */
  readonly scopeAccountId?: string;
}

export interface UpdateInput extends UsageReport {
  /** The seconds the switch asks for next (see `AuthorizeInput.requestedSeconds`). */
  readonly requestedSeconds?: number;
}

export interface TerminateInput extends UsageReport {
  /**
   * Post-dial delay the switch measured (INVITE to first ring or answer), when it reports one:
   * it only feeds the carrier's live quality, never the charge.
   */
  readonly pddMs?: number;
}

/** One-shot charging: a whole usage rated and debited at once (a CDR from a switch, an SMS). */
export interface EventInput {
  readonly eventId: string;
  readonly accountId: string;
  readonly caller: string;
  readonly callee: string;
  readonly durationSeconds: number;
  /** When the usage started; defaults to now. */
  readonly startedAtMs?: number;
  /** When set, the account must be this one or below it. */
  readonly scopeAccountId?: string;
}

/** Why a call is refused or a request rejected. Stable snake_case codes (conventions, rule 6). */
export const chargingRefusalCodes = [
  'no_rate',
  'concurrent_calls_limit',
  'destination_blocked',
  'fraud_suspended',
  'exchange_rate_not_found',
  'rate_deck_not_found',
  'no_route',
] as const;

export const chargingRequestCodes = [
  'invalid_session_id',
  'invalid_request_number',
  'invalid_number',
  'invalid_used_seconds',
  'invalid_requested_seconds',
  'used_seconds_decreased',
  'session_not_found',
  'session_exists',
  'session_closed',
  'request_out_of_order',
  'account_not_found',
  'event_exists',
  'duration_too_long',
  'invalid_bundle',
  'forbidden',
  'invalid_expected_duration',
] as const;

export type ChargingRefusalCode = (typeof chargingRefusalCodes)[number] | FundsCode;
export type ChargingRequestCode = (typeof chargingRequestCodes)[number];
export type ChargingCode = ChargingRefusalCode | ChargingRequestCode;

/** The answer to authorize and update. */
export interface GrantAnswer {
  readonly status: 'granted';
  readonly sessionId: string;
  readonly requestNumber: number;
  /** Seconds the call may run past what it has reported. */
  readonly grantedSeconds: number;
  /** True: this is the last grant; the switch must end the call when it is used. */
  readonly final: boolean;
  /** Absolute instant at which the switch must hang up by itself if it hears nothing more. */
  readonly hangupAtMs: number;
  readonly usedSeconds: number;
  /** The customer's cost so far, in the customer's currency. */
  readonly costMicros: Micros;
  readonly currency: CurrencyCode;
  /** Present on an authorize routed to a carrier. */
  readonly route?: RouteChoice;
  /**
   * With `route`: the next usable carriers in order, for the switch to try when the chosen one
   * fails (at most `routingLimits.fallbacksMax`). The switch reports a failed attempt by ending
   * its session with 0 seconds and authorizing the next carrier by name (`carrierId`).
   */
  readonly fallbacks?: readonly RouteChoice[];
}

/** A refusal that is an answer (stored, replayed), not a malformed request. */
export interface RefusalAnswer {
  readonly status: ChargingRefusalCode;
  readonly sessionId: string;
  readonly requestNumber: number;
  /** The account of the chain that cannot pay, or null. */
  readonly accountId: string | null;
  readonly message: string;
}

export interface TerminateAnswer {
  readonly status: 'terminated';
  readonly sessionId: string;
  readonly requestNumber: number;
  readonly cdrId: string;
  readonly usedSeconds: number;
  readonly billedSeconds: number;
  readonly costMicros: Micros;
  readonly currency: CurrencyCode;
  /** The carrier that carried the call, when it was routed (feeds its live quality). */
  readonly carrierId?: string;
  readonly carrierPrefix?: string;
}

/**
 * The settlement of a call Tollgate ended itself (kill_session: an operator's kill, a
 * suspension, fraud control): a terminate's fields, tagged `killed` so that whatever the switch
 * sends after it is answered as coming after a kill.
 */
export interface KillAnswer extends Omit<TerminateAnswer, 'status'> {
  readonly status: 'killed';
  /** The request number the kill took: the one the switch was due to send next. */
  readonly requestNumber: number;
}

export interface EventAnswer {
  readonly status: 'charged';
  readonly eventId: string;
  readonly cdrId: string;
  readonly billedSeconds: number;
  readonly costMicros: Micros;
  readonly currency: CurrencyCode;
}

export const cdrDispositions = ['normal', 'out_of_credit', 'timeout', 'killed', 'event'] as const;
export type CdrDisposition = (typeof cdrDispositions)[number];

/** One level of a CDR: what that account paid its parent for the call. */
export interface CdrLevel {
  readonly accountId: string;
  readonly deckId: string | null;
  readonly prefix: string | null;
  readonly currency: CurrencyCode;
  readonly costMicros: Micros;
  readonly billedSeconds: number;
}

export interface Cdr {
  readonly id: string;
  readonly sessionId: string;
  /** The customer; `levels[0]` is the customer, the last level the root. */
  readonly accountId: string;
  readonly caller: string;
  readonly callee: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly usedSeconds: number;
  readonly billedSeconds: number;
  readonly bundleSeconds: number;
  readonly costMicros: Micros;
  readonly currency: CurrencyCode;
  readonly disposition: CdrDisposition;
  readonly levels: readonly CdrLevel[];
  /** What the carrier charges for the call, in its currency, when the call was routed. */
  readonly carrier: CdrCarrier | null;
}

export interface CdrCarrier {
  readonly carrierId: string;
  readonly prefix: string;
  readonly currency: CurrencyCode;
  readonly costMicros: Micros;
  readonly billedSeconds: number;
}

export interface LiveSessionView {
  readonly sessionId: string;
  readonly accountId: string;
  readonly caller: string;
  readonly callee: string;
  readonly startedAtMs: number;
  readonly usedSeconds: number;
  readonly grantedUntilSeconds: number;
  readonly hangupAtMs: number;
}
