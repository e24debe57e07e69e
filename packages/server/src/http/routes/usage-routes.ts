import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkAccountIdText } from '@tollgate/core';
import type { AppServices } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import {
  cdrCsvColumns,
  cdrCsvOwnColumns,
  parseInstantOrDayMs,
  toApiCdr,
  toApiCharged,
  toCdrCsvLine,
} from '../convert.ts';
import { refusalOf, unwrap } from '../http-problem.ts';
import { tenantIdsOf } from '../tenant-ids.ts';
import { cdrForKey, refusalForKey } from '../tenant-view.ts';
import { acceptsCsvFirst, csvContentType, csvText } from '../reply-csv.ts';
import { withProblems } from '../schemas/common-schemas.ts';
import { scopeOf } from './session-routes.ts';
import { CdrPage, CdrQuery, Charged, EventBody } from '../schemas/session-schemas.ts';

/** Parses an optional ISO instant or day (`to`: the day's end); the problem names it. */
function instantOf(text: string | undefined, column: string, edge: 'start' | 'end' = 'start'):
  number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseInstantOrDayMs(text, edge);
  if (!parsed.ok) return unwrap({ ...parsed, message: `${column}: ${parsed.message}`, column });
  return parsed.value;
}

/**
 * One-shot charging (a CDR from a switch that cannot do sessions, an SMS) and the CDRs every
 * call and event leaves: filtered, paged by id, as JSON or CSV.
 */
export const usageRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { access, charging } = services;

  app.post('/v1/events', {
    schema: { operationId: 'chargeEvent', tags: ['events'],
      summary: 'Rate and debit a whole usage at once (idempotent by event_id)',
      body: EventBody, response: withProblems({ 200: Charged }) },
  }, async (request) => {
    const { body } = request;
    const principal = principalOf(request);
    unwrap(checkAccountIdText(body.account_id));
    const startedAtMs = instantOf(body.started_at, 'started_at');
    // Event ids share the namespace rule of session ids (tenant-ids.ts): `cdr-1001` of one
    // key's account is never another's.
    const ids = tenantIdsOf(principal);
    const answer = unwrap(await charging.event({ eventId: ids.stored(body.event_id),
      accountId: body.account_id, caller: body.caller, callee: body.callee,
      durationSeconds: body.duration_seconds, ...scopeOf(principal),
      ...(startedAtMs === undefined ? {} : { startedAtMs }) }));
    if (answer.status !== 'charged') {
      const seen = await refusalForKey({ ...answer, sessionId: body.event_id },
        body.account_id, principal, access);
      throw refusalOf(seen.answer, seen.binding);
    }
    return toApiCharged({ ...answer, eventId: body.event_id });
  });

  app.get('/v1/cdrs', {
    schema: { operationId: 'listCdrs', tags: ['cdrs'],
      summary: 'CDRs of an account\'s subtree, by end time',
      description: 'format=csv, or Accept: text/csv, answers text/csv: one line per CDR, ' +
        'without levels, with the caller\'s own figures (own_price: what the level below paid ' +
        'the caller\'s account; own_cost: what it paid, or a root\'s carrier cost; ' +
        'own_margin: their difference in one currency). The next page cursor is then in ' +
        'the x-next-after header.',
      produces: ['application/json', 'text/csv'], querystring: CdrQuery,
      response: withProblems({ 200: CdrPage }) },
  }, async (request, reply) => {
    const query = request.query;
    const principal = principalOf(request);
    const limit = query.limit ?? httpLimits.pageSizeDefault;
    const scope = unwrap(await access.listingScope(principal, query.account_id));
    const ids = tenantIdsOf(principal);
    const fromMs = instantOf(query.from, 'from');
    const toMs = instantOf(query.to, 'to', 'end');
    const cdrs = unwrap(await charging.listCdrs({ scopeAccountId: scope, limit,
      ...(query.customer_id === undefined ? {} : { accountId: query.customer_id }),
      ...(fromMs === undefined ? {} : { fromMs }),
      ...(toMs === undefined ? {} : { toMs }),
      ...(query.after === undefined ? {} : { afterId: query.after }) }));
    const last = cdrs.at(-1);
    const nextAfter = cdrs.length === limit && last !== undefined ? last.id : null;
    // Levels above the key, and the carrier below the root, are not the key's to see.
    const visible = cdrs.map((cdr) =>
      cdrForKey({ ...cdr, sessionId: ids.shown(cdr.sessionId) }, principal));
    // `format` wins; without it the Accept header decides (`Accept: text/csv`).
    const csv = query.format === undefined ? acceptsCsvFirst(request.headers.accept)
      : query.format === 'csv';
    if (csv) {
      if (nextAfter !== null) reply.header('x-next-after', nextAfter);
      reply.type(csvContentType);
      // A string with a non-JSON content type is sent as it is, past the JSON schema of 200.
      return csvText([[...cdrCsvColumns, ...cdrCsvOwnColumns].join(','),
        ...visible.map(toCdrCsvLine)]) as never;
    }
    return { cdrs: visible.map(toApiCdr), next_after: nextAfter };
  });
};
