import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkAccountIdText } from '@tollgate/core';
import type { Principal } from '../../auth/api-keys.ts';
import type { AppServices } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { toApiGrant, toApiLiveSession, toApiTerminated } from '../convert.ts';
import { refusalOf, unwrap } from '../http-problem.ts';
import { carrierNamed } from '../carrier-names.ts';
import { tenantIdsOf, type TenantIds } from '../tenant-ids.ts';
import { grantForKey, refusalForKey } from '../tenant-view.ts';
import { withProblems } from '../schemas/common-schemas.ts';
import {
  AuthorizeBody,
  Grant,
  LiveSessionPage,
  LiveSessionsQuery,
  SessionParams,
  TerminateBody,
  Terminated,
  UsageBody,
} from '../schemas/session-schemas.ts';

const tags = ['sessions'];

/**
 * The key's scope for the charging use cases. They check it inside their own transaction,
 * against the chain they load anyway, so a call costs one transaction whatever the key; the
 * operator key reaches every account and passes no scope.
 */
export function scopeOf(principal: Principal): { scopeAccountId?: string } {
  return principal.kind === 'operator' ? {} : { scopeAccountId: principal.accountId };
}

/**
 * Runs a request on the first stored key the id may name that holds a session in the key's
 * reach (tenant-ids.ts): a miss in the key's own namespace tries the installation's.
 */
export async function onFirstSession<R extends { readonly ok: boolean; readonly code?: string }>(
  ids: TenantIds,
  sessionId: string,
  run: (storedKey: string) => Promise<R>,
): Promise<R> {
  const keys = ids.candidates(sessionId);
  let result = await run(keys[0]!);
  for (const key of keys.slice(1)) {
    if (result.ok || result.code !== 'session_not_found') break;
    result = await run(key);
  }
  return result;
}

/** A session's id as the caller named it, in an answer that carries the stored key. */
function named<T extends { readonly sessionId: string }>(answer: T, sessionId: string): T {
  return { ...answer, sessionId };
}

/** `requested_seconds` when the switch sent it (the core checks its range). */
function requestedOf(requestedSeconds: number | undefined) {
  return requestedSeconds === undefined ? {} : { requestedSeconds };
}

/**
 * Live calls (charging.md, "A live call"): authorize, update with cumulative seconds,
 * terminate. A refusal is an answer with its HTTP status (402 cannot pay, 403 refused,
 * 404 no such account) and the same body shape as any problem, `status` = `code`. A
 * retransmission (same request_number) gets the stored answer; nothing moves twice.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { access, charging } = services;

  app.post('/v1/sessions', {
    schema: { operationId: 'authorizeSession', tags, summary: 'Authorize a call (request 0)',
      body: AuthorizeBody, response: withProblems({ 200: Grant }) },
  }, async (request) => {
    const { body } = request;
    const principal = principalOf(request);
    unwrap(checkAccountIdText(body.account_id));
    const ids = tenantIdsOf(principal);
    const answer = named(unwrap(await charging.authorize({
      sessionId: ids.stored(body.session_id), requestNumber: body.request_number,
      accountId: body.account_id, caller: body.caller, callee: body.callee,
      ...scopeOf(principal), ...requestedOf(body.requested_seconds),
      ...(body.carrier_id === undefined ? {} : { carrierId: (await carrierNamed(
        services.routing, principal, body.carrier_id))?.id ?? body.carrier_id }) })),
    body.session_id);
    if (answer.status !== 'granted') {
      const seen = await refusalForKey(answer, body.account_id, principal, access);
      throw refusalOf(seen.answer, seen.binding);
    }
    return toApiGrant(await grantForKey(answer, principal, access));
  });

  app.post('/v1/sessions/:session_id/update', {
    schema: { operationId: 'updateSession', tags,
      summary: 'Report cumulative used seconds; get the next grant',
      params: SessionParams, body: UsageBody, response: withProblems({ 200: Grant }) },
  }, async (request) => {
    const sessionId = request.params.session_id;
    const principal = principalOf(request);
    const ids = tenantIdsOf(principal);
    const answer = unwrap(await onFirstSession(ids, sessionId, (key) => charging.update({
      sessionId: key, requestNumber: request.body.request_number,
      usedSeconds: request.body.used_seconds, ...scopeOf(principal),
      ...requestedOf(request.body.requested_seconds) })));
    return toApiGrant(await grantForKey(named(answer, sessionId), principal, access));
  });

  app.post('/v1/sessions/:session_id/terminate', {
    schema: { operationId: 'terminateSession', tags,
      summary: 'End a call: final cost and CDR', params: SessionParams, body: TerminateBody,
      response: withProblems({ 200: Terminated }) },
  }, async (request) => {
    const sessionId = request.params.session_id;
    const principal = principalOf(request);
    const ids = tenantIdsOf(principal);
    const answer = unwrap(await onFirstSession(ids, sessionId, (key) => charging.terminate({
      sessionId: key, requestNumber: request.body.request_number,
      usedSeconds: request.body.used_seconds, ...scopeOf(principal),
      ...(request.body.pdd_ms === undefined ? {} : { pddMs: request.body.pdd_ms }) })));
    return toApiTerminated(named(answer, sessionId));
  });

  app.get('/v1/sessions', {
    schema: { operationId: 'listLiveSessions', tags,
      summary: 'Live calls of an account\'s subtree (default: the key\'s account)',
      querystring: LiveSessionsQuery, response: withProblems({ 200: LiveSessionPage }) },
  }, async (request) => {
    const { account_id: accountId, after, limit = httpLimits.pageSizeDefault } = request.query;
    const principal = principalOf(request);
    const scope = unwrap(await access.listingScope(principal, accountId));
    const ids = tenantIdsOf(principal);
    const sessions = unwrap(await charging.listLiveSessions({ scopeAccountId: scope, limit,
      ...(after === undefined ? {} : { afterSessionId: after }) }));
    const last = sessions.at(-1);
    // next_after is the stored key: an opaque cursor, handed back as it came.
    return { sessions: sessions.map((view) =>
      toApiLiveSession({ ...view, sessionId: ids.shown(view.sessionId) })),
    next_after: sessions.length === limit && last !== undefined ? last.sessionId : null };
  });
};
