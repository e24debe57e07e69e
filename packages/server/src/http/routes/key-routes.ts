import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatIsoInstant, parseIsoInstantMs } from '@tollgate/core';
import type { AppServices } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { toApiKey } from '../convert.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import { IdParams, withProblems } from '../schemas/common-schemas.ts';
import {
  ApiKeyList,
  CreatedKey,
  CreateKeyBody,
  KeyParams,
  WhoAmI,
} from '../schemas/key-schemas.ts';

const tags = ['api keys'];

/** A key as the listing shows it (no secret), for the audit trail; null when not listed. */
async function keyView(services: AppServices, accountId: string, keyId: string) {
  const record = (await services.apiKeys.listKeys(accountId)).find((key) => key.id === keyId);
  return record === undefined ? null : toApiKey(record);
}

/**
 * API keys of an account: made by a key of the account or above it (the secret is shown once),
 * listed without secrets, revoked. A key reaches its account's subtree, nothing above, and
 * calls only the routes of its scope (auth/api-key-scope.ts) until it expires.
 */
export const keyRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { access, apiKeys } = services;

  app.post('/v1/accounts/:id/api-keys', {
    schema: { operationId: 'createApiKey', tags, summary: 'Make a key for an account',
      description: 'A key is never wider than the key that makes it (scope), nor outlives it ' +
        '(expires_at; omitted: the maker\'s expiry).',
      params: IdParams, body: CreateKeyBody, response: withProblems({ 201: CreatedKey }) },
  }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    const principal = principalOf(request);
    unwrap(await access.account(principal, id, 'subtree'));
    const expiresAtMs = body.expires_at === undefined ? null
      : unwrap(parseIsoInstantMs(body.expires_at));
    const created = unwrap(await apiKeys.createKey({ accountId: id, label: body.label ?? 'api',
      creator: principal, scope: body.scope ?? 'full', expiresAtMs }));
    reply.code(201);
    const { revoked_at: _revoked, last_used_at: _used, ...key } = toApiKey(created.record);
    // The entry names the key (id, label), never its secret or hash.
    await services.audit.record(request, { action: 'api_key_created', subjectId: key.id,
      accountId: id, before: null, after: key });
    return { ...key, key: created.key };
  });

  app.get('/v1/accounts/:id/api-keys', {
    schema: { operationId: 'listApiKeys', tags, summary: 'The keys of an account (no secrets)',
      params: IdParams, response: withProblems({ 200: ApiKeyList }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await access.account(principalOf(request), id, 'subtree'));
    return { api_keys: (await apiKeys.listKeys(id)).map(toApiKey) };
  });

  app.delete('/v1/accounts/:id/api-keys/:key_id', {
    schema: { operationId: 'revokeApiKey', tags, summary: 'Revoke a key',
      params: KeyParams, response: withProblems({ 204: { type: 'null' } }) },
  }, async (request, reply) => {
    const { id, key_id: keyId } = request.params;
    unwrap(await access.account(principalOf(request), id, 'subtree'));
    const before = await keyView(services, id, keyId);
    if (!(await apiKeys.revokeKey({ accountId: id, id: keyId }))) {
      throw httpProblem('api_key_not_found', `account ${id} has no active key ${keyId}`);
    }
    await services.audit.record(request, { action: 'api_key_revoked', subjectId: keyId,
      accountId: id, before, after: await keyView(services, id, keyId) });
    return reply.code(204).send();
  });

  app.get('/v1/whoami', {
    schema: { operationId: 'whoAmI', tags, summary: 'The account the key acts for',
      response: withProblems({ 200: WhoAmI }) },
  }, async (request) => {
    const principal = principalOf(request);
    return principal.kind === 'operator'
      ? { kind: 'operator' as const, account_id: null, key_id: null, scope: 'full' as const,
        expires_at: null }
      : { kind: 'account' as const, account_id: principal.accountId, key_id: principal.keyId,
        scope: principal.scope, expires_at: principal.expiresAtMs === null ? null
          : formatIsoInstant(principal.expiresAtMs) };
  });
};
