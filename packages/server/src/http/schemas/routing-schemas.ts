import { Type } from 'typebox';
import { AccountIdText, Money, NullableMoney } from './common-schemas.ts';

const CarrierIdText = Type.String({ minLength: 1, maxLength: 64 });
const Capacity = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

const CarrierSettable = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  rate_deck_id: Type.String({ minLength: 1, maxLength: 64,
    description: 'The carrier\'s price list; its currency is the carrier\'s' }),
  gateway: Type.String({ minLength: 1, maxLength: 256, description: 'Dial string for the switch' }),
  priority: Type.Integer({ minimum: 0, description: 'Lower first (priority strategy)' }),
  weight: Type.Integer({ minimum: 0, description: 'Share of calls (load_share strategy)' }),
  concurrent_calls_max: Capacity,
  calls_per_second_max: Capacity,
  state: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
};

export const CarrierBody = Type.Object({
  id: CarrierIdText,
  root_account_id: AccountIdText,
  name: CarrierSettable.name,
  rate_deck_id: CarrierSettable.rate_deck_id,
  gateway: CarrierSettable.gateway,
  priority: Type.Optional(CarrierSettable.priority),
  weight: Type.Optional(CarrierSettable.weight),
  concurrent_calls_max: Type.Optional(Capacity),
  calls_per_second_max: Type.Optional(Capacity),
  state: Type.Optional(CarrierSettable.state),
}, { additionalProperties: false });

export const CarrierPatch = Type.Partial(Type.Object(CarrierSettable),
  { additionalProperties: false });

export const Carrier = Type.Object({
  id: Type.String(),
  root_account_id: Type.String(),
  account_id: Type.String({ description: 'Ledger account that accrues what is owed to it' }),
  currency: Type.String(),
  ...CarrierSettable,
});

export const CarrierParams = Type.Object({ carrier_id: CarrierIdText });
export const CarrierListQuery = Type.Object({ root_account_id: Type.Optional(AccountIdText) },
  { additionalProperties: false });
export const CarrierList = Type.Object({ carriers: Type.Array(Carrier) });

export const CarrierQuality = Type.Object({
  carrier_id: Type.String(),
  prefixes: Type.Array(Type.Object({
    prefix: Type.String(),
    attempts: Type.Integer(),
    answered: Type.Integer(),
    failures: Type.Integer(),
    asr_bp: Type.Union([Type.Integer(), Type.Null()], { description: 'Basis points' }),
    acd_seconds: Type.Union([Type.Integer(), Type.Null()]),
    pdd_ms: Type.Union([Type.Integer(), Type.Null()]),
    out_until: Type.Union([Type.String(), Type.Null()]),
  })),
});

export const RoutingPolicyBody = Type.Object({
  strategy: Type.Union([Type.Literal('least_cost'), Type.Literal('priority'),
    Type.Literal('quality'), Type.Literal('load_share')]),
  margin_policy: Type.Union([Type.Literal('protect'), Type.Literal('allow_loss')]),
}, { additionalProperties: false });

export const RoutingPolicy = Type.Object({ account_id: Type.String(),
  strategy: Type.String(), margin_policy: Type.String() });

export const RouteRuleBody = Type.Object({
  account_id: AccountIdText,
  prefix: Type.String({ maxLength: 32, description: 'Digits; empty matches every callee' }),
  carrier_id: CarrierIdText,
  action: Type.Union([Type.Literal('pin'), Type.Literal('block')]),
}, { additionalProperties: false });

export const RouteRuleQuery = Type.Object({ account_id: AccountIdText,
  prefix: Type.String({ maxLength: 32 }), carrier_id: CarrierIdText },
  { additionalProperties: false });

export const RoutesBody = Type.Object({
  account_id: AccountIdText,
  callee: Type.String({ maxLength: 256 }),
  expected_duration_s: Type.Optional(Type.Integer({ description: 'Default 60' })),
}, { additionalProperties: false });

export const RouteList = Type.Object({
  expected_duration_s: Type.Integer(),
  routes: Type.Array(Type.Object({
    carrier_id: Type.String(),
    gateway: Type.String(),
    prefix: Type.String(),
    cost: Money,
    currency: Type.String({ description: 'The root\'s currency' }),
    carrier_cost: Money,
    carrier_currency: Type.String(),
    margin: NullableMoney,
    loss: Type.Boolean(),
    asr_bp: Type.Union([Type.Integer(), Type.Null()]),
    acd_seconds: Type.Union([Type.Integer(), Type.Null()]),
  })),
  dropped: Type.Array(Type.Object({ carrier_id: Type.String(), reason: Type.String() })),
});
