import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../../http/auth-hook.ts';
import { tenantIdsOf } from '../../http/tenant-ids.ts';
import { httpStatusOf, type ApiCode } from '../../http/error-mapping.ts';
import { Problem } from '../../http/schemas/common-schemas.ts';
import { scopeOf } from '../../http/routes/session-routes.ts';
import type { AppServices } from '../../http/app-services.ts';
import { reportUsage, SessionQueue, startCall, switchFrontOf } from '../switch-front.ts';
import { KamailioWatchdog } from './kamailio-watchdog.ts';
import { currentKamailioSession, kamailioRouteRef } from './kamailio-call-routes.ts';

/** Call-IDs longer than this are refused: the session id must stay under 200 characters. */
const callIdLengthMax = 150;
/** Printable ASCII without spaces, like every session id (core charging-input.ts). */
export const callIdPattern = new RegExp(`^[\\x21-\\x7e]{1,${callIdLengthMax}}$`);

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
 * A grant as kamailio.cfg reads it: the seconds, then ` final` when no renewal may follow
 * (the money or the call's length limit ends the call there), so the config stops renewing.
 */
export function grantLine(grantedSeconds: number, final: boolean): string {
  return final ? `${grantedSeconds} final` : String(grantedSeconds);
}

/**
 * Plain-text endpoints for kamailio.cfg (docs/integrations/kamailio.md), whose http_client
 * returns the body as a string: parsing JSON in the config would need another module.
 * - `/v1/kamailio/authorize?account=&caller=&callee=&callid=`: 200 with the granted seconds
 *   (the dialog timeout), or the refusal's HTTP status with its code;
 * - `/v1/kamailio/start?callid=&h_entry=&h_id=`: the answered dialog's ids (for kills); the
 *   answer is the grant the dialog started with (`<seconds>` or `<seconds> final`);
 * - `/v1/kamailio/update?callid=&used=`: renew mid-call with the seconds used so far; the
 *   answer is the next grant, counted from now, in the same form;
 * - `/v1/kamailio/end?callid=&duration=`: the dialog ended (event_route[dialog:end]).
 * GET or a form POST; each is idempotent by Call-ID (authorize is request 0 of the session).
 * The key's scope applies as on /v1/sessions.
 */
export const kamailioRoutes: FastifyPluginAsync<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const front = switchFrontOf(services);
  const queue = new SessionQueue();
  const watchdog = new KamailioWatchdog(front, queue);
  app.addHook('onClose', async () => watchdog.close());
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
        grantSeconds: answer.value.grantedSeconds, grantFinal: answer.value.final ? 1 : 0,
        ...kamailioRouteRef(answer.value, { account: params['account'] ?? '',
          caller: params['caller'] ?? '', callee: (params['callee'] ?? '').replace(/^\+/, '') }),
      }, front.clock.nowMs());
      return plain(reply, 200, String(answer.value.grantedSeconds));
    };
    // event_route[dialog:start]: the answered dialog's ids, which dlg.end_dlg needs. The
    // answer is the grant the dialog started with, from which kamailio.cfg plans its renewal.
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
      const grantFinal = Number(origin.callRef['grantFinal'] ?? 0);
      await front.origins.updateCallRef(sessionId, { callId, grantSeconds, grantFinal,
        hEntry: Number(hEntry), hId: Number(hId) }, front.clock.nowMs());
      if (origin.requestNumber === 0) watchdog.watch(sessionId, grantSeconds, grantSeconds);
      return plain(reply, 200, grantLine(grantSeconds, grantFinal === 1));
    };
    // end and update: the call and the whole seconds it has used (`duration` or `used`),
    // reported in the call's order; a bad parameter is answered with its code.
    const reportCall = async (request: FastifyRequest, secondsField: string, ended: boolean) => {
      const params = paramsOf(request);
      const callId = params['callid'] ?? '';
      const seconds = params[secondsField] ?? '';
      if (!callIdPattern.test(callId)) return { code: 'invalid_session_id' } as const;
      if (!wholeNumber.test(seconds)) return { code: 'invalid_used_seconds' } as const;
      // After a carrier failover the call is on a later try's session (kamailio-failover.ts).
      const sessionId = await currentKamailioSession(front.origins,
        await sessionKeyOf(request, callId));
      const usedSeconds = Number(seconds);
      if (ended) watchdog.unwatch(sessionId);
      const result = await queue.run(sessionId, () => reportUsage(front, { sessionId,
        usedSeconds, ended, ...scopeOf(principalOf(request)) }));
      return result.ok ? { sessionId, usedSeconds, answer: result.value }
        : { code: result.code };
    };
    const end = async (request: FastifyRequest, reply: FastifyReply) => {
      const ended = await reportCall(request, 'duration', true);
      if ('code' in ended) return problemText(reply, ended.code);
      return plain(reply, 200, 'terminated');
    };
    // The renewal (kamailio.cfg's rtimer route): commit the seconds used so far and reserve
    // the next slice; the answer becomes the dialog's new timeout.
    const update = async (request: FastifyRequest, reply: FastifyReply) => {
      const renewed = await reportCall(request, 'used', false);
      if ('code' in renewed) return problemText(reply, renewed.code);
      const { sessionId, usedSeconds, answer } = renewed;
      if (answer.status !== 'granted') return problemText(reply, 'session_not_found');
      watchdog.watch(sessionId, answer.grantedSeconds, usedSeconds + answer.grantedSeconds);
      return plain(reply, 200, grantLine(answer.grantedSeconds, answer.final));
    };
    const text = kamailioTextSchema;
    app.get('/v1/kamailio/authorize', { schema: { ...text, operationId: 'kamailioAuthorize',
      summary: 'Authorize a Kamailio dialog: the granted seconds as plain text' } }, authorize);
    app.get('/v1/kamailio/start', { schema: { ...text, operationId: 'kamailioStart',
      summary: 'A Kamailio dialog was answered: its h_entry/h_id, for kills' } }, start);
    app.get('/v1/kamailio/update', { schema: { ...text, operationId: 'kamailioUpdate',
      summary: 'Renew a Kamailio dialog\'s grant: commit the seconds used, answer the next ' +
        'grant as plain text ("<seconds>" or "<seconds> final")' } }, update);
    app.get('/v1/kamailio/end', { schema: { ...text, operationId: 'kamailioEnd',
      summary: 'A Kamailio dialog ended (terminate with its duration)' } }, end);
    // The same with a form body, for http_client calls that POST.
    app.post('/v1/kamailio/authorize', authorize);
    app.post('/v1/kamailio/start', start);
    app.post('/v1/kamailio/update', update);
    app.post('/v1/kamailio/end', end);
  }
};
