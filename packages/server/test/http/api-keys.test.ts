import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

let api: TestApi;
let world: World;

beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
});
afterAll(async () => api.close());

describe('authentication', () => {
  it('refuses a missing, malformed, unknown or revoked key with 401', async () => {
    const cases: Array<Record<string, string> | undefined> = [
      undefined,
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${'x'.repeat(300)}` },
      { authorization: 'Bearer tg_not_a_key' },
    ];
    for (const headers of cases) {
      const response = await api.call({ method: 'GET', url: '/v1/accounts/cu1', key: null,
        ...(headers === undefined ? {} : { headers }) });
      expect(response.status).toBe(401);
      expect(response.body['code']).toBe('unauthorized');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });
  it('checks the key before reading the body', async () => {
    const response = await api.call({ method: 'POST', url: '/v1/accounts', key: 'tg_wrong',
      raw: { body: '{not json', contentType: 'application/json' } });
    expect([response.status, response.body['code']]).toEqual([401, 'unauthorized']);
  });
  it('says who the key is', async () => {
    const operator = await api.call({ method: 'GET', url: '/v1/whoami' });
    expect(operator.body).toEqual({ kind: 'operator', account_id: null, key_id: null,
      scope: 'full', expires_at: null });
    const reseller = await api.call({ method: 'GET', url: '/v1/whoami', key: world.keys.rs });
    expect(reseller.body).toMatchObject({ kind: 'account', account_id: 'rs', scope: 'full',
      expires_at: null });
  });
  it('needs no key for the health check and the OpenAPI document', async () => {
    expect((await api.call({ method: 'GET', url: '/health', key: null })).body)
      .toEqual({ status: 'ok' });
    expect((await api.call({ method: 'GET', url: '/openapi.json', key: null })).status)
      .toBe(200);
  });
});

describe('/v1/accounts/{id}/api-keys', () => {
  it('makes a key shown once, lists keys without secrets, revokes', async () => {
    const created = await api.call({ method: 'POST', url: '/v1/accounts/cu1/api-keys',
      key: world.keys.rs, json: { label: 'switch-1' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ account_id: 'cu1', label: 'switch-1' });
    const key = String(created.body['key']);
    expect(key).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
    const me = await api.call({ method: 'GET', url: '/v1/whoami', key });
    expect(me.body).toMatchObject({ account_id: 'cu1', key_id: created.body['id'] });
    const listed = await api.call({ method: 'GET', url: '/v1/accounts/cu1/api-keys',
      key: world.keys.cu1 });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(key);
    const keys = listed.body['api_keys'] as Array<Record<string, unknown>>;
    expect(keys.map((entry) => entry['label']).sort()).toEqual(['switch-1', 'test']);
    expect(keys.every((entry) => !('key' in entry) && !('key_hash' in entry))).toBe(true);
    const revoked = await api.call({ method: 'DELETE', key: world.keys.cu1,
      url: `/v1/accounts/cu1/api-keys/${String(created.body['id'])}` });
    expect(revoked.status).toBe(204);
    const after = await api.call({ method: 'GET', url: '/v1/whoami', key });
    expect([after.status, after.body['code']]).toEqual([401, 'unauthorized']);
    const again = await api.call({ method: 'DELETE', key: world.keys.cu1,
      url: `/v1/accounts/cu1/api-keys/${String(created.body['id'])}` });
    expect([again.status, again.body['code']]).toEqual([404, 'api_key_not_found']);
  });
  it('makes keys only for the key\'s subtree', async () => {
    for (const id of ['rs', 'other', 'ad']) {
      const response = await api.call({ method: 'POST', url: `/v1/accounts/${id}/api-keys`,
        key: world.keys.cu1, json: {} });
      expect([id, response.status, response.body['code']]).toEqual([id, 404,
        'account_not_found']);
    }
  });
  it('keeps one tenant out of another\'s accounts, sessions and CDRs', async () => {
    const requests: Array<[string, string, unknown]> = [
      ['GET', '/v1/accounts/cu1', undefined],
      ['GET', '/v1/accounts/rs/children', undefined],
      ['POST', '/v1/accounts/cu1/topups', { amount: '1.00', reference: 'steal' }],
      ['PATCH', '/v1/accounts/cu1', { credit_limit: '0' }],
      ['POST', '/v1/accounts/cu1/suspend', undefined],
      ['GET', '/v1/accounts/cu1/api-keys', undefined],
      ['POST', '/v1/sessions', { session_id: 'x', account_id: 'cu1', caller: '1',
        callee: '4420', request_number: 0 }],
      ['POST', '/v1/events', { event_id: 'x', account_id: 'cu1', caller: '1', callee: '4420',
        duration_seconds: 10 }],
      ['GET', '/v1/sessions?account_id=rs', undefined],
      ['GET', '/v1/cdrs?account_id=rs', undefined],
    ];
    for (const [method, url, json] of requests) {
      const response = await api.call({ method: method as 'GET', url, key: world.keys.other,
        ...(json === undefined ? {} : { json }) });
      expect([method, url, response.status, response.body['code']])
        .toEqual([method, url, 404, 'account_not_found']);
    }
    const balance = await api.call({ method: 'GET', url: '/v1/accounts/cu1' });
    expect(balance.body).toMatchObject({ balance: '10.00', state: 'active',
      credit_limit: '0.00' });
  });
});
