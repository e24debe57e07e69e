import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type ApiRequest, type TestApi } from '../http/http-fixture.ts';
import { caseCounter, fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-settings.ts';
import { requestPlans } from './http-arbitraries.ts';
import { checkAnswer, checkMoney } from './http-invariants.ts';
import { operations } from './http-operations.ts';
import { buildRequest } from './http-request-builder.ts';
import {
  fuzzDid,
  fuzzStockDid,
  validRequests,
  type FuzzContext,
  type RecentKind,
} from './http-valid-requests.ts';
import { openLedgerFingerprint } from './ledger-fingerprint.ts';

/**
 * The HTTP API in process (`buildApp` over SQLite, `inject()`), over a seeded tree: every
 * operation of the committed openapi.json, with the operator's, a reseller's and a customer's
 * key or none, sent valid or spoiled in one place (a path parameter, a query parameter, a body
 * field, the whole body, its content type). Invariants: `http-invariants.ts`. Afterwards the
 * server still answers, the ledger verifies, and the money that came in is exactly the
 * accepted top-ups.
 */

const ciRuns = 2_000;
let api: TestApi;
let context: FuzzContext;

async function created(request: ApiRequest): Promise<string> {
  const response = await api.call(request);
  expect([200, 201], response.text).toContain(response.status);
  return String(response.body['id']);
}

beforeAll(async () => {
  // Durability is not under test here: without an fsync a commit, a case costs a fraction.
  // Rate limits off: the fuzz sends thousands of bad keys from one address, and 429s would
  // hide the routes it is here to reach (the limits have their own tests).
  api = await openTestApi('sqlite', { sqliteSynchronous: 'OFF', rateLimitPerKeyPerMinute: 0,
    rateLimitChargingPerKeyPerSecond: 0, rateLimitUnauthenticatedPerIpPerMinute: 0 });
  const world = await seedWorld(api);
  // Funds for the grants of a long run: calls stay open, holding money at every level.
  for (const id of ['cu1', 'rs', 'ad']) {
    await created({ method: 'POST', url: `/v1/accounts/${id}/topups`,
      json: { amount: '100000.00', reference: 'http-fuzz' } });
  }
  await created({ method: 'POST', url: '/v1/dids?operator_id=op',
    csv: `number,country\n${fuzzDid},GB\n${fuzzStockDid},GB\n` });
  for (const to of ['ad', 'rs', 'cu1']) {
    await created({ method: 'POST', url: `/v1/dids/${fuzzDid}/assignments`, json: {
      to_account_id: to, setup_price: '0', monthly_price: '0', inbound_rate_deck_id: null } });
  }
  context = {
    world,
    carrierId: await created({ method: 'POST', url: '/v1/carriers', json: { id: 'c-seed',
      root_account_id: 'op', name: 'Seed carrier', rate_deck_id: world.decks.carrier,
      gateway: 'sip:seed@192.0.2.1' } }),
    bandsId: await created({ method: 'POST', url: '/v1/time-bands?name=seed&owner_id=rs',
      csv: 'band,days,start,end\npeak,Mon-Fri,08:00,18:00\n' }),
    spareKeyId: await created({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      json: { label: 'spare' } }),
    recent: { sessions: [], kamailioCalls: [], riskLists: [], identities: [] },
  };
});

afterAll(async () => {
  await api?.close();
});

/** Where each kind of thing the follow-ups name comes from: an answer or the request. */
const sources: Readonly<Record<string, [RecentKind, (body: Record<string, unknown>,
  url: URL) => unknown]>> = {
  'POST /v1/sessions': ['sessions', (body) => body['session_id']],
  'GET /v1/kamailio/authorize': ['kamailioCalls', (_body, url) => url.searchParams.get('callid')],
  'PUT /v1/fraud/risk-lists/{id}': ['riskLists', (body) => body['id']],
  'PUT /v1/accounts/{id}/subscriber-identities': ['identities', (body) => body['identity']],
};

/** Remembers, from a success, what a later follow-up can name (the latest 20 of each). */
function learn(name: string, url: string, status: number, text: string): void {
  const source = sources[name];
  if (source === undefined || status >= 300) return;
  const isJson = text.startsWith('{');
  const value = source[1](isJson ? JSON.parse(text) as Record<string, unknown> : {},
    new URL(url, 'http://fuzz.invalid'));
  if (typeof value !== 'string') return;
  const list = context.recent[source[0]];
  list.push(value);
  if (list.length > 20) list.shift();
}

describe(`HTTP fuzz (seed ${fuzzSeed})`, () => {
  it('has a valid request for every operation of openapi.json', () => {
    expect(operations.map((operation) => operation.name).sort())
      .toEqual(Object.keys(validRequests).sort());
  });

  it('answers every request without a 5xx, with stable codes, moving no refused money',
    async () => {
      const counter = caseCounter('http schemas');
      const ledger = openLedgerFingerprint(api.config.database);
      const start = ledger.read();
      const successes = new Map<string, number>();
      let inflowMicros = 0n;
      let fresh = 0;
      await fc.assert(fc.asyncProperty(requestPlans, async (plan) => {
        counter.count();
        fresh += 1;
        const request = buildRequest(plan, context, fresh);
        const before = ledger.read();
        const response = await api.app.inject(request.inject);
        const label = `${request.label} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
        try {
          checkAnswer(request, response);
          inflowMicros += checkMoney(request, response.statusCode, before, ledger.read());
        } catch (error) {
          throw new Error(`${label}\n${String(error)}`);
        }
        const name = request.operation.name;
        if (response.statusCode < 400) successes.set(name, (successes.get(name) ?? 0) + 1);
        learn(name, String(request.inject.url), response.statusCode, response.body);
      }), fuzzParameters(ciRuns));
      counter.report();
      // Money from outside came in by the accepted top-ups, to the micro, and by nothing else.
      expect(ledger.read().topupMicros - start.topupMicros).toBe(inflowMicros);
      ledger.close();
      const never = operations.map((operation) => operation.name)
        .filter((name) => !successes.has(name));
      console.info(`http operations never answered 2xx: ${never.join(', ')}`);
      // The requests get past the schemas and the keys to the rules behind them.
      expect(successes.size).toBeGreaterThan(operations.length / 2);
    }, fuzzTimeoutMs(ciRuns, 30));

  it('still answers, the ledger verifies, and nothing was polluted', async () => {
    expect((await api.call({ method: 'GET', url: '/health', key: null })).status).toBe(200);
    const whoami = await api.call({ method: 'GET', url: '/v1/whoami' });
    expect(whoami.status).toBe(200);
    const report = await api.services.ledger.verifyLedger();
    expect(report.ok && report.value.findingCount).toBe(0);
    expect(report.ok && report.value.ok).toBe(true);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('admin');
  });
});
