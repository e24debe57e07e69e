import { Type } from 'typebox';
import { AccountIdText, Instant, Money } from '../http/schemas/common-schemas.ts';

const OperatorId = Type.Optional(Type.String({ minLength: 1, maxLength: 259,
  description: 'The operator (root account) whose number it is: only the operator key names ' +
    'it, and only when several operators have the number; a tenant key means its own' }));

export const DidParams = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 20, description: 'E.164, with or without +' }),
});
export const DidQuery = Type.Object({ operator_id: OperatorId });

export const DidImportQuery = Type.Object({ operator_id: AccountIdText });
export const DidImported = Type.Object({ imported: Type.Integer() });

export const DidListQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

const Destination = Type.Object({
  kind: Type.Union([Type.Literal('sip_uri'), Type.Literal('extension'),
    Type.Literal('account')]),
  value: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });

const FirstPeriod = Type.Union([Type.Literal('prorated'), Type.Literal('full')]);

export const AssignBody = Type.Object({
  to_account_id: AccountIdText,
  setup_price: Money,
  monthly_price: Money,
  inbound_rate_deck_id: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()],
    { description: 'The deck inbound calls are priced with at the assignee\'s level; null: ' +
      'free' }),
  first_period: Type.Optional(Type.Union([FirstPeriod, Type.Null()], { description:
    'The first period\'s monthly fee; absent or null: the installation\'s didFirstPeriod' })),
  operator_id: OperatorId,
}, { additionalProperties: false });

export const ReleaseBody = Type.Object({
  account_id: AccountIdText,
  operator_id: OperatorId,
}, { additionalProperties: false });

export const DestinationBody = Type.Object({
  destination: Type.Union([Destination, Type.Null()]),
  operator_id: OperatorId,
}, { additionalProperties: false });

export const InboundBody = Type.Object({
  session_id: Type.String({ maxLength: 256 }),
  caller: Type.String({ maxLength: 256 }),
  request_number: Type.Literal(0, { description: 'Then update and terminate under ' +
    '/v1/sessions/{session_id}' }),
  operator_id: OperatorId,
}, { additionalProperties: false });

const Hold = Type.Object({
  account_id: Type.String(),
  pays_account_id: Type.String({ description: 'Its parent; the carrier\'s account for the ' +
    'operator\'s own hold' }),
  currency: Type.String(),
  setup_price: Money,
  monthly_price: Money,
  inbound_rate_deck_id: Type.Union([Type.String(), Type.Null()]),
  first_period: FirstPeriod,
  started_at: Instant,
});

export const DidView = Type.Object({
  number: Type.String({ description: 'E.164 with +' }),
  country: Type.String(),
  state: Type.Union([Type.Literal('available'), Type.Literal('assigned'),
    Type.Literal('quarantine')]),
  quarantine_until: Type.Union([Instant, Type.Null()]),
  destination: Type.Union([Destination, Type.Null()]),
  owner_account_id: Type.Union([Type.String(), Type.Null()]),
  carrier: Type.Optional(Type.Object({ carrier_id: Type.String(), setup_cost: Money,
    monthly_cost: Money }, { description: 'Only to the operator' })),
  holds: Type.Array(Hold, { description: 'The holds from the key\'s own level down: what it ' +
    'pays and what it is paid; never its suppliers\' prices' }),
});
export const DidList = Type.Object({ dids: Type.Array(DidView) });

export const DidRoute = Type.Object({
  number: Type.String(),
  account_id: Type.String({ description: 'The owner: who inbound calls are charged to' }),
  destination: Type.Union([Destination, Type.Null()], { description: 'null: the owner has ' +
    'not said where it rings' }),
});
