import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterCallPath, clusterCallType, clusterKeyHeader } from
  '../../src/cluster/cluster-routes.ts';
import { adminKey, openTestApi, seedWorld, type ApiResponse, type TestApi, type World } from
  './http-fixture.ts';

// Small budgets so each limit is reached in a few requests. Addresses are from TEST-NET-1
// (RFC 5737): inject() only labels the request, nothing is sent anywhere.
const failuresPerMinute = 5;
// Above what seeding the world costs the operator key (about 20 requests).
const keyRequestsPerMinute = 30;
const chargingPerSecond = 200;

let api: TestApi;
let world: World;

beforeAll(async () => {
  api = await openTestApi('sqlite', {
    rateLimitUnauthenticatedPerIpPerMinute: failuresPerMinute,
    rateLimitPerKeyPerMinute: keyRequestsPerMinute,
    rateLimitChargingPerKeyPerSecond: chargingPerSecond,
  });
  world = await seedWorld(api);
});
afterAll(async () => api.close());

async function makeKey(accountId: string, scope: string): Promise<string> {
  const made = await api.call({ method: 'POST', url: `/v1/accounts/${accountId}/api-keys`,
    key: world.keys.rs, json: { label: `limits-${scope}`, scope } });
  expect(made.status).toBe(201);
  return String(made.body['key']);
}

function expectRateLimited(response: ApiResponse): void {
  expect([response.status, response.body['code']]).toEqual([429, 'rate_limited']);
  expect(String(response.body['message'])).toMatch(/retry in \d+ s/);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
}

describe('failed authentications per address', () => {
  it('answers 429 with Retry-After once an address has spent its attempts', async () => {
    const remoteAddress = '192.0.2.10';
    const guesses = Array.from({ length: failuresPerMinute }, (_, index) => `tg_guess_${index}`);
    for (const key of guesses) {
      const response = await api.call({ method: 'GET', url: '/v1/whoami', key, remoteAddress });
      expect([response.status, response.body['code']]).toEqual([401, 'unauthorized']);
    }
    expectRateLimited(await api.call({ method: 'GET', url: '/v1/whoami', key: 'tg_guess_x',
      remoteAddress }));
    expectRateLimited(await api.call({ method: 'GET', url: '/v1/whoami', key: null,
      remoteAddress }));
    // The guessable secret is refused from there too: a right guess looks like a wrong one.
    expectRateLimited(await api.call({ method: 'GET', url: '/v1/whoami', key: adminKey,
      remoteAddress }));
    // A stored key (256 random bits, nothing to guess) still works: a switch behind the same
    // address keeps charging.
    const stored = await api.call({ method: 'GET', url: '/v1/whoami', key: world.keys.cu1,
      remoteAddress });
    expect([stored.status, stored.body['account_id']]).toEqual([200, 'cu1']);
    // Other addresses have budgets of their own.
    const elsewhere = await api.call({ method: 'GET', url: '/v1/whoami', key: 'tg_guess_y',
      remoteAddress: '192.0.2.11' });
    expect(elsewhere.status).toBe(401);
    const operator = await api.call({ method: 'GET', url: '/v1/whoami',
      remoteAddress: '192.0.2.12' });
    expect(operator.status).toBe(200);
  });
  it('counts requests without a key and revoked keys as failures', async () => {
    const remoteAddress = '192.0.2.20';
    const made = await api.call({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      json: { label: 'soon-revoked' } });
    await api.call({ method: 'DELETE',
      url: `/v1/accounts/cu2/api-keys/${String(made.body['id'])}` });
    const revoked = String(made.body['key']);
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= failuresPerMinute; attempt += 1) {
      const key = attempt % 2 === 0 ? null : revoked;
      statuses.push((await api.call({ method: 'GET', url: '/v1/accounts/cu2', key,
        remoteAddress })).status);
    }
    expect(statuses).toEqual([...Array<number>(failuresPerMinute).fill(401), 429]);
  });
});

describe('requests per key', () => {
  it('limits a key per minute on the routes that are not charging', async () => {
    const key = await makeKey('rs', 'full');
    for (let index = 0; index < keyRequestsPerMinute; index += 1) {
      const response = await api.call({ method: 'GET', url: '/v1/accounts/rs', key });
      expect(response.status).toBe(200);
    }
    expectRateLimited(await api.call({ method: 'GET', url: '/v1/accounts/rs', key }));
    // The charging budget is another one: the same key still authorizes calls.
    const call = await api.call({ method: 'POST', url: '/v1/sessions', key,
      json: { session_id: 'limits-full-1', account_id: 'cu1', caller: '1', callee: '4420',
        request_number: 0 } });
    expect([call.status, call.body['status']]).toEqual([200, 'granted']);
    // Other keys are not affected.
    expect((await api.call({ method: 'GET', url: '/v1/accounts/rs', key: world.keys.rs }))
      .status).toBe(200);
  });
  it('never throttles a switch within its charging rate', async () => {
    const key = await makeKey('cu1', 'charging');
    const calls = 60;
    const statuses = new Set<number>();
    // 3 charging requests per call: far more than the per-minute budget, within the rate.
    for (let index = 0; index < calls; index += 1) {
      const sessionId = `limits-switch-${index}`;
      const started = await api.call({ method: 'POST', url: '/v1/sessions', key,
        json: { session_id: sessionId, account_id: 'cu1', caller: '1', callee: '4420',
          request_number: 0 } });
      const updated = await api.call({ method: 'POST', key,
        url: `/v1/sessions/${sessionId}/update`, json: { request_number: 1, used_seconds: 0 } });
      const ended = await api.call({ method: 'POST', key,
        url: `/v1/sessions/${sessionId}/terminate`,
        json: { request_number: 2, used_seconds: 0 } });
      for (const response of [started, updated, ended]) statuses.add(response.status);
    }
    expect([...statuses]).toEqual([200]);
    expect(calls * 3).toBeGreaterThan(keyRequestsPerMinute);
  });
});

describe('charging requests per key per second', () => {
  let limited: TestApi;
  let limitedWorld: World;
  const perSecond = 5;
  beforeAll(async () => {
    limited = await openTestApi('sqlite', { rateLimitChargingPerKeyPerSecond: perSecond });
    limitedWorld = await seedWorld(limited);
  });
  afterAll(async () => limited.close());

  it('answers 429 past the configured rate, with Retry-After', async () => {
    const burst = perSecond * 4;
    // Sent together: they reach the limiter within the same second.
    const responses = await Promise.all(Array.from({ length: burst }, (_, index) =>
      limited.call({ method: 'POST', url: '/v1/sessions', key: limitedWorld.keys.cu1,
        json: { session_id: `burst-${index}`, account_id: 'cu1', caller: '1', callee: '4420',
          request_number: 0 } })));
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(burst - 2 * perSecond);
    for (const response of refused) expectRateLimited(response);
    expect(responses.filter((response) => response.status === 200).length)
      .toBeLessThanOrEqual(2 * perSecond);
  });
});

describe('a budget of 0', () => {
  it('turns the limit off', async () => {
    const open = await openTestApi('sqlite', { rateLimitUnauthenticatedPerIpPerMinute: 0 });
    try {
      for (let index = 0; index < 40; index += 1) {
        const response = await open.call({ method: 'GET', url: '/v1/whoami', key: 'tg_nope' });
        expect(response.status).toBe(401);
      }
    } finally {
      await open.close();
    }
  });
});

describe('the cluster route on PostgreSQL', () => {
  it('spends the failed attempts of an address on wrong cluster keys', async () => {
    const failures = 3;
    const nodes = await openTestApi('postgres',
      { rateLimitUnauthenticatedPerIpPerMinute: failures });
    try {
      const forward = (key: string, remoteAddress: string) => nodes.app.inject({
        method: 'POST', url: clusterCallPath, remoteAddress,
        headers: { [clusterKeyHeader]: key, 'content-type': clusterCallType },
        payload: '{}' });
      for (let index = 0; index < failures; index += 1) {
        expect((await forward(`wrong-${index}`, '192.0.2.30')).statusCode).toBe(404);
      }
      const over = await forward('wrong-x', '192.0.2.30');
      expect([over.statusCode, over.json()['code']]).toEqual([429, 'rate_limited']);
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The cluster key is the admin key here: from that address it is refused as well.
      expect((await forward(adminKey, '192.0.2.30')).statusCode).toBe(429);
      const elsewhere = await forward(adminKey, '192.0.2.31');
      expect([elsewhere.statusCode, elsewhere.json()['code']]).toEqual([400, 'invalid_call']);
    } finally {
      await nodes.close();
    }
  });
});
