import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Principal } from '../../auth/api-keys.ts';
import type { AppServices } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { formatIsoInstant, type Carrier } from '@tollgate/core';
import { formatMoney } from '../convert.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import { IdParams, withProblems } from '../schemas/common-schemas.ts';
import {
  Carrier as CarrierSchema,
  CarrierBody,
  CarrierList,
  CarrierListQuery,
  CarrierParams,
  CarrierPatch,
  CarrierQuality,
  RouteList,
  RouteRuleBody,
  RouteRuleQuery,
  RoutesBody,
  RoutingPolicy,
  RoutingPolicyBody,
} from '../schemas/routing-schemas.ts';
import { carrierNamed, managedCarrier } from '../carrier-names.ts';
import { tenantIdsOf, type TenantIds } from '../tenant-ids.ts';
import { scopeOf } from './session-routes.ts';

const tags = ['routing'];

function toApiCarrier(carrier: Carrier, ids: TenantIds) {
  return { id: ids.shown(carrier.id), root_account_id: carrier.rootAccountId,
    account_id: carrier.accountId, currency: carrier.currency, name: carrier.name,
    rate_deck_id: carrier.rateDeckId, gateway: carrier.gateway, priority: carrier.priority,
    weight: carrier.weight, concurrent_calls_max: carrier.concurrentCallsMax,
    calls_per_second_max: carrier.callsPerSecondMax, state: carrier.state };
}

/**
 * Least-cost routing: carriers (the operator's: the operator key or a key of the root
 * account), routing policies and route plans (any account of the key's tree; only the operator
 * or the root may allow loss-making routes, since the loss is theirs), and the route list.
 */
export const routingRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { access, routing } = services;

  /**
   * Carriers are the business of the operator: its own key, or the root account's key. An
   * account the key cannot see (another tree, or its own ancestors) answers like a missing
   * one; one below the key is told it is not the root.
   */
  async function requireRoot(principal: Principal, rootAccountId: string) {
    if (principal.kind === 'operator' || principal.accountId === rootAccountId) return;
    unwrap(await access.account(principal, rootAccountId, 'subtree'));
    throw httpProblem('forbidden', 'carriers are managed by the operator (the root account)');
  }

  /** Another operator's carrier answers exactly like a missing one. */
  const carrierFor = (principal: Principal, carrierId: string) =>
    managedCarrier(services, principal, carrierId);

  /** A carrier is priced with a deck its caller may see and its own tree may use. */
  async function checkCarrierDeck(principal: Principal, rootAccountId: string, deckId: string) {
    const deck = await services.deckStore.findDeckSummary(deckId);
    if (deck === null || !(await access.deckVisible(principal, deck)) ||
      !(await access.deckUsableInTree(deck, rootAccountId))) {
      throw httpProblem('rate_deck_not_found', `no rate deck ${deckId}`);
    }
  }

  app.post('/v1/carriers', {
    schema: { operationId: 'createCarrier', tags, summary: 'Add a termination carrier',
      body: CarrierBody, response: withProblems({ 200: CarrierSchema }) },
  }, async (request) => {
    const { body } = request;
    const principal = principalOf(request);
    await requireRoot(principal, body.root_account_id);
    await checkCarrierDeck(principal, body.root_account_id, body.rate_deck_id);
    const ids = tenantIdsOf(principal);
    const created = toApiCarrier(unwrap(await routing.createCarrier(body.root_account_id, {
      id: ids.stored(body.id), name: body.name, rateDeckId: body.rate_deck_id,
      gateway: body.gateway, priority: body.priority ?? 0, weight: body.weight ?? 1,
      concurrentCallsMax: body.concurrent_calls_max ?? null,
      callsPerSecondMax: body.calls_per_second_max ?? null, state: body.state ?? 'active' })),
    ids);
    await services.audit.record(request, { action: 'carrier_created', subjectId: created.id,
      accountId: created.root_account_id, before: null, after: created });
    return created;
  });

  app.get('/v1/carriers', {
    schema: { operationId: 'listCarriers', tags, summary: 'Carriers of an operator',
      querystring: CarrierListQuery, response: withProblems({ 200: CarrierList }) },
  }, async (request) => {
    const principal = principalOf(request);
    const root = principal.kind === 'operator' ? request.query.root_account_id ?? null
      : principal.accountId;
    if (root !== null) await requireRoot(principal, root);
    const ids = tenantIdsOf(principal);
    return { carriers: (await routing.listCarriers(root))
      .map((carrier) => toApiCarrier(carrier, ids)) };
  });

  app.get('/v1/carriers/:carrier_id', {
    schema: { operationId: 'getCarrier', tags, summary: 'One carrier', params: CarrierParams,
      response: withProblems({ 200: CarrierSchema }) },
  }, async (request) => {
    const principal = principalOf(request);
    return toApiCarrier(await carrierFor(principal, request.params.carrier_id),
      tenantIdsOf(principal));
  });

  app.patch('/v1/carriers/:carrier_id', {
    schema: { operationId: 'updateCarrier', tags, summary: 'Change a carrier',
      params: CarrierParams, body: CarrierPatch, response: withProblems({ 200: CarrierSchema }) },
  }, async (request) => {
    const { body } = request;
    const principal = principalOf(request);
    const carrier = await carrierFor(principal, request.params.carrier_id);
    if (body.rate_deck_id !== undefined) {
      await checkCarrierDeck(principal, carrier.rootAccountId, body.rate_deck_id);
    }
    const ids = tenantIdsOf(principal);
    const updated = toApiCarrier(unwrap(await routing.updateCarrier(carrier.id, {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.rate_deck_id === undefined ? {} : { rateDeckId: body.rate_deck_id }),
      ...(body.gateway === undefined ? {} : { gateway: body.gateway }),
      ...(body.priority === undefined ? {} : { priority: body.priority }),
      ...(body.weight === undefined ? {} : { weight: body.weight }),
      ...(body.concurrent_calls_max === undefined ? {}
        : { concurrentCallsMax: body.concurrent_calls_max }),
      ...(body.calls_per_second_max === undefined ? {}
        : { callsPerSecondMax: body.calls_per_second_max }),
      ...(body.state === undefined ? {} : { state: body.state }) })), ids);
    await services.audit.record(request, { action: 'carrier_updated', subjectId: updated.id,
      accountId: carrier.rootAccountId, before: toApiCarrier(carrier, ids), after: updated });
    return updated;
  });

  app.get('/v1/carriers/:carrier_id/quality', {
    schema: { operationId: 'getCarrierQuality', tags,
      summary: 'Live ASR / ACD per destination prefix (this node)', params: CarrierParams,
      response: withProblems({ 200: CarrierQuality }) },
  }, async (request) => {
    const principal = principalOf(request);
    const carrier = await carrierFor(principal, request.params.carrier_id);
    return { carrier_id: tenantIdsOf(principal).shown(carrier.id),
      prefixes: routing.catalog.qualityOf(carrier.id).map((view) => ({ prefix: view.prefix,
        attempts: view.attempts, answered: view.answered, failures: view.failures,
        asr_bp: view.asrBp, acd_seconds: view.acdS,
        pdd_ms: view.pddMs,
        out_until: view.outUntilMs === null ? null : formatIsoInstant(view.outUntilMs) })) };
  });

  app.put('/v1/accounts/:id/routing-policy', {
    schema: { operationId: 'putRoutingPolicy', tags,
      summary: 'Routing strategy and margin policy of an account and its tree',
      params: IdParams, body: RoutingPolicyBody,
      response: withProblems({ 200: RoutingPolicy }) },
  }, async (request) => {
    const { params } = request;
    const principal = principalOf(request);
    const chain = unwrap(await access.account(principal, params.id, 'subtree'));
    if (request.body.margin_policy === 'allow_loss' && principal.kind !== 'operator' &&
      principal.accountId !== chain.at(-1)!.id) {
      throw httpProblem('forbidden', 'only the operator may allow loss-making routes');
    }
    const policy = unwrap(await routing.putPolicy({ accountId: params.id,
      strategy: request.body.strategy, marginPolicy: request.body.margin_policy }));
    const after = { account_id: policy.accountId, strategy: policy.strategy,
      margin_policy: policy.marginPolicy };
    // No read of the policy it replaced: the routing service has none (before stays null).
    await services.audit.record(request, { action: 'routing_policy_put', subjectId: params.id,
      accountId: params.id, before: null, after });
    return after;
  });

  app.post('/v1/route-rules', {
    schema: { operationId: 'putRouteRule', tags,
      summary: 'Pin or block a carrier for a prefix (route plan line)', body: RouteRuleBody,
      response: withProblems({ 200: RouteRuleBody }) },
  }, async (request) => {
    const { body } = request;
    const principal = principalOf(request);
    const chain = unwrap(await access.account(principal, body.account_id, 'subtree'));
    // A rule may only name a carrier of the account's own operator; another operator's answers
    // like a missing one (no id oracle).
    const carrier = await carrierNamed(routing, principal, body.carrier_id);
    if (carrier === null || carrier.rootAccountId !== chain.at(-1)?.id) {
      throw httpProblem('carrier_not_found', `no carrier ${body.carrier_id}`);
    }
    unwrap(await routing.putRule({ accountId: body.account_id, prefix: body.prefix,
      carrierId: carrier.id, action: body.action }));
    await services.audit.record(request, { action: 'route_rule_put', accountId: body.account_id,
      subjectId: `${body.account_id}:${body.prefix}:${body.carrier_id}`, before: null,
      after: body });
    return body;
  });

  app.delete('/v1/route-rules', {
    schema: { operationId: 'deleteRouteRule', tags, summary: 'Remove a route plan line',
      querystring: RouteRuleQuery,
      response: withProblems({ 204: Type.Null({ description: 'Removed' }) }) },
  }, async (request, reply) => {
    const { query } = request;
    const principal = principalOf(request);
    unwrap(await access.account(principal, query.account_id, 'subtree'));
    const carrier = await carrierNamed(routing, principal, query.carrier_id);
    unwrap(await routing.deleteRule({ accountId: query.account_id, prefix: query.prefix,
      carrierId: carrier?.id ?? query.carrier_id }));
    await services.audit.record(request, { action: 'route_rule_deleted',
      subjectId: `${query.account_id}:${query.prefix}:${query.carrier_id}`,
      accountId: query.account_id, before: query, after: null });
    return reply.code(204).send(null);
  });

  app.post('/v1/routes', {
    schema: { operationId: 'listRoutes', tags,
      summary: 'Ordered carriers for a call, with full cost and margin',
      body: RoutesBody, response: withProblems({ 200: RouteList }) },
  }, async (request) => {
    const { body } = request;
    const principal = principalOf(request);
    // Routes name carriers, gateways and supplier costs: the operator's business. A key below
    // the root learns that its account exists (it is in its tree) and nothing more.
    const chain = unwrap(await access.account(principal, body.account_id, 'subtree'));
    if (principal.kind !== 'operator' && principal.accountId !== chain.at(-1)?.id) {
      throw httpProblem('forbidden', 'routes and carrier costs are shown to the operator only');
    }
    const list = unwrap(await routing.listRoutes({ accountId: body.account_id,
      callee: body.callee, ...scopeOf(principal),
      ...(body.expected_duration_s === undefined ? {}
        : { expectedDurationS: body.expected_duration_s }) }));
    const ids = tenantIdsOf(principal);
    if (list.noRouteReason !== null) {
      throw httpProblem('no_route', `no route for ${body.callee}: ${list.noRouteReason} (` +
        list.dropped.map((entry) => `${ids.shown(entry.carrierId)}: ${entry.reason}`)
          .join(', ') + ')');
    }
    return { expected_duration_s: list.expectedDurationS,
      routes: list.routes.map((route) => ({ carrier_id: ids.shown(route.carrierId),
        gateway: route.gateway, prefix: route.prefix, cost: formatMoney(route.costMicros),
        currency: list.currency, carrier_cost: formatMoney(route.carrierCostMicros),
        carrier_currency: route.carrierCurrency,
        margin: route.marginMicros === null ? null : formatMoney(route.marginMicros),
        loss: route.loss, asr_bp: route.asrBp, acd_seconds: route.acdS })),
      dropped: list.dropped.map((entry) => ({ carrier_id: ids.shown(entry.carrierId),
        reason: entry.reason })) };
  });
};
