import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRequest, ApiResponse } from './http-fixture.ts';
import { deckCsv } from './http-fixture.ts';
import {
  accountNames,
  carrierOfRoot,
  chainOf,
  inSubtree,
  kamailioCallOf,
  kamailioFailoverCallOf,
  liveSessionOf,
  openIsolationWorld,
  resetRiskList,
  riskListOf,
  rootOf,
  type AccountName,
  type IsolationWorld,
} from './isolation-world.ts';

/**
 * Issue 14's isolation matrix: every route of the committed OpenAPI document, called by every
 * tier of key (customer, reseller, admin, root, a sibling reseller, another operator's root,
 * the operator) on targets in every relation to it (itself, below, above, beside, another
 * operator). Each answer must be what the route's reach allows; a target out of reach must
 * answer exactly like a missing id (same status, same body but for the id); and no answer to a
 * tenant may name an account outside its own chain and subtree. A route without an entry here
 * fails the test.
 */

type Caller = AccountName | 'operator';
const callers: readonly Caller[] = ['alpha-cust', 'alpha-res', 'alpha-admin', 'alpha-root',
  'alpha-sib', 'beta-root', 'operator'];

/** What the caller may do to the target. */
type Verdict = 'allowed' | 'refused' | 'hidden';

interface Probe {
  /** The target's id as the request names it, and the account whose reach decides. */
  readonly targets: () => ReadonlyArray<{ id: string; owner: AccountName }>;
  readonly verdict: (caller: Caller, owner: AccountName) => Verdict;
  readonly request: (id: string, caller: Caller) => ApiRequest;
  /** The id of a target that does not exist, in the same form. */
  readonly ghost: string;
  /** Answered for a missing target (and so for one out of reach). */
  readonly missingCode: string;
  /** How an allowed call shows it reached the target (default: any answer but missing). */
  readonly reached?: (response: ApiResponse, owner: AccountName, caller: Caller) => boolean;
  /** Puts the target back after a call that changed it. */
  readonly restore?: (owner: AccountName) => Promise<void>;
  /** Removes what a call made in the caller's own name (after every call, ghosts too). */
  readonly cleanup?: (id: string, caller: Caller) => Promise<void>;
}

/** A route about no tenant's target: every key gets an answer, none names a stranger. */
interface Open {
  readonly open: (caller: Caller) => ApiRequest;
  /** The status each caller gets, when not every key may call it (default: any success). */
  readonly status?: (caller: Caller) => number;
}

type Entry = Probe | Open;

let world: IsolationWorld;
let sequence = 0;
const unique = (label: string) => `${label}-${(sequence += 1)}`;

const subtree = (caller: Caller, owner: AccountName): Verdict =>
  caller === 'operator' || inSubtree(caller, owner) ? 'allowed' : 'hidden';
const descendants = (caller: Caller, owner: AccountName): Verdict =>
  caller === owner ? 'refused' : subtree(caller, owner);
/** Visible to the key's tree, but only the operator and the root itself may act. */
const rootOnly = (caller: Caller, owner: AccountName): Verdict => {
  if (caller === 'operator' || caller === owner) return 'allowed';
  return inSubtree(caller, owner) ? 'refused' : 'hidden';
};
/** The routes list shows carriers: the root's key (or the operator's) on its own tree. */
const routesOf = (caller: Caller, owner: AccountName): Verdict => {
  if (caller === 'operator') return 'allowed';
  if (!inSubtree(caller, owner)) return 'hidden';
  return rootOf(caller) === caller ? 'allowed' : 'refused';
};
/** A carrier (owner: its root): the root's key; the rest of its tree is told no. */
const carrierReach = (caller: Caller, owner: AccountName): Verdict => {
  if (caller === 'operator' || caller === owner) return 'allowed';
  return rootOf(caller) === owner ? 'refused' : 'hidden';
};
/** A Kamailio call belongs to the key that placed it: here, the operator's switch. */
const placedByOperator = (caller: Caller): Verdict =>
  caller === 'operator' ? 'allowed' : 'hidden';

const everyAccount = () => accountNames.map((id) => ({ id, owner: id }));
const get = (url: string) => (_: string, caller: Caller): ApiRequest =>
  ({ method: 'GET', url, key: keyOf(caller) });

function keyOf(caller: Caller): string | undefined {
  return caller === 'operator' ? undefined : world.keys[caller];
}

function accountProbe(
  verdict: Probe['verdict'],
  request: (id: string, caller: Caller) => ApiRequest,
  extra: Partial<Probe> = {},
): Probe {
  return { targets: everyAccount, verdict, request, ghost: 'ghost-account',
    missingCode: 'account_not_found', ...extra };
}

const sessionTargets = () => accountNames.map((id) => ({ id: liveSessionOf(id), owner: id }));
const sessionProbe = (request: Probe['request']): Probe => ({ targets: sessionTargets,
  verdict: subtree, request, ghost: 'live-ghost', missingCode: 'session_not_found' });

const invoiceTargets = () => accountNames.filter((id) => world.invoices[id] !== undefined)
  .map((id) => ({ id: world.invoices[id]!, owner: id }));
const noBillingSettings = { cycle: null, payment_terms_days: null, tax_profile_id: null,
  invoice_prefix: null, legal_name: null, address: null, tax_id: null };

const matrix: Record<string, Entry> = {
  'GET /health': { open: () => ({ method: 'GET', url: '/health', key: null }) },
  'GET /ready': { open: () => ({ method: 'GET', url: '/ready', key: null }) },
  // Installation-wide numbers: the operator reads them, a tenant's key is refused (403).
  'GET /metrics': { open: (caller) => ({ method: 'GET', url: '/metrics', key: keyOf(caller) }),
    status: (caller) => caller === 'operator' ? 200 : 403 },
  // Rates convert every tree's money: the operator's alone (exchange-rate-routes.ts).
  'POST /v1/exchange-rates': { open: (caller) => ({ method: 'POST', url: '/v1/exchange-rates',
    key: keyOf(caller), json: { from: 'EUR', to: 'USD', rate: '1.08' } }),
  status: (caller) => caller === 'operator' ? 201 : 403 },
  'GET /v1/exchange-rates': { open: (caller) => ({ method: 'GET', url: '/v1/exchange-rates',
    key: keyOf(caller) }), status: (caller) => caller === 'operator' ? 200 : 403 },
  'GET /openapi.json': { open: () => ({ method: 'GET', url: '/openapi.json', key: null }) },
  'GET /v1/whoami': { open: (caller) => ({ method: 'GET', url: '/v1/whoami',
    key: keyOf(caller) }) },

  'POST /v1/accounts': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    url: '/v1/accounts', key: keyOf(caller), json: { id: unique('made'), parent_id: id,
      tier: 'customer', currency: 'USD', mode: 'prepaid', rate_deck_id: null } }),
  { missingCode: 'parent_not_found' }),
  'GET /v1/accounts/{id}': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}`)(id, caller)),
  'PATCH /v1/accounts/{id}': accountProbe(descendants, (id, caller) => ({ method: 'PATCH',
    url: `/v1/accounts/${id}`, key: keyOf(caller), json: { name: `named ${id}` } })),
  'POST /v1/accounts/{id}/activate': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/activate`, key: keyOf(caller) })),
  'POST /v1/accounts/{id}/suspend': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/suspend`, key: keyOf(caller) }), {
    restore: async (owner) => {
      for (const id of accountNames.filter((name) => inSubtree(owner, name))) {
        await world.must({ method: 'POST', url: `/v1/accounts/${id}/activate` }, 200);
      }
    } }),
  'POST /v1/accounts/{id}/topups': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/topups`, key: keyOf(caller),
    json: { amount: '0.01', reference: unique('matrix') } })),
  'GET /v1/accounts/{id}/children': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/children`)(id, caller)),
  'GET /v1/accounts/{id}/api-keys': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/api-keys`)(id, caller)),
  'POST /v1/accounts/{id}/api-keys': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    url: `/v1/accounts/${id}/api-keys`, key: keyOf(caller), json: { label: 'matrix' } })),
  'DELETE /v1/accounts/{id}/api-keys/{key_id}': accountProbe(subtree, (id, caller) => ({
    method: 'DELETE', url: `/v1/accounts/${id}/api-keys/key_nope`, key: keyOf(caller) })),
  'GET /v1/accounts/{id}/bundles': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/bundles`)(id, caller)),
  'POST /v1/accounts/{id}/bundles': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/bundles`, key: keyOf(caller),
    json: { bundle_id: unique('plan'), prefixes: ['44'], seconds: 60 } })),
  'PUT /v1/accounts/{id}/routing-policy': accountProbe(subtree, (id, caller) => ({
    method: 'PUT', url: `/v1/accounts/${id}/routing-policy`, key: keyOf(caller),
    json: { strategy: 'least_cost', margin_policy: 'protect' } })),
  'GET /v1/accounts/{id}/subscriber-identities': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/subscriber-identities`)(id, caller)),
  'PUT /v1/accounts/{id}/subscriber-identities': accountProbe(descendants, (id, caller) => ({
    method: 'PUT', url: `/v1/accounts/${id}/subscriber-identities`, key: keyOf(caller),
    json: { kind: 'e164', identity: `4477009${String(sequence += 1).padStart(5, '0')}` } })),
  'DELETE /v1/accounts/{id}/subscriber-identities/{kind}/{identity}': accountProbe(descendants,
    (id, caller) => ({ method: 'DELETE', key: keyOf(caller),
      url: `/v1/accounts/${id}/subscriber-identities/e164/447700900000` })),

  'POST /v1/sessions': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    url: '/v1/sessions', key: keyOf(caller), json: { session_id: unique('probe'),
      account_id: id, caller: '1', callee: '999', request_number: 0 } })),
  'POST /v1/events': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    url: '/v1/events', key: keyOf(caller), json: { event_id: unique('event'), account_id: id,
      caller: '1', callee: '999', duration_seconds: 10 } })),
  'GET /v1/sessions': accountProbe(subtree, (id, caller) =>
    get(`/v1/sessions?account_id=${id}`)(id, caller)),
  'GET /v1/cdrs': accountProbe(subtree, (id, caller) =>
    get(`/v1/cdrs?account_id=${id}`)(id, caller), {
    // Each level of a CDR is what one account paid: a key sees its own and those below it.
    reached: (response, _owner, caller) => response.status === 200 &&
      (response.body['cdrs'] as Array<{ levels: Array<{ account_id: AccountName }> }>)
        .every((cdr) => cdr.levels.every((level) =>
          caller === 'operator' || inSubtree(caller, level.account_id))) }),
  'POST /v1/sessions/{session_id}/update': sessionProbe((id, caller) => ({ method: 'POST',
    url: `/v1/sessions/${id}/update`, key: keyOf(caller),
    json: { request_number: 99, used_seconds: 1 } })),
  'POST /v1/sessions/{session_id}/terminate': sessionProbe((id, caller) => ({ method: 'POST',
    url: `/v1/sessions/${id}/terminate`, key: keyOf(caller),
    json: { request_number: 99, used_seconds: 1 } })),
  'POST /v1/sessions/{session_id}/kill': sessionProbe((id, caller) => ({ method: 'POST',
    url: `/v1/sessions/${id}/kill`, key: keyOf(caller) })),

  'GET /v1/kamailio/authorize': accountProbe(subtree, (id, caller) => ({ method: 'GET',
    key: keyOf(caller), url: '/v1/kamailio/authorize?' + new URLSearchParams({ account: id,
      caller: '1', callee: '999', callid: unique('kam-probe') }).toString() })),
  'GET /v1/kamailio/start': { targets: () => accountNames.map((id) =>
    ({ id: kamailioCallOf(id), owner: id })), verdict: placedByOperator,
  request: (id, caller) => ({ method: 'GET', key: keyOf(caller),
    url: `/v1/kamailio/start?${new URLSearchParams({ callid: id, h_entry: '1', h_id: '2' })}` }),
  ghost: 'kam-ghost@matrix', missingCode: 'session_not_found' },
  'GET /v1/kamailio/update': { targets: () => accountNames.map((id) =>
    ({ id: kamailioCallOf(id), owner: id })), verdict: placedByOperator,
  request: (id, caller) => ({ method: 'GET', key: keyOf(caller),
    url: `/v1/kamailio/update?${new URLSearchParams({ callid: id, used: '1' })}` }),
  ghost: 'kam-ghost@matrix', missingCode: 'session_not_found' },
  'GET /v1/kamailio/end': { targets: () => accountNames.map((id) =>
    ({ id: kamailioCallOf(id), owner: id })), verdict: placedByOperator,
  request: (id, caller) => ({ method: 'GET', key: keyOf(caller),
    url: `/v1/kamailio/end?${new URLSearchParams({ callid: id, duration: '3' })}` }),
  ghost: 'kam-ghost@matrix', missingCode: 'session_not_found' },
  'GET /v1/kamailio/route': { targets: () => accountNames.map((id) =>
    ({ id: kamailioCallOf(id), owner: id })), verdict: placedByOperator,
  request: (id, caller) => ({ method: 'GET', key: keyOf(caller),
    url: `/v1/kamailio/route?${new URLSearchParams({ callid: id })}` }),
  ghost: 'kam-ghost@matrix', missingCode: 'session_not_found' },
  'GET /v1/kamailio/failover': { targets: () => accountNames.map((id) =>
    ({ id: kamailioFailoverCallOf(id), owner: id })), verdict: placedByOperator,
  request: (id, caller) => ({ method: 'GET', key: keyOf(caller),
    url: `/v1/kamailio/failover?${new URLSearchParams({ callid: id, status: '503' })}` }),
  ghost: 'kam-ghost@matrix', missingCode: 'session_not_found' },

  'GET /v1/rate-decks': { open: (caller) => ({ method: 'GET', url: '/v1/rate-decks?limit=1000',
    key: keyOf(caller) }) },
  'POST /v1/rate-decks': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    key: keyOf(caller), csv: deckCsv('0.30'),
    url: `/v1/rate-decks?name=${unique('deck')}&currency=USD&owner_id=${id}` })),
  'POST /v1/time-bands': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    key: keyOf(caller), url: `/v1/time-bands?name=${unique('bands')}&owner_id=${id}`,
    csv: 'band,days,start,end\npeak,mon-fri,08:00,18:00\n' })),
  'GET /v1/rate-decks/{id}': { targets: () => accountNames.map((id) =>
    ({ id: world.decks[id], owner: id })), verdict: subtree,
  request: (id, caller) => get(`/v1/rate-decks/${id}`)(id, caller),
  ghost: 'deck_ghost', missingCode: 'rate_deck_not_found' },
  'GET /v1/rate-decks/{id}/csv': { targets: () => accountNames.map((id) =>
    ({ id: world.decks[id], owner: id })), verdict: subtree,
  request: (id, caller) => get(`/v1/rate-decks/${id}/csv`)(id, caller),
  ghost: 'deck_ghost', missingCode: 'rate_deck_not_found' },

  'GET /v1/carriers': { open: (caller) => ({ method: 'GET', url: '/v1/carriers',
    key: keyOf(caller) }) },
  'POST /v1/carriers': accountProbe(rootOnly, (id, caller) => ({ method: 'POST',
    url: '/v1/carriers', key: keyOf(caller), json: { id: unique('car'), root_account_id: id,
      name: 'probe', rate_deck_id: world.baseDeck, gateway: 'x' } })),
  'GET /v1/carriers/{carrier_id}': carrierProbe((id, caller) =>
    get(`/v1/carriers/${id}`)(id, caller)),
  'PATCH /v1/carriers/{carrier_id}': carrierProbe((id, caller) => ({ method: 'PATCH',
    url: `/v1/carriers/${id}`, key: keyOf(caller), json: { weight: 1 } })),
  'GET /v1/carriers/{carrier_id}/quality': carrierProbe((id, caller) =>
    get(`/v1/carriers/${id}/quality`)(id, caller)),
  'POST /v1/route-rules': accountProbe(subtree, (id, caller) => ({ method: 'POST',
    url: '/v1/route-rules', key: keyOf(caller), json: { account_id: id, prefix: '999',
      carrier_id: ownCarrier(caller, id), action: 'block' } })),
  'DELETE /v1/route-rules': accountProbe(subtree, (id, caller) => ({ method: 'DELETE',
    key: keyOf(caller), url: `/v1/route-rules?account_id=${id}&prefix=999&carrier_id=` +
      ownCarrier(caller, id) })),
  'POST /v1/routes': accountProbe(routesOf, (id, caller) => ({ method: 'POST',
    url: '/v1/routes', key: keyOf(caller), json: { account_id: id, callee: '4420' } })),

  'GET /v1/fraud/alerts': accountProbe(subtree, (id, caller) =>
    get(`/v1/fraud/alerts?account_id=${id}`)(id, caller)),
  'GET /v1/fraud/measures': accountProbe(subtree, (id, caller) =>
    get(`/v1/fraud/measures?account_id=${id}`)(id, caller)),
  'GET /v1/fraud/configs/{id}': accountProbe(subtree, (id, caller) =>
    get(`/v1/fraud/configs/${id}`)(id, caller)),
  'PUT /v1/fraud/configs/{id}': accountProbe(descendants, (id, caller) => ({ method: 'PUT',
    url: `/v1/fraud/configs/${id}`, key: keyOf(caller), json: { risk_lists: true } })),
  'DELETE /v1/fraud/configs/{id}': accountProbe(descendants, (id, caller) => ({
    method: 'DELETE', url: `/v1/fraud/configs/${id}`, key: keyOf(caller) })),
  'GET /v1/fraud/risk-lists': { open: (caller) => ({ method: 'GET',
    url: '/v1/fraud/risk-lists', key: keyOf(caller) }) },
  'PUT /v1/fraud/risk-lists/{id}': { targets: () => accountNames.map((id) =>
    ({ id: riskListOf(id), owner: id })), verdict: subtree,
  request: (id, caller) => ({ method: 'PUT', url: `/v1/fraud/risk-lists/${id}`,
    key: keyOf(caller), json: { name: 'renamed', prefixes: ['882'], action: 'alert' } }),
  // Creating and replacing both answer 200: a list of the target's owner was replaced, or
  // the caller got its own (the answer for a missing id).
  ghost: 'rl-ghost', missingCode: 'risk_list_not_found',
  reached: (response, owner) => response.body['owner_id'] === owner,
  restore: async (owner) => resetRiskList(world.must, owner),
  cleanup: async (id, caller) => {
    if (caller === 'operator') return;
    await world.api.call({ method: 'DELETE', url: `/v1/fraud/risk-lists/${caller}~${id}` });
  } },
  'DELETE /v1/fraud/risk-lists/{id}': { targets: () => accountNames.map((id) =>
    ({ id: riskListOf(id), owner: id })), verdict: subtree,
  request: (id, caller) => ({ method: 'DELETE', url: `/v1/fraud/risk-lists/${id}`,
    key: keyOf(caller) }),
  ghost: 'rl-ghost', missingCode: 'risk_list_not_found',
  restore: async (owner) => resetRiskList(world.must, owner) },
  'POST /v1/fraud/measures/{id}/release': { targets: () => Object.entries(world.measures)
    .map(([owner, id]) => ({ id: id!, owner: owner as AccountName })), verdict: descendants,
  request: (id, caller) => ({ method: 'POST', url: `/v1/fraud/measures/${id}/release`,
    key: keyOf(caller) }),
  ghost: 'measure_ghost', missingCode: 'fraud_measure_not_found' },

  // Card payments. The card routes come before the keys are saved: no Stripe is reachable
  // here, so an allowed call answers stripe_not_configured (or a bad-input code), never 5xx.
  'POST /v1/accounts/{id}/card-setup': accountProbe(subtree, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/card-setup`, key: keyOf(caller) })),
  'POST /v1/accounts/{id}/card-topups': accountProbe(subtree, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/card-topups`, key: keyOf(caller),
    json: { amount: '5.00', reference: unique('card') } })),
  'GET /v1/accounts/{id}/card': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/card`)(id, caller)),
  'GET /v1/accounts/{id}/auto-refill': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/auto-refill`)(id, caller)),
  'PUT /v1/accounts/{id}/auto-refill': accountProbe(subtree, (id, caller) => ({
    method: 'PUT', url: `/v1/accounts/${id}/auto-refill`, key: keyOf(caller),
    json: { enabled: false, threshold: '5.00', amount: '20.00' } })),
  'GET /v1/accounts/{id}/payment-notices': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/payment-notices`)(id, caller)),
  // A root's keys: only the root itself (it is above every other key) and the operator.
  'GET /v1/accounts/{id}/stripe-settings': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/stripe-settings`)(id, caller)),
  'PUT /v1/accounts/{id}/stripe-settings': accountProbe(subtree, (id, caller) => ({
    method: 'PUT', url: `/v1/accounts/${id}/stripe-settings`, key: keyOf(caller),
    json: { secret_key: 'sk_test_isolationSecret01', publishable_key: 'pk_test_isolation01',
      webhook_secret: 'whsec_isolationSigning01' } })),
  // Stripe's webhook takes no key: an unsigned call on a root answers exactly like one on a
  // missing root, so the endpoint tells nobody which roots exist or have Stripe keys.
  'POST /v1/stripe/webhook/{root_id}': { targets: () => [{ id: 'alpha-root',
    owner: 'alpha-root' }, { id: 'beta-root', owner: 'beta-root' }],
  verdict: () => 'hidden', ghost: 'ghost-root', missingCode: 'webhook_signature_invalid',
  request: (id) => ({ method: 'POST', url: `/v1/stripe/webhook/${id}`, key: null,
    json: { id: 'evt_probe', type: 'payment_intent.succeeded' },
    headers: { 'stripe-signature': 't=1,v1=00' }, remoteAddress: `10.9.0.${sequence++ % 250}` }) },
  'POST /v1/accounts/{id}/packages': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/packages`, key: keyOf(caller),
    json: { package_id: unique('pkg'), monthly_price: '0', included_seconds: 60,
      prefixes: ['44'], unused: 'expire' } })),
  'GET /v1/accounts/{id}/packages': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/packages`)(id, caller)),
  'POST /v1/dids': accountProbe(rootOnly, (id, caller) => ({ method: 'POST',
    url: `/v1/dids?operator_id=${id}`, key: keyOf(caller),
    csv: `number,country\n4420${String(sequence += 1).padStart(8, '0')},GB\n` })),
  'GET /v1/dids': accountProbe(subtree, (id, caller) =>
    get(`/v1/dids?account_id=${id}`)(id, caller)),
  'GET /v1/dids/{number}': didProbe((id, caller) => get(`/v1/dids/${id}`)(id, caller)),
  'GET /v1/dids/{number}/route': didProbe((id, caller) =>
    get(`/v1/dids/${id}/route`)(id, caller)),
  'PUT /v1/dids/{number}/destination': didProbe((id, caller) => ({ method: 'PUT',
    url: `/v1/dids/${id}/destination`, key: keyOf(caller),
    json: { destination: { kind: 'extension', value: '100' } } })),
  'POST /v1/dids/{number}/sessions': didProbe((id, caller) => ({ method: 'POST',
    url: `/v1/dids/${id}/sessions`, key: keyOf(caller),
    json: { session_id: unique('inbound'), caller: '1', request_number: 0 } })),
  'POST /v1/dids/{number}/release': didProbe((id, caller) => ({ method: 'POST',
    url: `/v1/dids/${id}/release`, key: keyOf(caller),
    json: { account_id: world.dids.owned[id] ?? 'alpha-cust' } }), {
    restore: async (owner) => {
      const number = Object.keys(world.dids.owned).find((n) => world.dids.owned[n] === owner)!;
      await world.must({ method: 'POST', url: `/v1/dids/${number}/assignments`, json: {
        to_account_id: owner, setup_price: '0', monthly_price: '0',
        inbound_rate_deck_id: null } }, 201);
    } }),
  // A number in stock is its operator's alone: only the operator's keys see and assign it.
  'POST /v1/dids/{number}/assignments': { targets: () => Object.entries(world.dids.stock)
    .map(([id, owner]) => ({ id, owner })),
  verdict: (caller, owner) => caller === 'operator' || caller === owner ? 'allowed' : 'hidden',
  request: (id, caller) => ({ method: 'POST', url: `/v1/dids/${id}/assignments`,
    key: keyOf(caller), json: { to_account_id: adminOf(world.dids.stock[id] ?? 'alpha-root'),
      setup_price: '0', monthly_price: '0', inbound_rate_deck_id: null } }),
  ghost: '442079999999', missingCode: 'did_not_found',
  restore: async (owner) => {
    const number = Object.keys(world.dids.stock).find((n) => world.dids.stock[n] === owner)!;
    await world.must({ method: 'POST', url: `/v1/dids/${number}/release`,
      json: { account_id: adminOf(owner) } }, 200);
  } },

  // Last, so the trail holds what every probe above changed: the leak check reads all of it.
  'GET /v1/accounts/{id}/billing-settings': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/billing-settings`)(id, caller)),
  'PUT /v1/accounts/{id}/billing-settings': accountProbe(descendants, (id, caller) => ({
    method: 'PUT', url: `/v1/accounts/${id}/billing-settings`, key: keyOf(caller),
    json: noBillingSettings })),
  'GET /v1/accounts/{id}/tax-profiles': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/tax-profiles`)(id, caller)),
  'PUT /v1/accounts/{id}/tax-profiles/{profile_id}': accountProbe(subtree, (id, caller) => ({
    method: 'PUT', url: `/v1/accounts/${id}/tax-profiles/vat`, key: keyOf(caller),
    json: { name: 'VAT', treatment: 'standard', prices_include_tax: false,
      rates: [{ name: 'VAT', percent: '20' }], note: '' } })),
  'GET /v1/accounts/{id}/payments': accountProbe(subtree, (id, caller) =>
    get(`/v1/accounts/${id}/payments`)(id, caller)),
  'POST /v1/accounts/{id}/payments': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/payments`, key: keyOf(caller),
    json: { method: 'bank_transfer', reference: unique('pay'), amount: '0.01',
      currency: 'USD' } })),
  'POST /v1/accounts/{id}/billing-periods/close': accountProbe(descendants, (id, caller) => ({
    method: 'POST', url: `/v1/accounts/${id}/billing-periods/close`, key: keyOf(caller),
    json: {} })),
  'GET /v1/invoices': accountProbe(subtree, (id, caller) =>
    get(`/v1/invoices?account_id=${id}`)(id, caller)),
  'GET /v1/invoices/{invoice_id}': { targets: invoiceTargets, verdict: subtree,
    request: (id, caller) => get(`/v1/invoices/${id}`)(id, caller), ghost: 'inv-ghost',
    missingCode: 'invoice_not_found' },
  'POST /v1/invoices/{invoice_id}/credit-note': { targets: invoiceTargets,
    verdict: descendants, request: (id, caller) => ({ method: 'POST', key: keyOf(caller),
      url: `/v1/invoices/${id}/credit-note` }), ghost: 'inv-ghost',
    missingCode: 'invoice_not_found' },
  'GET /v1/reconciliation': accountProbe(routesOf, (id, caller) =>
    get(`/v1/reconciliation?account_id=${id}&from=2026-11-01T00:00:00Z` +
      '&to=2026-12-31T00:00:00Z')(id, caller)),
  'GET /v1/margins': accountProbe(subtree, (id, caller) =>
    get(`/v1/margins?account_id=${id}&from=2026-11-01T00:00:00Z` +
      '&to=2026-12-31T00:00:00Z')(id, caller)),
  'GET /v1/rerating': accountProbe(subtree, (id, caller) =>
    get(`/v1/rerating?account_id=${id}&from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z` +
      `&deck_id=${world.decks[caller === 'operator' ? id as AccountName : caller]}`)(id, caller)),
  'GET /v1/cdrs/export': accountProbe(subtree, (id, caller) =>
    get(`/v1/cdrs/export?account_id=${id}&from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z` +
      '&format=astpp')(id, caller)),
  'POST /v1/carriers/{carrier_id}/invoice-check': carrierProbe((id, caller) => ({
    method: 'POST', key: keyOf(caller), csv: 'time,caller,callee,duration,cost\n',
    url: `/v1/carriers/${id}/invoice-check?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z`,
  })),
  'GET /v1/audit': accountProbe(subtree, (id, caller) =>
    get(`/v1/audit?account_id=${id}&limit=500`)(id, caller), {
    reached: (response, owner, caller) => response.status === 200 &&
      auditEntriesOf(response).length > 0 &&
      auditEntriesOf(response).every((entry) => entryWithin(entry, owner, caller)) }),
};

interface AuditEntryBody {
  account_id: string | null;
  actor: { kind: string; account_id: string | null };
}

function auditEntriesOf(response: ApiResponse): AuditEntryBody[] {
  return response.body['entries'] as AuditEntryBody[];
}

/**
 * An entry of the target's subtree (accounts the probes made are below their targets), whose
 * actor is named only when the caller's subtree holds it.
 */
function entryWithin(entry: AuditEntryBody, owner: AccountName, caller: Caller): boolean {
  const known = (id: string | null): id is AccountName =>
    accountNames.includes(id as AccountName);
  if (known(entry.account_id) && !inSubtree(owner, entry.account_id)) return false;
  if (caller === 'operator') return entry.actor.kind !== 'upstream';
  if (entry.actor.kind === 'operator') return false;
  return entry.actor.kind !== 'key' ||
    (known(entry.actor.account_id) && inSubtree(caller, entry.actor.account_id));
}

/** The admin below an operator's root in the world. */
const adminOf = (root: AccountName) => root.replace('-root', '-admin');

/** A number assigned down to a customer: every key on its chain sees it, no one else. */
function didProbe(request: Probe['request'], extra: Partial<Probe> = {}): Probe {
  return { targets: () => Object.entries(world.dids.owned).map(([id, owner]) => ({ id, owner })),
    verdict: subtree, request, ghost: '442079999999', missingCode: 'did_not_found', ...extra };
}

function carrierProbe(request: Probe['request']): Probe {
  return { targets: () => Object.entries(carrierOfRoot).map(([root, id]) =>
    ({ id, owner: root as AccountName })), verdict: carrierReach, request,
  ghost: 'ghost-car', missingCode: 'carrier_not_found' };
}

/** A rule names a carrier of the caller's own operator (of the target's, for the operator). */
function ownCarrier(caller: Caller, target: string): string {
  const root = caller === 'operator' ? rootOf(target as AccountName) : rootOf(caller);
  return carrierOfRoot[root as keyof typeof carrierOfRoot];
}

function codeOf(response: ApiResponse): string {
  const code = response.body['code'];
  return typeof code === 'string' ? code : response.text.trim();
}

/** The answer with the id it was asked about replaced, to compare a target with a ghost. */
function normalized(response: ApiResponse, id: string): string {
  return `${response.status} ${response.text.split(id).join('<id>')}`;
}

/** Accounts a tenant may hear of: its own chain and its subtree. */
function strangersOf(caller: Caller): AccountName[] {
  if (caller === 'operator') return [];
  return accountNames.filter((id) => !inSubtree(caller, id) && !chainOf(caller).includes(id));
}

function leaks(response: ApiResponse, caller: Caller, asked: string): AccountName[] {
  const text = response.text.split(asked).join('');
  return strangersOf(caller).filter((id) =>
    new RegExp(`(?<![A-Za-z0-9_.-])${id}(?![A-Za-z0-9_.-])`).test(text));
}

const routesOfOpenApi = (): string[] => {
  const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url),
    'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
};

beforeAll(async () => {
  world = await openIsolationWorld();
}, 60_000);
afterAll(async () => world?.api.close());

describe('isolation matrix (issue 14)', () => {
  it('has an entry for every route of openapi.json, and none for a route it lacks', () => {
    const routes = routesOfOpenApi();
    expect(routes.filter((route) => !(route in matrix)), 'routes without an entry').toEqual([]);
    expect(Object.keys(matrix).filter((route) => !routes.includes(route))).toEqual([]);
  });

  for (const route of Object.keys(matrix)) {
    it(route, async () => {
      const entry = matrix[route]!;
      const problems = 'open' in entry ? await runOpen(entry) : await runProbe(entry);
      expect(problems).toEqual([]);
    });
  }
});

async function runOpen(entry: Open): Promise<string[]> {
  const problems: string[] = [];
  for (const caller of callers) {
    const response = await world.api.call(entry.open(caller));
    const expected = entry.status?.(caller);
    if (expected === undefined ? response.status >= 400 : response.status !== expected) {
      problems.push(`${caller}: ${response.status} ${response.text}`);
    }
    const named = leaks(response, caller, '\u0000');
    if (named.length > 0) problems.push(`${caller} hears of ${named.join(', ')}`);
  }
  return problems;
}

async function runProbe(probe: Probe): Promise<string[]> {
  const problems: string[] = [];
  for (const caller of callers) {
    for (const target of probe.targets()) {
      const expected = probe.verdict(caller, target.owner);
      const response = await world.api.call(probe.request(target.id, caller));
      await probe.cleanup?.(target.id, caller);
      const seen = `${caller} -> ${target.id}: expected ${expected}, got ${response.status} ` +
        `${response.text.slice(0, 200)}`;
      if (response.status >= 500) problems.push(seen);
      const named = leaks(response, caller, target.id);
      if (named.length > 0) problems.push(`${caller} -> ${target.id} names ${named.join(', ')}`);
      if (expected === 'allowed') {
        const reached = probe.reached?.(response, target.owner, caller) ??
          (codeOf(response) !== probe.missingCode && codeOf(response) !== 'forbidden' &&
            response.status !== 401);
        if (!reached) problems.push(seen);
      } else if (expected === 'refused') {
        if (response.status !== 403 || codeOf(response) !== 'forbidden') problems.push(seen);
      } else {
        const ghost = await world.api.call(probe.request(probe.ghost, caller));
        await probe.cleanup?.(probe.ghost, caller);
        if (normalized(response, target.id) !== normalized(ghost, probe.ghost)) {
          problems.push(`${seen}; a missing id got ${ghost.status} ${ghost.text.slice(0, 200)}`);
        }
      }
      if (expected === 'allowed') await probe.restore?.(target.owner);
    }
  }
  return problems;
}
