import { Type } from 'typebox';
import { Instant } from './common-schemas.ts';

const Currency = Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217, e.g. EUR' });

export const ExchangeRateBody = Type.Object({
  from: Currency,
  to: Currency,
  rate: Type.String({ minLength: 1, maxLength: 32,
    description: 'Units of `to` one unit of `from` buys, an exact decimal (at most 12 ' +
      'decimals), e.g. "1.0845"' }),
  valid_from: Type.Optional(Type.Union([Instant, Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    description: 'A day: from its start, UTC' })], {
    description: 'From when the rate applies (default: now); never before now: rates in ' +
      'force before are history' })),
}, { additionalProperties: false });

export const ExchangeRateItem = Type.Object({
  from: Type.String(),
  to: Type.String(),
  rate: Type.String(),
  valid_from: Instant,
  valid_until: Type.Union([Instant, Type.Null()], {
    description: 'When the next rate of the pair took over; null: no later rate' }),
  in_force: Type.Boolean({ description: 'The rate calls starting now convert with' }),
});

export const ExchangeRateQuery = Type.Object({
  from: Type.Optional(Currency),
  to: Type.Optional(Currency),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 64,
    description: 'next_after of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })),
}, { additionalProperties: false });

export const ExchangeRatePage = Type.Object({
  exchange_rates: Type.Array(ExchangeRateItem),
  next_after: Type.Union([Type.String(), Type.Null()]),
});
