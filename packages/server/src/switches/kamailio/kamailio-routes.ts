import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../../http/auth-hook.ts';
import { tenantIdsOf } from '../../http/tenant-ids.ts';
import { httpStatusOf, type ApiCode } from '../../http/error-mapping.ts';
import { Problem } from '../../http/schemas/common-schemas.ts';
import { scopeOf } from '../../http/routes/session-routes.ts';
import type { AppServices } from '../../http/app-services.ts';
import { reportUsage, SessionQueue, startCall, type SwitchFront } from '../switch-front.ts';
import { currentKamailioSession, kamailioRouteRef } from './kamailio-call-routes.ts';

/** Call-IDs longer than this are refused: the session id must stay under 200 characters. */
const callIdLengthMax = 150;
/** Printable ASCII without spaces, like every session id (core charging-input.ts). */
export const callIdPattern = new RegExp(`^[\\x21-\\x7e]{1,${callIdLengthMax}}$`);

export const kamailioWatchdogLimits = {
  /** How long past the grant Tollgate waits for event_route[dialog:end]. */
  endGraceMs: 3_000,
  /** Answered calls watched at once; past it the sweeper is the only backstop. */
  watchedMax: 100_000,
} as const;

export function kamailioSessionId(callId: string): string {
  return `kam:${callId}`;
}

export type Params = Record<string, string | undefined>;

/** Parameters from the query string, or from a form body (http_client POSTs one). */
export function paramsOf(request: FastifyRequest): Params {
  const query = request.query as Params;
  const body = typeof request.body === 'object' && request.body !== null
    ? request.body as Params : {};
  return { ...body, ...query };
}

export function plain(reply: FastifyReply, status: number, line: string) {
  return reply.code(status).type('text/plain; charset=utf-8').send(`${line}\n`);
}

export function problemText(reply: FastifyReply, code: string) {
  return plain(reply, httpStatusOf(code as ApiCode), code);
}

const line = (description: string) => Type.String({ description });
// A refusal here is a line of text, but the key check and the error handler answer a JSON
// problem: a string-only schema serialized that object as "[object Object]".
const lineOrProblem = (description: string) => Type.Union([line(description), Problem]);
/** The schema parts every plain-text Kamailio route shares. */
export const kamailioTextSchema = { tags: ['switches'], produces: ['text/plain'], response: {
  200: line('One line: the answer for kamailio.cfg'),
  '4xx': lineOrProblem('One line: the error code (a missing or bad key answers a JSON ' +
    'problem)'),
  '5xx': lineOrProblem('One line: the error code') } } as const;

const wholeNumber = /^\d{1,9}$/;

/**
 * Plain-text endpoints for kamailio.cfg (docs/integrations/kamailio.md), whose http_client
 * returns the body as a string: parsing JSON in the config would need another module.
 * - `/v1/kamailio/authorize?account=&caller=&callee=&callid=`: 200 with the granted seconds
 *   (the dialog timeout), or the refusal's HTTP status with its code;
 * - `/v1/kamailio/start?callid=&h_entry=&h_id=`: the answered dialog's ids (for kills);
 * - `/v1/kamailio/end?callid=&duration=`: the dialog ended (event_route[dialog:end]).
 * GET or a form POST; each is idempotent by Call-ID (authorize is request 0 of the session).
 * The key's scope applies as on /v1/sessions.
 */
export const kamailioRoutes: FastifyPluginAsync<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const front: SwitchFront = { charging: services.charging, origins: services.switches.origins,
    clock: services.clock, log: services.switches.log };
  const queue = new SessionQueue();
  // Kamailio 5.6 does not always run event_route[dialog:end] after the dialog timeout (seen
  // in the tests, and after RPC teardowns in protocols.md). The timeout is the grant, counted
  // from the answer: a call still open a little past it ran the whole grant, and is settled so.
  const watched = new Map<string, NodeJS.Timeout>();
  const unwatch = (sessionId: string) => {
    clearTimeout(watched.get(sessionId));
    watched.delete(sessionId);
  };
  const watch = (sessionId: string, grantSeconds: number) => {
    unwatch(sessionId);
    if (grantSeconds <= 0 || watched.size >= kamailioWatchdogLimits.watchedMax) return;
    watched.set(sessionId, setTimeout(() => {
      watched.delete(sessionId);
      void queue.run(sessionId, () => reportUsage(front, { sessionId, usedSeconds: grantSeconds,
        ended: true })).then((ended) => {
        if (ended.ok) {
          front.log.warn({ code: 'dialog_end_missing', sessionId, usedSeconds: grantSeconds },
            'no dialog:end after the grant: settled as the whole grant');
        }
      }, () => undefined);
    }, grantSeconds * 1000 + kamailioWatchdogLimits.endGraceMs));
  };
  app.addHook('onClose', async () => {
    for (const sessionId of [...watched.keys()]) unwatch(sessionId);
  });
  {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(
        String(body))) as Params));
    // A Kamailio with a tenant's key names its calls in that tenant's namespace, like any
    // session the key starts (http/tenant-ids.ts): another tenant's Call-IDs never collide.
    const sessionKeyOf = async (request: FastifyRequest, callId: string) =>
      tenantIdsOf(principalOf(request)).stored(kamailioSessionId(callId));
    const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = paramsOf(request);
      const callId = params['callid'] ?? '';
      if (!callIdPattern.test(callId)) {
        return problemText(reply, 'invalid_session_id');
      }
      const sessionId = await sessionKeyOf(request, callId);
      const answer = await startCall(front, { sessionId,
        integration: 'kamailio', callRef: { callId },
        accountId: params['account'] ?? '', caller: params['caller'] ?? '',
        callee: (params['callee'] ?? '').replace(/^\+/, ''),
        ...scopeOf(principalOf(request)) });
      if (!answer.ok) return problemText(reply, answer.code);
      if (answer.value.status !== 'granted') return problemText(reply, answer.value.status);
      await front.origins.updateCallRef(sessionId, { callId,
        grantSeconds: answer.value.grantedSeconds,
        ...kamailioRouteRef(answer.value, { account: params['account'] ?? '',
          caller: params['caller'] ?? '', callee: (params['callee'] ?? '').replace(/^\+/, '') }),
      }, front.clock.nowMs());
      return plain(reply, 200, String(answer.value.grantedSeconds));
    };
    // event_route[dialog:start]: the answered dialog's ids, which dlg.end_dlg needs.
    const start = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = paramsOf(request);
      const callId = params['callid'] ?? '';
      const hEntry = params['h_entry'] ?? '';
      const hId = params['h_id'] ?? '';
      if (!callIdPattern.test(callId)) {
        return problemText(reply, 'invalid_session_id');
      }
      if (!wholeNumber.test(hEntry) || !wholeNumber.test(hId)) {
        return problemText(reply, 'bad_request');
      }
      // After a carrier failover the call is on a later try's session (kamailio-failover.ts).
      const sessionId = await currentKamailioSession(front.origins,
        await sessionKeyOf(request, callId));
      const origin = await front.origins.find(sessionId);
      const accountId = await services.charging.getSessionAccountId(sessionId);
      if (origin === null || origin.integration !== 'kamailio' || accountId === null) {
        return problemText(reply, 'session_not_found');
      }
      const allowed = await services.access.account(principalOf(request), accountId, 'subtree');
      if (!allowed.ok) return problemText(reply, allowed.code);
      const grantSeconds = Number(origin.callRef['grantSeconds'] ?? 0);
      await front.origins.updateCallRef(sessionId, { callId, grantSeconds,
        hEntry: Number(hEntry), hId: Number(hId) }, front.clock.nowMs());
      watch(sessionId, grantSeconds);
      return plain(reply, 200, 'ok');
    };
    const end = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = paramsOf(request);
      const callId = params['callid'] ?? '';
      const duration = params['duration'] ?? '';
      if (!callIdPattern.test(callId)) {
        return problemText(reply, 'invalid_session_id');
      }
      if (!wholeNumber.test(duration)) return problemText(reply, 'invalid_used_seconds');
      const sessionId = await currentKamailioSession(front.origins,
        await sessionKeyOf(request, callId));
      unwatch(sessionId);
      const ended = await queue.run(sessionId, () => reportUsage(front, { sessionId,
        usedSeconds: Number(duration), ended: true, ...scopeOf(principalOf(request)) }));
      if (!ended.ok) return problemText(reply, ended.code);
      return plain(reply, 200, 'terminated');
    };
    const text = kamailioTextSchema;
    app.get('/v1/kamailio/authorize', { schema: { ...text, operationId: 'kamailioAuthorize',
      summary: 'Authorize a Kamailio dialog: the granted seconds as plain text' } }, authorize);
    app.get('/v1/kamailio/start', { schema: { ...text, operationId: 'kamailioStart',
      summary: 'A Kamailio dialog was answered: its h_entry/h_id, for kills' } }, start);
    app.get('/v1/kamailio/end', { schema: { ...text, operationId: 'kamailioEnd',
      summary: 'A Kamailio dialog ended (terminate with its duration)' } }, end);
    // The same with a form body, for http_client calls that POST.
    app.post('/v1/kamailio/authorize', authorize);
    app.post('/v1/kamailio/start', start);
    app.post('/v1/kamailio/end', end);
  }
};
