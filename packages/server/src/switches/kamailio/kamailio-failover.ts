import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../../http/auth-hook.ts';
import { scopeOf } from '../../http/routes/session-routes.ts';
import { tenantIdsOf } from '../../http/tenant-ids.ts';
import type { AppServices } from '../../http/app-services.ts';
import { attemptSessionId, decodeCarrierOrder, failOver } from '../route-attempts.ts';
import { SessionQueue, switchFrontOf } from '../switch-front.ts';
import { sipUri } from './kamailio-call-routes.ts';
import {
  callIdPattern,
  kamailioSessionId,
  kamailioTextSchema as text,
  paramsOf,
  plain,
  problemText,
} from './kamailio-routes.ts';

/**
 * Routes for Kamailio (docs/integrations/kamailio.md, "Routes"): the carrier a call was
 * authorized on becomes the destination URI (`$du`), and failure_route asks for the next one.
 * The call's origin (its first session's) keeps the carrier order, the carrier and gateway of
 * the current try and its number; each try is a session of its own (route-attempts.ts).
 */

const textOf = (value: string | number | undefined) => typeof value === 'string' ? value : '';

export const kamailioFailoverRoutes: FastifyPluginAsync<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const front = switchFrontOf(services);
  const queue = new SessionQueue();
  // A carrier whose gateway is not a SIP URI cannot be Kamailio's $du: the call is not routed.
  const unusableGateway = (reply: FastifyReply, gateway: string) => {
    front.log.warn({ code: 'unsafe_gateway', gateway: gateway.slice(0, 80) },
      'a carrier gateway is not a SIP URI: Kamailio cannot route to it');
    return problemText(reply, 'no_route');
  };
  const callOf = async (request: FastifyRequest) => {
    const params = paramsOf(request);
    const callId = params['callid'] ?? '';
    if (!callIdPattern.test(callId)) return null;
    const sessionId = tenantIdsOf(principalOf(request)).stored(kamailioSessionId(callId));
    return { callId, sessionId, status: params['status'] ?? '' };
  };
  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    const call = await callOf(request);
    if (call === null) return problemText(reply, 'invalid_session_id');
    const origin = await front.origins.find(call.sessionId);
    if (origin === null || origin.integration !== 'kamailio') {
      return problemText(reply, 'session_not_found');
    }
    const gateway = textOf(origin.callRef['gateway']);
    if (gateway === '') return problemText(reply, 'no_route');
    if (!sipUri.test(gateway)) return unusableGateway(reply, gateway);
    return plain(reply, 200, gateway);
  };
  const failover = async (request: FastifyRequest, reply: FastifyReply) => {
    const call = await callOf(request);
    if (call === null) return problemText(reply, 'invalid_session_id');
    const answer = await queue.run(call.sessionId, async () => {
      const origin = await front.origins.find(call.sessionId);
      if (origin === null || origin.integration !== 'kamailio') return 'session_not_found';
      const ref = origin.callRef;
      const attempt = typeof ref['attempt'] === 'number' ? ref['attempt'] : 0;
      if (attempt < 1) return 'no_route';
      // The carrier answered (/start came): the call is no longer the carrier's to fail.
      const current = await front.origins.find(attemptSessionId(call.sessionId, attempt));
      if (current?.callRef['hId'] !== undefined) return 'request_out_of_order';
      const outcome = await failOver(front, { callSessionId: call.sessionId, attempt,
        failedCarrierId: textOf(ref['carrier']), carrierOrder: decodeCarrierOrder(ref['carriers']),
        integration: 'kamailio', callRef: { callId: call.callId },
        accountId: textOf(ref['account']), caller: textOf(ref['caller']),
        callee: textOf(ref['callee']), skipUnusable: true, ...scopeOf(principalOf(request)) });
      front.log.info({ code: 'carrier_failed', sessionId: call.sessionId,
        carrierId: ref['carrier'], sipStatus: call.status.slice(0, 3), outcome: outcome.kind },
      'Kamailio reported a failed carrier');
      if (outcome.kind === 'exhausted') return 'no_route';
      if (outcome.kind === 'refused') return outcome.code;
      const gateway = outcome.grant.route?.gateway ?? '';
      const now = front.clock.nowMs();
      await front.origins.updateCallRef(outcome.sessionId, { callId: call.callId,
        grantSeconds: outcome.grant.grantedSeconds, grantFinal: outcome.grant.final ? 1 : 0 },
      now);
      await front.origins.updateCallRef(call.sessionId, { ...ref, attempt: outcome.attempt,
        carrier: outcome.carrierId, gateway }, now);
      return { line: `${outcome.grant.grantedSeconds} ${gateway}`, gateway };
    });
    if (typeof answer === 'string') return problemText(reply, answer);
    if (!sipUri.test(answer.gateway)) return unusableGateway(reply, answer.gateway);
    return plain(reply, 200, answer.line);
  };
  app.get('/v1/kamailio/route', { schema: { ...text, operationId: 'kamailioRoute',
    summary: 'The destination URI ($du) of the carrier a Kamailio call is authorized on' } },
  route);
  app.get('/v1/kamailio/failover', { schema: { ...text, operationId: 'kamailioFailover',
    summary: 'A carrier failed a Kamailio call: the next carrier\'s grant and $du' } },
  failover);
};
