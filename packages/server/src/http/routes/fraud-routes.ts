import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RiskList } from '@tollgate/core';
import type { Principal } from '../../auth/api-keys.ts';
import {
  fromApiFraudConfig,
  toApiAlert,
  toApiFraudConfig,
  toApiMeasure,
} from '../../fraud/fraud-convert.ts';
import type { FraudServices } from '../../fraud/fraud-services.ts';
import type { AppServices } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import { firstNamed, tenantIdsOf } from '../tenant-ids.ts';
import { IdParams, withProblems } from '../schemas/common-schemas.ts';
import {
  AlertPage,
  AlertQuery,
  FraudConfigBody,
  FraudConfigView,
  ListIdParams,
  Measure,
  MeasurePage,
  MeasureQuery,
  RiskListBody,
  RiskListView,
} from './fraud-schemas.ts';
import type { TypeBoxApp } from './route-types.ts';
import { Type } from 'typebox';

const tags = ['fraud'];
const minuteMs = 60_000;

function fraudOf(services: AppServices): FraudServices {
  if (services.fraud === undefined) {
    throw httpProblem('fraud_disabled', 'fraud control is off (TOLLGATE_FRAUD_ENABLED)');
  }
  return services.fraud;
}

/**
 * Fraud control (issue 8): alerts of a subtree, rule configs per account (inherited down the
 * tree), risk lists, and the blocks and suspensions in force with their manual release. Reading
 * needs the account's subtree; changing rules or releasing needs a key from strictly above it,
 * so an account never loosens its own controls.
 */
export const fraudRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  registerAlerts(app, services);
  registerConfigs(app, services);
  registerRiskLists(app, services);
  registerMeasures(app, services);
};

function registerAlerts(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/fraud/alerts', {
    schema: { operationId: 'listFraudAlerts', tags, summary: 'Fraud alerts of a subtree',
      querystring: AlertQuery, response: withProblems({ 200: AlertPage }) },
  }, async (request) => {
    const fraud = fraudOf(services);
    const { query } = request;
    const limit = query.limit ?? httpLimits.pageSizeDefault;
    const scope = unwrap(await services.access.listingScope(principalOf(request),
      query.account_id));
    const alerts = await fraud.store.listAlerts({ scopeAccountId: scope, limit,
      ...(query.customer_id === undefined ? {} : { accountId: query.customer_id }),
      ...(query.after === undefined ? {} : { afterId: query.after }) });
    const last = alerts.at(-1);
    return { alerts: alerts.map(toApiAlert),
      next_after: alerts.length === limit && last !== undefined ? last.id : null };
  });
}

function registerConfigs(app: TypeBoxApp, services: AppServices): void {
  const view = async (id: string) => {
    const found = unwrap(await fraudOf(services).monitor.getConfig(id));
    return { account_id: id, own: found.own === null ? null : toApiFraudConfig(found.own),
      effective: toApiFraudConfig(found.effective), from_account_id: found.fromAccountId };
  };
  app.get('/v1/fraud/configs/:id', {
    schema: { operationId: 'getFraudConfig', tags, summary: 'The rules of an account',
      description: 'own: its stored config; effective: what runs (its own, else the nearest ' +
        'ancestor\'s, else the default).',
      params: IdParams, response: withProblems({ 200: FraudConfigView }) },
  }, async (request) => {
    unwrap(await services.access.account(principalOf(request), request.params.id, 'subtree'));
    return view(request.params.id);
  });
  app.put('/v1/fraud/configs/:id', {
    schema: { operationId: 'putFraudConfig', tags, summary: 'Set the rules of an account',
      params: IdParams, body: FraudConfigBody,
      response: withProblems({ 200: FraudConfigView }) },
  }, async (request) => {
    const fraud = fraudOf(services);
    unwrap(await services.access.account(principalOf(request), request.params.id,
      'descendants'));
    const config = unwrap(fromApiFraudConfig(request.body));
    const before = await view(request.params.id);
    unwrap(await fraud.monitor.setConfig(request.params.id, config));
    const after = await view(request.params.id);
    await services.audit.record(request, { action: 'fraud_config_put',
      subjectId: request.params.id, accountId: request.params.id, before, after });
    return after;
  });
  app.delete('/v1/fraud/configs/:id', {
    schema: { operationId: 'deleteFraudConfig', tags,
      summary: 'Drop an account\'s own rules (it inherits again)', params: IdParams,
      response: withProblems({ 200: FraudConfigView }) },
  }, async (request) => {
    const fraud = fraudOf(services);
    unwrap(await services.access.account(principalOf(request), request.params.id,
      'descendants'));
    const before = await view(request.params.id);
    unwrap(await fraud.monitor.deleteConfig(request.params.id));
    const after = await view(request.params.id);
    await services.audit.record(request, { action: 'fraud_config_deleted',
      subjectId: request.params.id, accountId: request.params.id, before, after });
    return after;
  });
}

function toApiRiskList(list: RiskList) {
  return { id: list.id, owner_id: list.ownerAccountId, name: list.name,
    prefixes: [...list.prefixes], action: list.action, calls_threshold: list.callsThreshold,
    window_minutes: Math.round(list.windowMs / minuteMs),
    updated_at: new Date(list.updatedAtMs).toISOString() };
}

/** A list is the operator's (owner null) or an account's, for that account's subtree. */
async function mayManage(services: AppServices, principal: Principal, owner: string | null) {
  if (principal.kind === 'operator') return true;
  if (owner === null) return false;
  return (await services.access.account(principal, owner, 'subtree')).ok;
}

function registerRiskLists(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/fraud/risk-lists', {
    schema: { operationId: 'listRiskLists', tags, summary: 'High-risk prefix lists',
      response: withProblems({ 200: Type.Object({ risk_lists: Type.Array(RiskListView) }) }) },
  }, async (request) => {
    const principal = principalOf(request);
    const ids = tenantIdsOf(principal);
    const visible: RiskList[] = [];
    for (const list of fraudOf(services).monitor.riskLists()) {
      if (list.ownerAccountId === null || await mayManage(services, principal,
        list.ownerAccountId)) visible.push({ ...list, id: ids.shown(list.id) });
    }
    return { risk_lists: visible.map(toApiRiskList) };
  });
  app.put('/v1/fraud/risk-lists/:id', {
    schema: { operationId: 'putRiskList', tags, summary: 'Create or replace a risk list',
      params: ListIdParams, body: RiskListBody, response: withProblems({ 200: RiskListView }) },
  }, async (request) => {
    const fraud = fraudOf(services);
    const principal = principalOf(request);
    const { body } = request;
    // Replacing a list keeps its owner unless the body names another one.
    const existing = await manageableList(services, principal, request.params.id);
    const owner = body.owner_id !== undefined ? body.owner_id
      : existing !== null ? existing.ownerAccountId
        : principal.kind === 'operator' ? null : principal.accountId;
    // One check of the owner: an account outside the key's reach is missing to it, and a list
    // for every tree (no owner) is the operator key's alone.
    if (owner === null ? principal.kind !== 'operator'
      : !(await mayManage(services, principal, owner))) {
      if (owner !== null) throw httpProblem('account_not_found', `no account ${owner}`);
      throw httpProblem('forbidden', 'only the operator key makes a list for every tree');
    }
    const ids = tenantIdsOf(principal);
    // Replaces a list the key manages that the id names; otherwise creates one in the key's
    // namespace, so a list of another tree under the same id is neither touched nor revealed.
    const list = unwrap(await fraud.monitor.putRiskList({
      id: existing?.id ?? ids.stored(request.params.id),
      ownerAccountId: owner, name: body.name, prefixes: body.prefixes, action: body.action,
      callsThreshold: body.calls_threshold ?? 1,
      windowMs: (body.window_minutes ?? 60) * minuteMs, updatedAtMs: services.clock.nowMs() }));
    await services.audit.record(request, { action: 'risk_list_put', subjectId: list.id,
      accountId: list.ownerAccountId, before: existing === null ? null
        : toApiRiskList(existing), after: toApiRiskList(list) });
    return toApiRiskList({ ...list, id: request.params.id });
  });
  app.delete('/v1/fraud/risk-lists/:id', {
    schema: { operationId: 'deleteRiskList', tags, summary: 'Delete a risk list',
      params: ListIdParams, response: withProblems({ 204: Type.Null() }) },
  }, async (request, reply) => {
    const fraud = fraudOf(services);
    const existing = await manageableList(services, principalOf(request), request.params.id);
    if (existing === null) {
      throw httpProblem('risk_list_not_found', `no risk list ${request.params.id}`);
    }
    unwrap(await fraud.monitor.deleteRiskList(existing.id));
    await services.audit.record(request, { action: 'risk_list_deleted', subjectId: existing.id,
      accountId: existing.ownerAccountId, before: toApiRiskList(existing), after: null });
    return reply.code(204).send(null);
  });
}

/**
 * The list an id names for this key (http/tenant-ids.ts): its own namespace first, then the
 * installation's; only a list the key may manage counts (an operator-wide list is the
 * operator's alone).
 */
async function manageableList(
  services: AppServices,
  principal: Principal,
  id: string,
): Promise<RiskList | null> {
  const lists = fraudOf(services).monitor.riskLists();
  return firstNamed(tenantIdsOf(principal), id, async (key) => {
    const list = lists.find((entry) => entry.id === key);
    return list !== undefined && await mayManage(services, principal, list.ownerAccountId)
      ? list : null;
  });
}

function registerMeasures(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/fraud/measures', {
    schema: { operationId: 'listFraudMeasures', tags,
      summary: 'Blocks and suspensions of a subtree (in force, or all with active=false)',
      querystring: MeasureQuery, response: withProblems({ 200: MeasurePage }) },
  }, async (request) => {
    const fraud = fraudOf(services);
    const { query } = request;
    const limit = query.limit ?? httpLimits.pageSizeDefault;
    const scope = unwrap(await services.access.listingScope(principalOf(request),
      query.account_id));
    const measures = await fraud.store.listMeasures({ scopeAccountId: scope,
      activeOnly: query.active ?? true, limit,
      ...(query.after === undefined ? {} : { afterId: query.after }) });
    const last = measures.at(-1);
    return { measures: measures.map(toApiMeasure),
      next_after: measures.length === limit && last !== undefined ? last.id : null };
  });
  app.post('/v1/fraud/measures/:id/release', {
    schema: { operationId: 'releaseFraudMeasure', tags,
      summary: 'Lift a block or suspension before its cool-down ends',
      params: ListIdParams, response: withProblems({ 200: Measure }) },
  }, async (request) => {
    const fraud = fraudOf(services);
    const measure = await fraud.store.findMeasure(request.params.id);
    if (measure === null) {
      throw httpProblem('fraud_measure_not_found', `no measure ${request.params.id}`);
    }
    const reach = await services.access.account(principalOf(request), measure.accountId,
      'descendants');
    // Another tree's measure answers like a missing one, without naming its account.
    if (!reach.ok && reach.code === 'account_not_found') {
      throw httpProblem('fraud_measure_not_found', `no measure ${request.params.id}`);
    }
    unwrap(reach);
    const released = toApiMeasure(unwrap(await fraud.monitor.release(measure.id)));
    await services.audit.record(request, { action: 'fraud_measure_released',
      subjectId: measure.id, accountId: measure.accountId, before: toApiMeasure(measure),
      after: released });
    return released;
  });
}
