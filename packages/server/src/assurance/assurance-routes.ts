import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  marginReport,
  rerateReport,
  parseIsoInstantMs,
  reconcilePeriod,
  type AssuranceDeps,
} from '@tollgate/core';
import type { AppServices } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import { withProblems } from '../http/schemas/common-schemas.ts';
import { tenantIdsOf } from '../http/tenant-ids.ts';
import { assuranceScope } from './assurance-access.ts';
import { toApiReconciliation } from './assurance-convert.ts';
import {
  MarginQuery,
  MarginView,
  PeriodQuery,
  ReconciliationView,
  RerateQuery,
  RerateView,
} from './assurance-schemas.ts';
import { toApiRerate } from './rerate-convert.ts';
import { visibleDeck } from '../http/routes/deck-routes.ts';
import { marginCsvLines, toApiMargins } from './margin-convert.ts';
import { acceptsCsvFirst, csvContentType, csvText } from '../http/reply-csv.ts';

const tags = ['assurance'];

export function assuranceOf(services: AppServices): AssuranceDeps {
  if (services.assurance === undefined) {
    throw httpProblem('service_unavailable', 'revenue assurance is not configured on this node');
  }
  return services.assurance;
}

/** A period's two instants; the problem names the parameter at fault. */
export function periodOf(query: { from: string; to: string }): { fromMs: number; toMs: number } {
  const instant = (text: string, column: string) => {
    const parsed = parseIsoInstantMs(text);
    return unwrap(parsed.ok ? parsed : { ...parsed, message: `${column}: ${parsed.message}`,
      column });
  };
  return { fromMs: instant(query.from, 'from'), toMs: instant(query.to, 'to') };
}

/** Revenue assurance (issue 20): reconciliation of a period and a subtree. */
export const assuranceRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.get('/v1/reconciliation', {
    schema: { operationId: 'reconcile', tags, summary: 'Reconcile a period of a subtree: ' +
      'rated CDRs vs ledger charges, carrier accruals, holds vs live sessions, journal sums',
    description: 'The operator key names the subtree (account_id); a root account\'s key may ' +
      'name any account of its tree. Zero findings on a healthy system.',
    querystring: PeriodQuery, response: withProblems({ 200: ReconciliationView }) },
  }, async (request) => {
    const principal = principalOf(request);
    const scopeAccountId = await assuranceScope(services, principal, request.query.account_id);
    const report = unwrap(await reconcilePeriod(assuranceOf(services),
      { scopeAccountId, ...periodOf(request.query) }));
    const ids = tenantIdsOf(principal);
    return toApiReconciliation(report, (id) => ids.shown(id));
  });

  app.get('/v1/margins', {
    schema: { operationId: 'margins', tags, summary: 'One level\'s margin per destination ' +
      '(and carrier, for a root): calls, minutes, ASR, ACD, revenue, cost, margin',
    description: 'Any key on its own account or below (never a level above it: a reseller ' +
      'sees what it pays its parent, not what its parent pays). CSV with Accept: text/csv or ' +
      'format=csv.', produces: ['application/json', 'text/csv'],
    querystring: MarginQuery, response: withProblems({ 200: MarginView }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const accountId = unwrap(await services.access.listingScope(principal,
      request.query.account_id));
    const showCarrier = principal.kind === 'operator' ||
      await services.access.rootOf(principal) === principal.accountId;
    const report = unwrap(await marginReport(assuranceOf(services), { accountId, showCarrier,
      ...periodOf(request.query) }));
    const ids = tenantIdsOf(principal);
    const view = toApiMargins(report, (id) => ids.shown(id));
    if (request.query.format === 'csv' || (request.query.format === undefined &&
      acceptsCsvFirst(request.headers.accept))) {
      reply.type(csvContentType);
      // A string with a non-JSON content type is sent as it is, past the JSON schema of 200.
      return csvText(marginCsvLines(view)) as never;
    }
    return view;
  });

  app.get('/v1/rerating', {
    schema: { operationId: 'rerate', tags, summary: 'What if: a level\'s calls of a period ' +
      'rated again with another deck, old vs new per destination; no money moves',
    description: 'side=revenue replaces the deck the level sells with, side=cost the one it ' +
      'buys with. Any key on its own account or below, with a deck it may see.',
    querystring: RerateQuery, response: withProblems({ 200: RerateView }) },
  }, async (request) => {
    const principal = principalOf(request);
    const { query } = request;
    const accountId = unwrap(await services.access.listingScope(principal, query.account_id));
    const ids = tenantIdsOf(principal);
    const carrierIds = query.carrier_id === undefined ? null : ids.candidates(query.carrier_id);
    if (carrierIds !== null && principal.kind === 'account' &&
      await services.access.rootOf(principal) !== principal.accountId) {
      throw httpProblem('forbidden', 'only the operator and root accounts see carriers');
    }
    const summary = await visibleDeck(services, principal, query.deck_id);
    const deck = await services.decks.getDeck(summary.id);
    if (deck === null) throw httpProblem('rate_deck_not_found', `no rate deck ${query.deck_id}`);
    const report = unwrap(await rerateReport(assuranceOf(services), { accountId,
      side: query.side ?? 'revenue', deck, carrierIds, ...periodOf(query) }));
    return toApiRerate(report, summary.id, (id) => ids.shown(id));
  });
};
