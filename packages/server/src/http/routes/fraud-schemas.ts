import { ledgerLimits } from '@tollgate/core';
import { Type, type Static, type TProperties } from 'typebox';
import { AccountIdText, Money, NullableMoney, PageQuery } from '../schemas/common-schemas.ts';

const Action = Type.Union([Type.Literal('alert'), Type.Literal('block_destination'),
  Type.Literal('suspend')]);
const Count = (maximum: number) => Type.Integer({ minimum: 0, maximum });
const Minutes = Type.Integer({ minimum: 1, maximum: 60, description: 'Window, in minutes' });
function rule<T extends TProperties>(fields: T) {
  return Type.Union([Type.Object(fields, { additionalProperties: false }), Type.Null()]);
}

/** A rule config on the wire; null turns a rule off, an absent field takes the default. */
export const FraudConfigBody = Type.Object({
  spend_velocity: Type.Optional(rule({ ten_minutes_max: NullableMoney, hour_max: NullableMoney,
    day_max: NullableMoney, action: Action })),
  call_velocity: Type.Optional(rule({ attempts_per_minute_max: Count(1_000_000),
    action: Action })),
  concurrent_calls: Type.Optional(rule({ calls_max: Count(20_000), action: Action })),
  risk_lists: Type.Optional(Type.Boolean()),
  destination_anomaly: Type.Optional(rule({ history_days: Count(365), window_minutes: Minutes,
    new_spend_share_percent_min: Count(100), new_spend_min: Money,
    granularity: Type.Union([Type.Literal('country'), Type.Literal('prefix')]),
    prefix_digits: Count(15), learning_days: Count(365), action: Action })),
  short_call_burst: Type.Optional(rule({ short_call_seconds_max: Count(3_600),
    window_minutes: Minutes, short_calls_min: Count(1_000_000), share_percent_min: Count(100),
    action: Action })),
  cost_per_minute: Type.Optional(rule({ ceiling: Money, used_seconds_min: Count(86_400),
    action: Action })),
  unusual_hours: Type.Optional(rule({ learning_days: Count(365), action: Action })),
  credit_limit: Type.Optional(rule({ thresholds_percent: Type.Array(Count(100),
    { maxItems: 10 }) })),
  cool_down_seconds: Type.Optional(Count(30 * 86_400)),
  alert_repeat_seconds: Type.Optional(Count(30 * 86_400)),
}, { additionalProperties: false });
export type FraudConfigApi = Static<typeof FraudConfigBody>;

export const FraudConfigView = Type.Object({
  account_id: Type.String(),
  own: Type.Union([Type.Unknown(), Type.Null()]),
  effective: Type.Unknown(),
  from_account_id: Type.Union([Type.String(), Type.Null()]),
});

export const RiskListBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  prefixes: Type.Array(Type.String({ pattern: '^[0-9]{1,15}$' }), { minItems: 1,
    maxItems: 10_000 }),
  action: Action,
  calls_threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  window_minutes: Type.Optional(Minutes),
  owner_id: Type.Optional(Type.Union([AccountIdText, Type.Null()])),
}, { additionalProperties: false });

export const RiskListView = Type.Object({
  id: Type.String(), owner_id: Type.Union([Type.String(), Type.Null()]), name: Type.String(),
  prefixes: Type.Array(Type.String()), action: Action, calls_threshold: Type.Integer(),
  window_minutes: Type.Integer(), updated_at: Type.String(),
});

export const Alert = Type.Object({
  id: Type.String(), account_id: Type.String(), root_account_id: Type.String(),
  rule: Type.String(), action: Action, destination: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(), details: Type.Record(Type.String(), Type.String()),
  measure_id: Type.Union([Type.String(), Type.Null()]), created_at: Type.String(),
});

export const AlertQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1,
    maxLength: ledgerLimits.accountIdLengthMax,
    description: 'Alerts of this account\'s subtree (default: the key\'s account)' })),
  customer_id: Type.Optional(Type.String({ minLength: 1,
    maxLength: ledgerLimits.accountIdLengthMax, description: 'Only the alerts of this account' })),
  ...PageQuery,
}, { additionalProperties: false });

export const AlertPage = Type.Object({
  alerts: Type.Array(Alert),
  next_after: Type.Union([Type.String(), Type.Null()]),
});

export const Measure = Type.Object({
  id: Type.String(), account_id: Type.String(),
  kind: Type.Union([Type.Literal('block_destination'), Type.Literal('suspend')]),
  prefix: Type.Union([Type.String(), Type.Null()]), rule: Type.String(), alert_id: Type.String(),
  created_at: Type.String(), expires_at: Type.Union([Type.String(), Type.Null()]),
  released_at: Type.Union([Type.String(), Type.Null()]),
  released_by: Type.Union([Type.Literal('cool_down'), Type.Literal('manual'), Type.Null()]),
});

export const MeasureQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  active: Type.Optional(Type.Boolean({ default: true })),
  ...PageQuery,
}, { additionalProperties: false });

export const MeasurePage = Type.Object({
  measures: Type.Array(Measure),
  next_after: Type.Union([Type.String(), Type.Null()]),
});

/** A list's id; a list in another key's namespace is named `<account>~<id>`. */
export const ListIdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 129,
    pattern: '^(?:[A-Za-z0-9_.~-]{1,64}~)?[A-Za-z0-9_.-]{1,64}$' }),
});
