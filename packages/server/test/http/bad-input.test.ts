import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type ApiRequest, type TestApi, type World } from
  './http-fixture.ts';

let api: TestApi;
let world: World;

beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
});
afterAll(async () => api.close());

/** What must not move while bad requests are refused. */
async function moneySnapshot() {
  const accounts = [];
  for (const id of ['cu1', 'cu2', 'rs', 'ad', 'op']) {
    const { body } = await api.call({ method: 'GET', url: `/v1/accounts/${id}` });
    accounts.push([id, body['balance'], body['reserved'], body['state']]);
  }
  const cdrs = await api.call({ method: 'GET', url: '/v1/cdrs?account_id=op' });
  return { accounts, cdrs: cdrs.body['cdrs'] };
}

const session = { session_id: 'bad-1', account_id: 'cu1', caller: '1555', callee: '4420',
  request_number: 0 };

/** [request, status, code]: every one a clear 4xx with a stable code, nothing written. */
const badRequests = (): Array<[ApiRequest, number, string]> => [
  [{ method: 'POST', url: '/v1/sessions', raw: { body: '{"session_id": "x",',
    contentType: 'application/json' } }, 400, 'invalid_json'],
  [{ method: 'POST', url: '/v1/sessions', raw: { body: 'null',
    contentType: 'application/json' } }, 400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', raw: { body: '[1,2]',
    contentType: 'application/json' } }, 400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', raw: { body: '',
    contentType: 'application/json' } }, 400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', raw: { body: JSON.stringify(session)
    .replace('{', '{"__proto__":{"admin":true},'), contentType: 'application/json' } }, 400,
    'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', raw: { body: JSON.stringify(session),
    contentType: 'text/plain' } }, 415, 'unsupported_media_type'],
  [{ method: 'POST', url: '/v1/sessions', raw: { body: 'session_id=1',
    contentType: 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
  [{ method: 'POST', url: '/v1/sessions', json: { session_id: 'bad-2', account_id: 'cu1' } },
    400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, extra: 1 } }, 400,
    'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, request_number: '0' } }, 400,
    'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, request_number: 0.5 } }, 400,
    'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, request_number: -1 } }, 400,
    'invalid_request_number'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, callee: '+44 20' } }, 400,
    'invalid_number'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, session_id: 'has space' } },
    400, 'invalid_session_id'],
  [{ method: 'POST', url: '/v1/sessions', json: { ...session, account_id: 'bad id!' } }, 400,
    'invalid_account_id'],
  [{ method: 'POST', url: '/v1/sessions/nope/update', json: { request_number: 1,
    used_seconds: 10 } }, 404, 'session_not_found'],
  [{ method: 'POST', url: '/v1/sessions/nope/terminate', json: { request_number: 1 } }, 400,
    'validation_failed'],
  [{ method: 'POST', url: '/v1/sessions/nope/update', json: { request_number: 1,
    used_seconds: 1.5 } }, 400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/accounts/cu1/topups', json: { amount: 10.5,
    reference: 'float' } }, 400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/accounts/cu1/topups', json: { amount: '1'.repeat(40),
    reference: 'long' } }, 400, 'validation_failed'],
  [{ method: 'POST', url: '/v1/accounts/cu1/topups', json: { amount: '99999999999999999',
    reference: 'huge' } }, 400, 'amount_too_large'],
  [{ method: 'POST', url: '/v1/accounts/cu1/topups', json: { amount: '5.00' } }, 400,
    'validation_failed'],
  [{ method: 'POST', url: '/v1/accounts', raw: { body: 'x'.repeat(70_000),
    contentType: 'application/json' } }, 413, 'body_too_large'],
  [{ method: 'POST', url: '/v1/events', json: { event_id: 'e', account_id: 'cu1',
    caller: '1', callee: '4420', duration_seconds: 10, note: 'x'.repeat(70_000) } }, 413,
    'body_too_large'],
  [{ method: 'GET', url: '/v1/cdrs?account_id=cu1&limit=0' }, 400, 'validation_failed'],
  [{ method: 'GET', url: '/v1/cdrs?account_id=cu1&limit=abc' }, 400, 'validation_failed'],
  [{ method: 'GET', url: '/v1/cdrs?account_id=cu1&colour=red' }, 400, 'validation_failed'],
  [{ method: 'GET', url: '/v1/cdrs?account_id=cu1&format=xml' }, 400, 'validation_failed'],
  [{ method: 'GET', url: `/v1/accounts/${'a'.repeat(600)}` }, 400, 'bad_request'],
  [{ method: 'GET', url: '/v1/accounts/%E0%A4%A' }, 400, 'bad_request'],
  [{ method: 'GET', url: '/v1/nothing-here' }, 404, 'not_found'],
  [{ method: 'PUT', url: '/v1/accounts/cu1', json: {} }, 404, 'not_found'],
  [{ method: 'GET', url: '/v1/accounts/cu1', key: 'wrong' }, 401, 'unauthorized'],
  [{ method: 'POST', url: '/v1/accounts/cu1/topups', key: world.keys.other,
    json: { amount: '5.00', reference: 'other' } }, 404, 'account_not_found'],
];

describe('bad input', () => {
  it('answers each bad request with a clear 4xx and a stable code, moving no money',
    async () => {
      const before = await moneySnapshot();
      for (const [request, status, code] of badRequests()) {
        const response = await api.call(request);
        const label = `${request.method} ${request.url.slice(0, 60)}`;
        expect([label, response.status, response.body['code']]).toEqual([label, status, code]);
        expect(typeof response.body['message'], label).toBe('string');
      }
      expect(await moneySnapshot()).toEqual(before);
    });
  it('lists what failed validation, by path', async () => {
    const response = await api.call({ method: 'POST', url: '/v1/sessions',
      json: { session_id: 'x', account_id: 'cu1', caller: 1, callee: '4420' } });
    expect(response.status).toBe(400);
    expect(response.body['errors']).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: expect.stringMatching(/^body/) })]));
  });
  it('teaches: names the values allowed and the content type wanted (issue 21)', async () => {
    const tier = await api.call({ method: 'POST', url: '/v1/accounts', json: { id: 'tiers',
      parent_id: 'rs', tier: 'custmer', currency: 'USD', mode: 'prepaid', rate_deck_id: null } });
    expect([tier.status, tier.body['message'], tier.body['errors']]).toEqual([400,
      'body/tier must be one of "super_admin", "admin", "reseller", "customer"',
      [{ path: 'body/tier',
        message: 'must be one of "super_admin", "admin", "reseller", "customer"' }]]);
    const text = await api.call({ method: 'POST', url: '/v1/accounts',
      raw: { body: 'hello', contentType: 'text/plain' } });
    expect([text.status, text.body]).toEqual([415, { code: 'unsupported_media_type',
      message: 'Content-Type text/plain is not read here; send application/json' }]);
    const jsonDeck = await api.call({ method: 'POST', url: '/v1/rate-decks?name=x&currency=USD',
      json: {} });
    expect(jsonDeck.body['message']).toMatch(/send text\/csv/);
  });
  it('stays up and answers the next good request', async () => {
    const health = await api.call({ method: 'GET', url: '/health', key: null });
    expect(health.status).toBe(200);
    const granted = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
      json: { ...session, session_id: 'good-after-bad' } });
    expect([granted.status, granted.body['status']]).toEqual([200, 'granted']);
  });
  it('never answers 500 for input it can parse as HTTP', async () => {
    const junk = ['{', '}', '"', '[]', '{"a":', 'true', '0', '{"session_id":null}',
      '\u0000', '{"request_number":1e309}', '{"used_seconds":"NaN"}'];
    for (const body of junk) {
      for (const url of ['/v1/sessions', '/v1/sessions/x/update', '/v1/accounts',
        '/v1/events', '/v1/accounts/cu1/topups']) {
        const response = await api.call({ method: 'POST', url,
          raw: { body, contentType: 'application/json' } });
        expect([url, body, response.status < 500]).toEqual([url, body, true]);
      }
    }
  });
});
