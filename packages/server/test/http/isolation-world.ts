import { expect } from 'vitest';
import {
  deckCsv,
  openTestApi,
  type ApiRequest,
  type ApiResponse,
  type TestApi,
} from './http-fixture.ts';

/**
 * The isolation matrix's world: two operators on one installation.
 *
 *   alpha-root > alpha-admin > alpha-res > alpha-cust
 *                            > alpha-sib > alpha-sibcust      (a sibling reseller)
 *   beta-root  > beta-admin > beta-res > beta-cust            (another operator)
 *
 * Every account has a key, a deck it owns, a risk list it owns, a live session the operator's
 * switch started for it (installation namespace) and a Kamailio call; each operator has a
 * carrier. Ids are chosen so none is part of another, which the leak check relies on.
 */
export const accounts = {
  'alpha-root': null, 'alpha-admin': 'alpha-root', 'alpha-res': 'alpha-admin',
  'alpha-cust': 'alpha-res', 'alpha-sib': 'alpha-admin', 'alpha-sibcust': 'alpha-sib',
  'beta-root': null, 'beta-admin': 'beta-root', 'beta-res': 'beta-admin',
  'beta-cust': 'beta-res',
} as const satisfies Record<string, string | null>;

export type AccountName = keyof typeof accounts;
export const accountNames = Object.keys(accounts) as AccountName[];

const tiers: Record<AccountName, string> = {
  'alpha-root': 'super_admin', 'alpha-admin': 'admin', 'alpha-res': 'reseller',
  'alpha-cust': 'customer', 'alpha-sib': 'reseller', 'alpha-sibcust': 'customer',
  'beta-root': 'super_admin', 'beta-admin': 'admin', 'beta-res': 'reseller',
  'beta-cust': 'customer',
};

/** The account itself and its ancestors, self first. */
export function chainOf(id: AccountName): AccountName[] {
  const chain: AccountName[] = [];
  for (let at: AccountName | null = id; at !== null; at = accounts[at]) chain.push(at);
  return chain;
}

export function rootOf(id: AccountName): AccountName {
  return chainOf(id).at(-1)!;
}

/** True when `target` is `caller` or below it. */
export function inSubtree(caller: AccountName, target: AccountName): boolean {
  return chainOf(target).includes(caller);
}

export const carrierOfRoot = { 'alpha-root': 'alpha-car', 'beta-root': 'beta-car' } as const;

export interface IsolationWorld {
  readonly api: TestApi;
  readonly keys: Record<AccountName, string>;
  readonly decks: Record<AccountName, string>;
  /** The operator-uploaded deck every account is priced with. */
  readonly baseDeck: string;
  /** Fraud measures on the customers, by account. */
  readonly measures: Partial<Record<AccountName, string>>;
  /** An invoice of every account but the roots (from its parent), by recipient. */
  readonly invoices: Partial<Record<AccountName, string>>;
  /**
   * Numbers (DIDs) of each operator: one assigned down to its customer (number -> the
   * customer) and one in stock (number -> its operator).
   */
  readonly dids: { readonly owned: Record<string, AccountName>;
    readonly stock: Record<string, AccountName> };
  must(request: ApiRequest, status: number): Promise<ApiResponse>;
}

export async function openIsolationWorld(): Promise<IsolationWorld> {
  const api = await openTestApi('sqlite', { didQuarantineDays: 0 });
  const must = async (request: ApiRequest, status: number) => {
    const response = await api.call(request);
    expect(response.status, `${request.method} ${request.url}: ${response.text}`).toBe(status);
    return response;
  };
  const base = await must({ method: 'POST', csv: deckCsv('0.10'),
    url: '/v1/rate-decks?name=base&currency=USD' }, 201);
  const baseDeck = String(base.body['id']);
  for (const id of accountNames) {
    await must({ method: 'POST', url: '/v1/accounts', json: { id, parent_id: accounts[id],
      tier: tiers[id], currency: 'USD', rate_deck_id: baseDeck,
      mode: accounts[id] === null ? 'postpaid' : 'prepaid' } }, 201);
    await must({ method: 'POST', url: `/v1/accounts/${id}/topups`,
      json: { amount: '100.00', reference: `seed-${id}` } }, 201);
  }
  const keys = {} as Record<AccountName, string>;
  const decks = {} as Record<AccountName, string>;
  for (const id of accountNames) {
    keys[id] = String((await must({ method: 'POST', url: `/v1/accounts/${id}/api-keys`,
      json: { label: 'matrix' } }, 201)).body['key']);
    decks[id] = String((await must({ method: 'POST', csv: deckCsv('0.05'),
      url: `/v1/rate-decks?name=deck-${id}&currency=USD&owner_id=${id}` }, 201)).body['id']);
  }
  for (const [root, carrier] of Object.entries(carrierOfRoot)) {
    await must({ method: 'POST', url: '/v1/carriers', json: { id: carrier,
      root_account_id: root, name: carrier, rate_deck_id: decks[root as AccountName],
      gateway: `sofia/gateway/${carrier}/` } }, 200);
  }
  for (const id of accountNames) await seedTargets(api, must, id);
  const measures = await seedMeasures(api, must);
  const invoices: Partial<Record<AccountName, string>> = {};
  for (const id of accountNames.filter((name) => accounts[name] !== null)) {
    invoices[id] = String((await must({ method: 'POST', json: {},
      url: `/v1/accounts/${id}/billing-periods/close` }, 201)).body['id']);
  }
  return { api, keys, decks, baseDeck, measures, invoices, must, dids: await seedDids(must) };
}

/** Each operator's two numbers; the owned one goes root -> admin -> reseller -> customer. */
async function seedDids(must: IsolationWorld['must']): Promise<IsolationWorld['dids']> {
  const owned: Record<string, AccountName> = {};
  const stock: Record<string, AccountName> = {};
  for (const [prefix, digits] of [['alpha', '1'], ['beta', '2']] as const) {
    const base = `44207${digits.repeat(4)}`;
    const [ownedNumber, stockNumber] = [`${base}01`, `${base}02`];
    await must({ method: 'POST', url: `/v1/dids?operator_id=${prefix}-root`,
      csv: `number,country\n${ownedNumber},GB\n${stockNumber},GB\n` }, 201);
    for (const to of ['admin', 'res', 'cust']) {
      await must({ method: 'POST', url: `/v1/dids/${ownedNumber}/assignments`, json: {
        to_account_id: `${prefix}-${to}`, setup_price: '0', monthly_price: '0',
        inbound_rate_deck_id: null } }, 201);
    }
    owned[ownedNumber] = `${prefix}-cust`;
    stock[stockNumber] = `${prefix}-root`;
  }
  return { owned, stock };
}

/** The risk list, live session and Kamailio call of one account. */
async function seedTargets(
  api: TestApi,
  must: IsolationWorld['must'],
  id: AccountName,
): Promise<void> {
  await resetRiskList(must, id);
  const live = await api.call({ method: 'POST', url: '/v1/sessions', json: {
    session_id: liveSessionOf(id), account_id: id, caller: '1', callee: '4420',
    request_number: 0 } });
  expect(live.body['status'], live.text).toBe('granted');
  const kamailio = await api.call({ method: 'GET', url: '/v1/kamailio/authorize?' +
    new URLSearchParams({ account: id, caller: '1', callee: '4420',
      callid: kamailioCallOf(id) }).toString() });
  expect(kamailio.status, kamailio.text).toBe(200);
  const failingOver = await api.call({ method: 'GET', url: '/v1/kamailio/authorize?' +
    new URLSearchParams({ account: id, caller: '1', callee: '4420',
      callid: kamailioFailoverCallOf(id) }).toString() });
  expect(failingOver.status, failingOver.text).toBe(200);
}

export async function resetRiskList(must: IsolationWorld['must'], id: AccountName) {
  await must({ method: 'PUT', url: `/v1/fraud/risk-lists/${riskListOf(id)}`, json: {
    name: `list of ${id}`, prefixes: ['882'], action: 'alert', owner_id: id } }, 200);
}

/**
 * A block on each customer, from a risk list of the operator: one call to a listed prefix
 * takes it, so every customer has a measure a key may or may not release.
 */
async function seedMeasures(
  api: TestApi,
  must: IsolationWorld['must'],
): Promise<Partial<Record<AccountName, string>>> {
  await must({ method: 'PUT', url: '/v1/fraud/risk-lists/matrix-block', json: {
    name: 'matrix', prefixes: ['4930'], action: 'block_destination', calls_threshold: 1 } },
  200);
  const measures: Partial<Record<AccountName, string>> = {};
  for (const id of ['alpha-cust', 'alpha-sibcust', 'beta-cust'] as const) {
    await api.call({ method: 'POST', url: '/v1/sessions', json: {
      session_id: `block-${id}`, account_id: id, caller: '1', callee: '4930123',
      request_number: 0 } });
    const listed = await must({ method: 'GET',
      url: `/v1/fraud/measures?account_id=${id}` }, 200);
    const [measure] = listed.body['measures'] as Array<{ id: string }>;
    expect(measure, `a measure on ${id}`).toBeDefined();
    measures[id] = measure!.id;
  }
  return measures;
}

export const liveSessionOf = (id: AccountName) => `live-${id}`;
export const kamailioCallOf = (id: AccountName) => `kam-${id}@matrix`;
/** A Kamailio call of its own for the failover probe, which ends the carrier it is on. */
export const kamailioFailoverCallOf = (id: AccountName) => `kam-fo-${id}@matrix`;
export const riskListOf = (id: AccountName) => `rl-${id}`;
