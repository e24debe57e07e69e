import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { AppServices } from '../http/app-services.ts';
import { httpLimits } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import { IdParams, withProblems } from '../http/schemas/common-schemas.ts';
import { identityKinds, normalizeIdentity } from './subscriber-directory.ts';
import {
  type SubscriberIdentityRecord,
  type SubscriberIdentityStore,
} from './subscriber-identity-store.ts';

export const subscriberIdentityCodes = [
  'invalid_subscriber_identity',
  'subscriber_identity_taken',
  'subscriber_identity_not_found',
] as const;
export type SubscriberIdentityCode = (typeof subscriberIdentityCodes)[number];

const tags = ['subscriber-identities'];

const IdentityKindSchema = Type.Union([Type.Literal('e164'), Type.Literal('imsi'),
  Type.Literal('sip_uri'), Type.Literal('nai'), Type.Literal('private')],
{ description: 'The Subscription-Id type' });
const ChargingSchema = Type.Union([Type.Literal('online'), Type.Literal('not_applicable')],
  { description: 'online: credit control; not_applicable: answered 4011 (free)' });

const SubscriberIdentity = Type.Object({
  kind: IdentityKindSchema,
  identity: Type.String({ description: 'Normalized: E.164 digits, sip:user@host' }),
  account_id: Type.String(),
  charging: ChargingSchema,
  created_at: Type.String(),
});

const PutIdentityBody = Type.Object({
  kind: IdentityKindSchema,
  identity: Type.String({ minLength: 1, maxLength: 256 }),
  charging: Type.Optional(ChargingSchema),
}, { additionalProperties: false });

const IdentityParams = Type.Object({
  id: IdParams.properties.id,
  kind: IdentityKindSchema,
  identity: Type.String({ minLength: 1, maxLength: httpLimits.paramLengthMax }),
});

function toApiIdentity(record: SubscriberIdentityRecord): Static<typeof SubscriberIdentity> {
  return { kind: record.kind, identity: record.identity, account_id: record.accountId,
    charging: record.charging, created_at: new Date(record.createdAtMs).toISOString() };
}

function storeOf(services: AppServices): SubscriberIdentityStore {
  const store = services.subscriberIdentities;
  if (store === undefined) throw httpProblem('service_unavailable', 'no identity table');
  return store;
}

function normalizedOf(kind: (typeof identityKinds)[number], text: string) {
  const identity = normalizeIdentity(kind, text);
  if (identity === null) {
    throw httpProblem('invalid_subscriber_identity', `not a valid ${kind} identity`);
  }
  return identity;
}

/**
 * The Diameter identity table over HTTP: which Subscription-Ids (E.164, SIP URI, ...) charge
 * an account. Like a top-up, only an account above may change it (a customer could otherwise
 * mark itself not credit controlled); the account's subtree may read it.
 */
export const subscriberIdentityRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> =
  async (app, { services }) => {
    const { access, clock } = services;

    app.put('/v1/accounts/:id/subscriber-identities', {
      schema: { operationId: 'putSubscriberIdentity', tags, params: IdParams,
        summary: 'Map a Diameter Subscription-Id to this account (idempotent)',
        body: PutIdentityBody, response: withProblems({ 200: SubscriberIdentity }) },
    }, async (request) => {
      const { id } = request.params;
      unwrap(await access.account(principalOf(request), id, 'descendants'));
      const identity = normalizedOf(request.body.kind, request.body.identity);
      const record: SubscriberIdentityRecord = { ...identity, accountId: id,
        charging: request.body.charging ?? 'online', createdAtMs: clock.nowMs() };
      if (await storeOf(services).put(record) === 'taken') {
        throw httpProblem('subscriber_identity_taken',
          `${identity.identity} belongs to another account`);
      }
      await services.audit.record(request, { action: 'subscriber_identity_put', accountId: id,
        subjectId: `${identity.kind}:${identity.identity}`, before: null,
        after: toApiIdentity(record) });
      return toApiIdentity(record);
    });

    app.get('/v1/accounts/:id/subscriber-identities', {
      schema: { operationId: 'listSubscriberIdentities', tags, params: IdParams,
        summary: 'The Subscription-Ids that charge this account',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1,
          maximum: httpLimits.pageSizeMax })) }),
        response: withProblems({ 200: Type.Object({
          subscriber_identities: Type.Array(SubscriberIdentity) }) }) },
    }, async (request) => {
      const { id } = request.params;
      unwrap(await access.account(principalOf(request), id, 'subtree'));
      const records = await storeOf(services).listByAccount({ accountId: id,
        limit: request.query.limit ?? httpLimits.pageSizeDefault });
      return { subscriber_identities: records.map(toApiIdentity) };
    });

    app.delete('/v1/accounts/:id/subscriber-identities/:kind/:identity', {
      schema: { operationId: 'deleteSubscriberIdentity', tags, params: IdentityParams,
        summary: 'Stop charging this account for a Subscription-Id',
        response: withProblems({ 204: Type.Null() }) },
    }, async (request, reply) => {
      const { id, kind } = request.params;
      unwrap(await access.account(principalOf(request), id, 'descendants'));
      const identity = normalizedOf(kind, request.params.identity);
      if (!await storeOf(services).remove({ ...identity, accountId: id })) {
        throw httpProblem('subscriber_identity_not_found',
          `${identity.identity} is not an identity of ${id}`);
      }
      await services.audit.record(request, { action: 'subscriber_identity_deleted',
        subjectId: `${identity.kind}:${identity.identity}`, accountId: id,
        before: { ...identity, account_id: id }, after: null });
      reply.code(204);
      return null;
    });
  };
