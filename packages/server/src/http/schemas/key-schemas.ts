import { Type, type Static } from 'typebox';
import type { ApiKeyScope } from '../../auth/api-key-scope.ts';
import { AccountIdText, Instant } from './common-schemas.ts';

export const KeyScope = Type.Union([Type.Literal('full'), Type.Literal('charging'),
  Type.Literal('read_only')], {
  description: 'full: every route the key reaches; charging: the switch routes (sessions, ' +
    'events, Kamailio, routes) and whoami; read_only: the routes that only read, and whoami' });

// The schema lists the scopes of api-key-scope.ts, no more and no fewer (a compile error if not).
true satisfies ([Static<typeof KeyScope>] extends [ApiKeyScope] ? true : false) &
  ([ApiKeyScope] extends [Static<typeof KeyScope>] ? true : false);

export const CreateKeyBody = Type.Object({
  label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  scope: Type.Optional(KeyScope),
  expires_at: Type.Optional(Instant),
}, { additionalProperties: false });

export const KeyParams = Type.Object({
  id: AccountIdText,
  key_id: Type.String({ minLength: 1, maxLength: 64 }),
});

const keyFields = {
  id: Type.String(),
  account_id: Type.String(),
  label: Type.String(),
  scope: KeyScope,
  created_at: Instant,
  expires_at: Type.Union([Instant, Type.Null()]),
};

export const CreatedKey = Type.Object({
  ...keyFields,
  key: Type.String({ description: 'The secret: shown once, stored only as a hash' }),
});

export const ApiKey = Type.Object({
  ...keyFields,
  revoked_at: Type.Union([Instant, Type.Null()]),
  last_used_at: Type.Union([Instant, Type.Null()], {
    description: 'The last authentication, written at most once a minute per node' }),
});

export const ApiKeyList = Type.Object({ api_keys: Type.Array(ApiKey) });

export const WhoAmI = Type.Object({
  kind: Type.Union([Type.Literal('operator'), Type.Literal('account')]),
  account_id: Type.Union([Type.String(), Type.Null()]),
  key_id: Type.Union([Type.String(), Type.Null()]),
  scope: KeyScope,
  expires_at: Type.Union([Instant, Type.Null()]),
});
