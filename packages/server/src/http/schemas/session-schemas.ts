import { ledgerLimits, routingLimits } from '@tollgate/core';
import { Type } from 'typebox';
import { AccountIdText, Instant, Money, PageQuery } from './common-schemas.ts';

// Charging fields are checked for JSON type here and for range in the core, so that a bad value
// gets its precise code (invalid_used_seconds, invalid_session_id, ...).
const SessionIdText = Type.String({ maxLength: 256 });
const RequestNumber = Type.Integer({ description: '0 for authorize, then 1, 2, ...' });
const RequestedSeconds = Type.Optional(Type.Integer({ description: 'The seconds the switch ' +
  'asks for: the grant is at most this, the slice and what every level can pay. 1 to the ' +
  'longest call (invalid_requested_seconds otherwise); absent: the slice' }));

export const AuthorizeBody = Type.Object({
  session_id: SessionIdText,
  account_id: AccountIdText,
  caller: Type.String({ maxLength: 256 }),
  callee: Type.String({ maxLength: 256, description: 'The called number, digits only' }),
  request_number: RequestNumber,
  carrier_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64,
    description: 'The carrier chosen from POST /v1/routes; absent: the first route' })),
  requested_seconds: RequestedSeconds,
}, { additionalProperties: false });

export const RouteChoice = Type.Object({
  carrier_id: Type.String(),
  gateway: Type.String({ description: 'Dial string for the switch' }),
  prefix: Type.String({ description: 'The carrier deck prefix that priced the call' }),
});

export const SessionParams = Type.Object({ session_id: SessionIdText });

export const UsageBody = Type.Object({
  request_number: RequestNumber,
  used_seconds: Type.Integer({ description: 'Cumulative seconds since answer' }),
  requested_seconds: RequestedSeconds,
}, { additionalProperties: false });

export const TerminateBody = Type.Object({
  request_number: RequestNumber,
  used_seconds: Type.Integer({ description: 'Cumulative seconds since answer' }),
  pdd_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000,
    description: 'Post-dial delay the switch measured; feeds the carrier\'s quality only' })),
}, { additionalProperties: false });

export const Grant = Type.Object({
  status: Type.Literal('granted'),
  session_id: Type.String(),
  request_number: Type.Integer(),
  granted_seconds: Type.Integer({ description: 'Seconds the call may run past used_seconds' }),
  final: Type.Boolean({ description: 'True: end the call when this grant is used' }),
  hangup_at: Instant,
  used_seconds: Type.Integer(),
  cost: Money,
  currency: Type.String(),
  route: Type.Optional(RouteChoice),
  fallbacks: Type.Optional(Type.Array(RouteChoice, { maxItems: routingLimits.fallbacksMax,
    description: 'With route: the next usable carriers in order, for when the chosen one '
      + 'fails (end this session with 0 seconds and authorize a new one naming the next '
      + 'carrier_id)' })),
});

export const Terminated = Type.Object({
  status: Type.Literal('terminated'),
  session_id: Type.String(),
  request_number: Type.Integer(),
  cdr_id: Type.String(),
  used_seconds: Type.Integer(),
  billed_seconds: Type.Integer(),
  cost: Money,
  currency: Type.String(),
});

export const EventBody = Type.Object({
  event_id: SessionIdText,
  account_id: AccountIdText,
  caller: Type.String({ maxLength: 256 }),
  callee: Type.String({ maxLength: 256 }),
  duration_seconds: Type.Integer(),
  started_at: Type.Optional(Instant),
}, { additionalProperties: false });

export const Charged = Type.Object({
  status: Type.Literal('charged'),
  event_id: Type.String(),
  cdr_id: Type.String(),
  billed_seconds: Type.Integer(),
  cost: Money,
  currency: Type.String(),
});

export const LiveSessionsQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  ...PageQuery,
}, { additionalProperties: false });

export const LiveSession = Type.Object({
  session_id: Type.String(),
  account_id: Type.String(),
  caller: Type.String(),
  callee: Type.String(),
  started_at: Instant,
  used_seconds: Type.Integer(),
  granted_until_seconds: Type.Integer(),
  hangup_at: Instant,
});

export const LiveSessionPage = Type.Object({
  sessions: Type.Array(LiveSession),
  next_after: Type.Union([Type.String(), Type.Null()]),
});

export const CdrQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1,
    maxLength: ledgerLimits.accountIdLengthMax,
    description: 'CDRs of this account\'s subtree (default: the key\'s account)' })),
  customer_id: Type.Optional(Type.String({ minLength: 1,
    maxLength: ledgerLimits.accountIdLengthMax, description: 'Only the CDRs of this customer' })),
  from: Type.Optional(Type.String({ maxLength: 40,
    description: 'CDRs that ended at or after: an ISO instant, or a day (YYYY-MM-DD, UTC, ' +
      'from its start)' })),
  to: Type.Optional(Type.String({ maxLength: 40,
    description: 'CDRs that ended before: an ISO instant, or a day (YYYY-MM-DD, UTC, the ' +
      'whole day included)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  ...PageQuery,
}, { additionalProperties: false });

const CdrLevel = Type.Object({
  account_id: Type.String(),
  deck_id: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.Union([Type.String(), Type.Null()]),
  currency: Type.String(),
  cost: Money,
  billed_seconds: Type.Integer(),
});

export const Cdr = Type.Object({
  id: Type.String(),
  session_id: Type.String(),
  account_id: Type.String(),
  caller: Type.String(),
  callee: Type.String(),
  started_at: Instant,
  ended_at: Instant,
  used_seconds: Type.Integer(),
  billed_seconds: Type.Integer(),
  bundle_seconds: Type.Integer(),
  cost: Money,
  currency: Type.String(),
  disposition: Type.String(),
  levels: Type.Array(CdrLevel, { description: 'The customer first, the root last' }),
  carrier: Type.Union([Type.Null(), Type.Object({
    carrier_id: Type.String(),
    prefix: Type.String(),
    cost: Money,
    currency: Type.String(),
    billed_seconds: Type.Integer(),
  }, { description: 'What the carrier charges for the call, in its own currency' })]),
});

export const CdrPage = Type.Object({
  cdrs: Type.Array(Cdr),
  next_after: Type.Union([Type.String(), Type.Null()]),
});
