import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppServices } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { formatMoney } from '../convert.ts';
import { unwrap } from '../http-problem.ts';
import { Money, withProblems } from '../schemas/common-schemas.ts';
import { SessionParams } from '../schemas/session-schemas.ts';
import { onFirstSession, scopeOf } from './session-routes.ts';
import { tenantIdsOf } from '../tenant-ids.ts';

const KillQuery = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$',
    description: 'Why (logged with the kill); default operator_kill' })),
}, { additionalProperties: false });

const Killed = Type.Object({
  status: Type.Literal('killed'),
  session_id: Type.String(),
  request_number: Type.Integer(),
  cdr_id: Type.String(),
  used_seconds: Type.Integer({ description: 'Charged up to the kill' }),
  billed_seconds: Type.Integer(),
  cost: Money,
  currency: Type.String(),
  teardown: Type.String({ description: 'ended: the switch confirmed; next_request: the ' +
    'switch learns at its next update (0 seconds, final); otherwise a failure code ' +
    '(switch_unreachable, switch_refused, teardown_timeout, no_driver, call_ref_missing): the ' +
    'call still stops at its grant' }),
});

/**
 * kill_session over HTTP: settles the call now (CDR disposition `killed`) and ends it through
 * the integration that carries it (switches/teardown). The same scope as update and
 * terminate: the key's account must be in the session's chain. Bodiless, like suspend.
 */
export const sessionKillRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.post('/v1/sessions/:session_id/kill', {
    schema: { operationId: 'killSession', tags: ['sessions'],
      summary: 'End a live call now: settle it and tear it down on its switch',
      params: SessionParams, querystring: KillQuery,
      response: withProblems({ 200: Killed }) },
  }, async (request) => {
    const principal = principalOf(request);
    const sessionId = request.params.session_id;
    const ids = tenantIdsOf(principal);
    const killed = unwrap(await onFirstSession(ids, sessionId, (key) =>
      services.switches.teardown.killSession({ sessionId: key,
        reason: request.query.reason ?? 'operator_kill', ...scopeOf(principal) })));
    const { answer, teardown } = killed;
    const body = { status: 'killed' as const, session_id: sessionId,
      request_number: answer.requestNumber, cdr_id: answer.cdrId,
      used_seconds: answer.usedSeconds, billed_seconds: answer.billedSeconds,
      cost: formatMoney(answer.costMicros), currency: answer.currency,
      teardown: teardown.status === 'failed' ? teardown.code : teardown.status };
    await services.audit.record(request, { action: 'session_killed', subjectId: answer.sessionId,
      accountId: await services.charging.getSessionAccountId(answer.sessionId), before: null,
      after: { ...body, reason: request.query.reason ?? 'operator_kill' } });
    return body;
  });
};
