import { Type } from 'typebox';
import { AccountIdText, Instant } from './common-schemas.ts';

export const CreateKeyBody = Type.Object({
  label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
}, { additionalProperties: false });

export const KeyParams = Type.Object({
  id: AccountIdText,
  key_id: Type.String({ minLength: 1, maxLength: 64 }),
});

const keyFields = {
  id: Type.String(),
  account_id: Type.String(),
  label: Type.String(),
  created_at: Instant,
};

export const CreatedKey = Type.Object({
  ...keyFields,
  key: Type.String({ description: 'The secret: shown once, stored only as a hash' }),
});

export const ApiKey = Type.Object({
  ...keyFields,
  revoked_at: Type.Union([Instant, Type.Null()]),
});

export const ApiKeyList = Type.Object({ api_keys: Type.Array(ApiKey) });

export const WhoAmI = Type.Object({
  kind: Type.Union([Type.Literal('operator'), Type.Literal('account')]),
  account_id: Type.Union([Type.String(), Type.Null()]),
  key_id: Type.Union([Type.String(), Type.Null()]),
});
