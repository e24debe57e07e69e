import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  assignDid,
  authorizeInboundCall,
  importDids,
  parseDidDestination,
  parseDidImportCsv,
  releaseDid,
  setDidDestination,
  type DidDestination,
  type DidHolding,
} from '@tollgate/core';
import type { AppServices } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { parseMoney, toApiGrant } from '../http/convert.ts';
import { httpProblem, refusalOf, unwrap } from '../http/http-problem.ts';
import { scopeOf } from '../http/routes/session-routes.ts';
import type { TypeBoxApp } from '../http/routes/route-types.ts';
import { CsvBody } from '../http/schemas/deck-schemas.ts';
import { Grant } from '../http/schemas/session-schemas.ts';
import { withProblems } from '../http/schemas/common-schemas.ts';
import { tenantIdsOf } from '../http/tenant-ids.ts';
import { grantForKey, refusalForKey } from '../http/tenant-view.ts';
import type { Principal } from '../auth/api-keys.ts';
import { didsOf, visibleDid, type VisibleDid } from './did-access.ts';
import { toApiDid } from './did-convert.ts';
import {
  AssignBody,
  DestinationBody,
  DidImported,
  DidImportQuery,
  DidList,
  DidListQuery,
  DidParams,
  DidQuery,
  DidRoute,
  DidView,
  InboundBody,
  ReleaseBody,
} from './did-schemas.ts';

const tags = ['dids'];

/**
 * Numbers (DIDs, issue 18). The inventory is an operator's (its root key or the operator
 * key imports it); a number is assigned one level down at that level's own prices by the key
 * of the account that holds it (or above); a key sees the numbers it holds and never its
 * suppliers' prices; another operator's number answers `did_not_found`, like a missing one.
 * The lookup (`route`) and the inbound authorize are what a switch asks per call.
 */
export const didRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  // The inventory import is a CSV body; every other route here reads JSON.
  app.addContentTypeParser('text/csv', { parseAs: 'string' },
    (_request, body, done) => done(null, body));
  registerInventory(app, services);
  registerHolds(app, services);
  registerInbound(app, services);
};

async function viewOf(services: AppServices, principal: Principal, number: string,
  operatorId: string | undefined) {
  const seen = await visibleDid(services, principal, number, operatorId);
  return toApiDid({ ...seen, nowMs: services.clock.nowMs() });
}

function registerInventory(app: TypeBoxApp, services: AppServices): void {
  app.post('/v1/dids', {
    schema: { operationId: 'importDids', tags, summary: 'Import numbers into an operator\'s ' +
      'inventory (CSV: number,country,carrier_id,setup_cost,monthly_cost)',
    consumes: ['text/csv'], querystring: DidImportQuery, body: CsvBody,
    response: withProblems({ 201: DidImported }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const operatorId = request.query.operator_id;
    unwrap(await services.access.account(principal, operatorId, 'subtree'));
    if (principal.kind === 'account' && principal.accountId !== operatorId) {
      throw httpProblem('forbidden', 'the operator\'s own key imports its numbers');
    }
    const rows = unwrap(parseDidImportCsv(request.body));
    const imported = unwrap(await importDids(didsOf(services), { operatorId, rows }));
    reply.code(201);
    await services.audit.record(request, { action: 'dids_imported', subjectId: operatorId,
      accountId: operatorId, before: null, after: imported });
    return imported;
  });

  app.get('/v1/dids', {
    schema: { operationId: 'listDids', tags, summary: 'The numbers an account holds (all of ' +
      'the inventory for the operator)', querystring: DidListQuery,
    response: withProblems({ 200: DidList }) },
  }, async (request) => {
    const principal = principalOf(request);
    const accountId = unwrap(await services.access.listingScope(principal,
      request.query.account_id));
    const chain = unwrap(await services.access.account(principal, accountId, 'subtree'));
    const root = chain.at(-1)!.id;
    const dids = didsOf(services);
    const found = await dids.store.listDids({ operatorId: root,
      holderId: accountId === root ? null : accountId,
      afterNumber: request.query.after?.replace(/^\+/, '') ?? null,
      limit: request.query.limit ?? 100 });
    const views = [];
    for (const did of found) {
      const holdings = await dids.store.activeHoldings(did);
      const own = holdings.find((holding) => holding.kind === 'parent' &&
        holding.accountId === accountId);
      views.push(toApiDid({ did, holdings, viewerDepth: own?.depth ?? 0,
        nowMs: services.clock.nowMs() }));
    }
    return { dids: views };
  });

  app.get('/v1/dids/:number', {
    schema: { operationId: 'getDid', tags, summary: 'A number as the key sees it',
      params: DidParams, querystring: DidQuery, response: withProblems({ 200: DidView }) },
  }, async (request) => viewOf(services, principalOf(request), request.params.number,
    request.query.operator_id));
}

function registerHolds(app: TypeBoxApp, services: AppServices): void {
  app.post('/v1/dids/:number/assignments', {
    schema: { operationId: 'assignDid', tags, summary: 'Assign a number one level down, at ' +
      'this level\'s own setup and monthly prices (the setup fee is charged now)',
    params: DidParams, body: AssignBody, response: withProblems({ 201: DidView }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { body } = request;
    // The number first: one the key may not see answers the same whatever the body names.
    const { did } = await visibleDid(services, principal, request.params.number,
      body.operator_id);
    const chain = unwrap(await services.access.account(principal, body.to_account_id,
      'descendants'));
    unwrap(await assignDid(didsOf(services), { operatorId: did.operatorId, number: did.number,
      fromAccountId: chain[1]!.id, toAccountId: body.to_account_id,
      setupMicros: unwrap(parseMoney(body.setup_price, 'setup_price')),
      monthlyMicros: unwrap(parseMoney(body.monthly_price, 'monthly_price')),
      inboundDeckId: await inboundDeckOf(services, principal, body.inbound_rate_deck_id,
        did.operatorId),
      firstPeriod: body.first_period ?? null }));
    const view = await viewOf(services, principal, did.number, did.operatorId);
    reply.code(201);
    await services.audit.record(request, { action: 'did_assigned', subjectId: view.number,
      accountId: body.to_account_id, before: null, after: view });
    return view;
  });

  app.post('/v1/dids/:number/release', {
    schema: { operationId: 'releaseDid', tags, summary: 'End an account\'s hold of a number ' +
      '(and every hold below it); released by the operator\'s child, it goes to quarantine',
    params: DidParams, body: ReleaseBody, response: withProblems({ 200: DidView }) },
  }, async (request) => {
    const principal = principalOf(request);
    const { body } = request;
    const { did } = await visibleDid(services, principal, request.params.number,
      body.operator_id);
    unwrap(await services.access.account(principal, body.account_id, 'subtree'));
    const released = unwrap(await releaseDid(didsOf(services), { operatorId: did.operatorId,
      number: did.number, accountId: body.account_id }));
    // A key that released its own hold sees the number no more: it is told the new state.
    const view = principal.kind === 'account' && principal.accountId === body.account_id
      ? toApiDid({ did: { ...did, ...released }, holdings: [], viewerDepth: 1,
        nowMs: services.clock.nowMs() })
      : await viewOf(services, principal, did.number, did.operatorId);
    await services.audit.record(request, { action: 'did_released', subjectId: view.number,
      accountId: body.account_id, before: null, after: view });
    return view;
  });

  app.put('/v1/dids/:number/destination', {
    schema: { operationId: 'putDidDestination', tags, summary: 'Where the number rings: a ' +
      'SIP URI, an extension or an account of the owner\'s tree (the owner or above)',
    params: DidParams, body: DestinationBody, response: withProblems({ 200: DidView }) },
  }, async (request) => {
    const principal = principalOf(request);
    const seen = await visibleDid(services, principal, request.params.number,
      request.body.operator_id);
    const owner = ownerHoldOf(seen);
    const destination = request.body.destination === null ? null
      : await destinationFor(services, request.body.destination, owner.accountId);
    const saved = unwrap(await setDidDestination(didsOf(services), { operatorId:
      seen.did.operatorId, number: seen.did.number, destination }));
    const view = toApiDid({ ...seen, did: saved, nowMs: services.clock.nowMs() });
    await services.audit.record(request, { action: 'did_destination_put',
      subjectId: view.number, accountId: owner.accountId, before: null, after: view });
    return view;
  });
}

/** The owner's hold (the deepest); a number in stock or quarantine is `did_not_assigned`. */
function ownerHoldOf(seen: VisibleDid): DidHolding {
  const owner = seen.holdings.filter((holding) => holding.kind === 'parent').at(-1);
  if (owner === undefined) {
    throw httpProblem('did_not_assigned', `+${seen.did.number} is not assigned`);
  }
  return owner;
}

/** An account destination must be the owner or below it: anything else is like missing. */
async function destinationFor(services: AppServices, input: { kind: string; value: string },
  ownerId: string): Promise<DidDestination> {
  const destination = unwrap(parseDidDestination(input));
  if (destination.kind !== 'account') return destination;
  const chain = await services.ledger.getAccountChain(destination.value);
  if (!chain.ok || !chain.value.some((account) => account.id === ownerId)) {
    throw httpProblem('invalid_did', 'destination: no such account in the owner\'s tree');
  }
  return destination;
}

/** An inbound deck the key may use: visible to it and of the number's operator's tree. */
async function inboundDeckOf(services: AppServices, principal: Principal,
  deckId: string | null, operatorId: string): Promise<string | null> {
  if (deckId === null) return null;
  const deck = await services.deckStore.findDeck(deckId);
  if (deck === null || !await services.access.deckVisible(principal, deck) ||
    !await services.access.deckUsableInTree(deck, operatorId)) {
    throw httpProblem('rate_deck_not_found', `no rate deck ${deckId}`);
  }
  return deck.id;
}

function registerInbound(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/dids/:number/route', {
    schema: { operationId: 'routeDid', tags, summary: 'Where an inbound call to the number ' +
      'rings and who pays it (asked by the switch per call)', params: DidParams,
    querystring: DidQuery, response: withProblems({ 200: DidRoute }) },
  }, async (request) => {
    const seen = await visibleDid(services, principalOf(request), request.params.number,
      request.query.operator_id);
    const owner = ownerHoldOf(seen);
    return { number: `+${seen.did.number}`, account_id: owner.accountId,
      destination: seen.did.destination };
  });

  app.post('/v1/dids/:number/sessions', {
    schema: { operationId: 'authorizeInboundCall', tags, summary: 'Authorize an inbound ' +
      'call to the number (request 0), charged to its owner; update and terminate it under ' +
      '/v1/sessions/{session_id}', params: DidParams, body: InboundBody,
    response: withProblems({ 200: Grant }) },
  }, async (request) => {
    const principal = principalOf(request);
    const { body } = request;
    const seen = await visibleDid(services, principal, request.params.number,
      body.operator_id);
    const { did } = seen;
    const owner = ownerHoldOf(seen);
    const ids = tenantIdsOf(principal);
    const answer = unwrap(await authorizeInboundCall(didsOf(services), services.charging, {
      operatorId: did.operatorId, number: did.number, sessionId: ids.stored(body.session_id),
      caller: body.caller, ...scopeOf(principal) }));
    const named = { ...answer, sessionId: body.session_id };
    if (named.status !== 'granted') {
      const shown = await refusalForKey(named, owner.accountId, principal, services.access);
      throw refusalOf(shown.answer, shown.binding);
    }
    return toApiGrant(await grantForKey(named, principal, services.access));
  });
}
