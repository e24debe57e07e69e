import { Type } from 'typebox';
import {
  AccountIdText,
  Instant,
  Money,
  NullableMoney,
  NullableText,
  PageQuery,
} from './common-schemas.ts';

const Tier = Type.Union([Type.Literal('super_admin'), Type.Literal('admin'),
  Type.Literal('reseller'), Type.Literal('customer')]);
const Mode = Type.Union([Type.Literal('prepaid'), Type.Literal('postpaid')]);
const State = Type.Union([Type.Literal('active'), Type.Literal('suspended'),
  Type.Literal('closed')]);
const CallsMax = Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()]);
const DeckId = NullableText({ maxLength: 64 });

/** Fields an operator sets at creation and may change later with PATCH. */
const settingsFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  mode: Mode,
  credit_limit: Type.Optional(NullableMoney),
  daily_limit: Type.Optional(NullableMoney),
  monthly_limit: Type.Optional(NullableMoney),
  concurrent_calls_max: Type.Optional(CallsMax),
  time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  rate_deck_id: DeckId,
};

export const CreateAccountBody = Type.Object({
  id: Type.Optional(AccountIdText),
  parent_id: Type.Union([AccountIdText, Type.Null()]),
  tier: Tier,
  currency: Type.String({ minLength: 1, maxLength: 8 }),
  ...settingsFields,
}, { additionalProperties: false });

export const PatchAccountBody = Type.Object({
  name: settingsFields.name,
  mode: Type.Optional(Mode),
  credit_limit: settingsFields.credit_limit,
  daily_limit: settingsFields.daily_limit,
  monthly_limit: settingsFields.monthly_limit,
  concurrent_calls_max: settingsFields.concurrent_calls_max,
  time_zone: settingsFields.time_zone,
  rate_deck_id: Type.Optional(DeckId),
}, { additionalProperties: false, minProperties: 1 });

const accountFields = {
  id: Type.String(),
  parent_id: Type.Union([Type.String(), Type.Null()]),
  tier: Tier,
  name: Type.String(),
  currency: Type.String(),
  mode: Mode,
  state: State,
  rate_deck_id: Type.Union([Type.String(), Type.Null()]),
  credit_limit: Type.Union([Money, Type.Null()], { description: 'null: unlimited (roots)' }),
  daily_limit: NullableMoney,
  monthly_limit: NullableMoney,
  concurrent_calls_max: CallsMax,
  time_zone: Type.String(),
  created_at: Instant,
  updated_at: Instant,
};

export const Account = Type.Object(accountFields);

export const AccountWithFunds = Type.Object({
  ...accountFields,
  balance: Money,
  reserved: Money,
  available: Type.Union([Money, Type.Null()], {
    description: 'What the account can still spend now; null: unlimited' }),
  funds_constraint: Type.Union([Type.String(), Type.Null()], {
    description: 'What sets `available`: balance, daily_limit, monthly_limit or state' }),
  spent_today: Money,
  spent_month: Money,
  revenue: Type.Array(Type.Object({ currency: Type.String(), balance: Money }), {
    description: 'What its children (or, for a carrier, the operator) paid it, per currency' }),
});

export const ChildrenQuery = Type.Object(PageQuery, { additionalProperties: false });

export const ChildrenPage = Type.Object({
  accounts: Type.Array(Account),
  next_after: Type.Union([Type.String(), Type.Null()]),
});

export const TopupBody = Type.Object({
  amount: Money,
  reference: Type.String({ minLength: 1, maxLength: 128,
    description: 'The payment id: a retry with the same reference moves money once' }),
}, { additionalProperties: false });

export const Topup = Type.Object({
  transfer_id: Type.String(),
  account_id: Type.String(),
  amount: Money,
  currency: Type.String(),
  reference: Type.String(),
  replayed: Type.Boolean({ description: 'True: the stored answer to an earlier request' }),
  balance: Money,
});
