import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

let api: TestApi;
let world: World;

beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
});
afterAll(async () => api.close());

describe('/v1/accounts/{id}/bundles', () => {
  it('grants free seconds once per id, used before money', async () => {
    const body = { bundle_id: 'uk-100', prefixes: ['44'], seconds: 100,
      valid_until: '2026-12-31T00:00:00Z' };
    const created = await api.call({ method: 'POST', url: '/v1/accounts/cu1/bundles',
      key: world.keys.rs, json: body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'uk-100', account_id: 'cu1', prefixes: ['44'],
      time_band: null, seconds_remaining: 100, valid_until: '2026-12-31T00:00:00Z' });
    const again = await api.call({ method: 'POST', url: '/v1/accounts/cu1/bundles',
      key: world.keys.rs, json: body });
    expect(again.body).toEqual(created.body);
    const call = { session_id: 'bundled', account_id: 'cu1', caller: '1',
      callee: '442079460000', request_number: 0 };
    await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1, json: call });
    const ended = await api.call({ method: 'POST', url: '/v1/sessions/bundled/terminate',
      key: world.keys.cu1, json: { request_number: 1, used_seconds: 47 } });
    expect(ended.body).toMatchObject({ status: 'terminated' });
    const listed = await api.call({ method: 'GET', url: '/v1/accounts/cu1/bundles',
      key: world.keys.cu1 });
    const [bundle] = listed.body['bundles'] as Array<{ seconds_remaining: number }>;
    expect(bundle?.seconds_remaining).toBeLessThan(100);
  });
  it('refuses a bad bundle, and a key granting itself minutes', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      [world.keys.rs, { bundle_id: 'b', prefixes: ['4x'], seconds: 10 }, 400, 'invalid_bundle'],
      [world.keys.rs, { bundle_id: 'b', prefixes: ['44'], seconds: 0 }, 400, 'invalid_bundle'],
      [world.keys.rs, { bundle_id: 'b', prefixes: ['44'], seconds: 10, valid_until: 'soon' },
        400, 'invalid_instant'],
      [world.keys.cu1, { bundle_id: 'b', prefixes: ['44'], seconds: 10 }, 403, 'forbidden'],
    ];
    for (const [key, json, status, code] of cases) {
      const response = await api.call({ method: 'POST', url: '/v1/accounts/cu1/bundles', key,
        json });
      expect([JSON.stringify(json), response.status, response.body['code']])
        .toEqual([JSON.stringify(json), status, code]);
    }
  });
});
