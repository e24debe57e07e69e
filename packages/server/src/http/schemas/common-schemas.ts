import { ledgerLimits } from '@tollgate/core';
import { Type, type TSchema } from 'typebox';

/** Money on the wire: a decimal string in the currency's major unit, never a JSON number. */
export const Money = Type.String({ maxLength: 32, description: 'Decimal string, such as "10.00"',
  examples: ['10.00'] });
export const NullableMoney = Type.Union([Money, Type.Null()]);

export const AccountIdText = Type.String({ minLength: 1, maxLength: ledgerLimits.accountIdLengthMax,
  description: 'A-Z a-z 0-9 _ . -; an account a tenant key created is <key\'s account>~<its id>' });
export const NullableText = (options: { maxLength: number }) =>
  Type.Union([Type.String({ minLength: 1, maxLength: options.maxLength }), Type.Null()]);

export const Instant = Type.String({ description: 'ISO-8601 instant with an offset',
  examples: ['2026-01-31T12:00:00.000Z'] });

export const PageQuery = {
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 256,
    description: 'The last id of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })),
};

export const IdParams = Type.Object({ id: AccountIdText });

const FieldError = Type.Object({
  path: Type.String(),
  message: Type.String(),
});

/**
 * Every error, and every refusal of a call, has this body: a stable `code`, a message for
 * humans, and the details that apply. Refusals repeat the code as `status` (the switch reads
 * one field for grants and refusals alike).
 */
export const Problem = Type.Object({
  status: Type.Optional(Type.String()),
  code: Type.String(),
  message: Type.String(),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.String()),
  account_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  binding: Type.Optional(Type.Union([Type.Literal('account'), Type.Literal('upstream')], {
    description: 'On a refusal: the call\'s own account cannot pay, or one above it (whose ' +
      'name is shown only to keys at or above it)' })),
  session_id: Type.Optional(Type.String()),
  request_number: Type.Optional(Type.Integer()),
  available: Type.Optional(Money),
  requested: Type.Optional(Money),
  errors: Type.Optional(Type.Array(FieldError)),
}, { description: 'An error or a refusal' });

/** Responses every authenticated route may give besides its own. */
export function withProblems<Responses extends Record<string, TSchema>>(responses: Responses) {
  return { ...responses, '4xx': Problem, '5xx': Problem };
}
