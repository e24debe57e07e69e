import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from '../http/http-fixture.ts';

// The fraud API over inject(): scope, inheritance, validation, release.
describe('fraud HTTP API', () => {
  let api: TestApi;
  let world: World;
  beforeAll(async () => {
    api = await openTestApi('sqlite');
    world = await seedWorld(api);
  });
  afterAll(async () => {
    await api.close();
  });

  it('inherits a config down the tree; only a key above the account may change it', async () => {
    const initial = await api.call({ method: 'GET', url: '/v1/fraud/configs/cu1' });
    expect(initial.body).toMatchObject({ own: null, from_account_id: null,
      effective: { risk_lists: true, spend_velocity: null,
        credit_limit: { thresholds_percent: [80, 95] } } });
    const put = await api.call({ method: 'PUT', url: '/v1/fraud/configs/rs', json: {
      spend_velocity: { ten_minutes_max: null, hour_max: '20.00', day_max: '50.5',
        action: 'suspend' }, cool_down_seconds: 1_800 } });
    expect(put.status, put.text).toBe(200);
    const inherited = await api.call({ method: 'GET', url: '/v1/fraud/configs/cu1',
      key: world.keys.cu1 });
    expect(inherited.body).toMatchObject({ own: null, from_account_id: 'rs', effective: {
      spend_velocity: { ten_minutes_max: null, hour_max: '20.00', day_max: '50.50',
        action: 'suspend' }, cool_down_seconds: 1_800 } });
    const self = await api.call({ method: 'PUT', url: '/v1/fraud/configs/cu1',
      key: world.keys.cu1, json: { risk_lists: false } });
    expect(self.status).toBe(403);
    const byParent = await api.call({ method: 'PUT', url: '/v1/fraud/configs/cu1',
      key: world.keys.rs, json: { call_velocity: { attempts_per_minute_max: 10,
        action: 'alert' } } });
    expect(byParent.body).toMatchObject({ from_account_id: 'cu1',
      own: { call_velocity: { attempts_per_minute_max: 10 }, spend_velocity: null } });
    const foreign = await api.call({ method: 'GET', url: '/v1/fraud/configs/cu1',
      key: world.keys.other });
    expect([foreign.status, foreign.body['code']]).toEqual([404, 'account_not_found']);
    expect((await api.call({ method: 'DELETE', url: '/v1/fraud/configs/cu1',
      key: world.keys.rs })).body).toMatchObject({ own: null, from_account_id: 'rs' });
    const again = await api.call({ method: 'DELETE', url: '/v1/fraud/configs/cu1',
      key: world.keys.rs });
    expect([again.status, again.body['code']]).toEqual([404, 'fraud_config_not_found']);
  });

  it('rejects bad configs and lists with a clear code', async () => {
    const money = await api.call({ method: 'PUT', url: '/v1/fraud/configs/cu2', json: {
      cost_per_minute: { ceiling: '1.5x', used_seconds_min: 30, action: 'alert' } } });
    expect([money.status, money.body['code']]).toEqual([400, 'invalid_amount']);
    const bound = await api.call({ method: 'PUT', url: '/v1/fraud/configs/cu2', json: {
      call_velocity: { attempts_per_minute_max: 0, action: 'alert' } } });
    expect([bound.status, bound.body['code']]).toEqual([400, 'invalid_fraud_config']);
    const prefix = await api.call({ method: 'PUT', url: '/v1/fraud/risk-lists/bad', json: {
      name: 'bad', prefixes: ['44x'], action: 'alert' } });
    expect([prefix.status, prefix.body['code']]).toEqual([400, 'validation_failed']);
  });

  it('scopes risk lists to their owner\'s subtree', async () => {
    const own = await api.call({ method: 'PUT', url: '/v1/fraud/risk-lists/rs-watch',
      key: world.keys.rs, json: { name: 'rs watch', prefixes: ['49'], action: 'alert',
        calls_threshold: 3, window_minutes: 10 } });
    expect(own.body).toMatchObject({ owner_id: 'rs', calls_threshold: 3, window_minutes: 10 });
    const otherView = await api.call({ method: 'GET', url: '/v1/fraud/risk-lists',
      key: world.keys.other });
    expect((otherView.body['risk_lists'] as unknown[]).length).toBe(0);
    // The same id from a sibling makes the sibling's own list; rs's is neither touched nor shown.
    const steal = await api.call({ method: 'PUT', url: '/v1/fraud/risk-lists/rs-watch',
      key: world.keys.other, json: { name: 'mine', prefixes: ['49'], action: 'alert' } });
    expect([steal.status, steal.body['id'], steal.body['owner_id']])
      .toEqual([200, 'rs-watch', 'other']);
    const rsView = await api.call({ method: 'GET', url: '/v1/fraud/risk-lists',
      key: world.keys.rs });
    expect(rsView.body['risk_lists']).toMatchObject([{ id: 'rs-watch', name: 'rs watch' }]);
    const operatorView = await api.call({ method: 'GET', url: '/v1/fraud/risk-lists' });
    expect((operatorView.body['risk_lists'] as Array<{ id: string }>).map((list) => list.id))
      .toEqual(expect.arrayContaining(['rs~rs-watch', 'other~rs-watch']));
    expect((await api.call({ method: 'DELETE', url: '/v1/fraud/risk-lists/rs-watch',
      key: world.keys.other })).status).toBe(204);
    const drop = await api.call({ method: 'DELETE', url: '/v1/fraud/risk-lists/rs-watch',
      key: world.keys.rs });
    expect(drop.status).toBe(204);
  });

  it('refuses a risk list owned by no account with a 404, not a 500 (HTTP fuzz)', async () => {
    const orphan = await api.call({ method: 'PUT', url: '/v1/fraud/risk-lists/orphan', json: {
      name: 'orphan', prefixes: ['999'], action: 'alert', owner_id: 'nobody' } });
    expect([orphan.status, orphan.body['code']]).toEqual([404, 'account_not_found']);
    const lists = await api.call({ method: 'GET', url: '/v1/fraud/risk-lists' });
    expect(JSON.stringify(lists.body)).not.toContain('orphan');
  });

  it('suspends, lists the measure and alert in scope, and releases by hand', async () => {
    const list = await api.call({ method: 'PUT', url: '/v1/fraud/risk-lists/us-block', json: {
      name: 'US premium', prefixes: ['1900'], action: 'suspend' } });
    expect(list.status).toBe(200);
    const call = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu2,
      json: { session_id: 'pumped-1', account_id: 'cu2', caller: '1', callee: '19005550100',
        request_number: 0 } });
    expect([call.status, call.body['code']]).toEqual([403, 'fraud_suspended']);
    const state = await api.call({ method: 'GET', url: '/v1/accounts/cu2' });
    expect(state.body['state']).toBe('suspended');
    const alerts = await api.call({ method: 'GET', url: '/v1/fraud/alerts', key: world.keys.rs });
    expect(alerts.body['alerts']).toMatchObject([{ account_id: 'cu2',
      rule: 'destination_risk', action: 'suspend' }]);
    expect((await api.call({ method: 'GET', url: '/v1/fraud/alerts', key: world.keys.other }))
      .body['alerts']).toEqual([]);
    const unscoped = await api.call({ method: 'GET', url: '/v1/fraud/alerts' });
    expect(unscoped.body['code']).toBe('scope_required');
    const measures = await api.call({ method: 'GET', url: '/v1/fraud/measures?account_id=rs',
      key: world.keys.rs });
    const [measure] = measures.body['measures'] as Array<Record<string, unknown>>;
    expect(measure).toMatchObject({ account_id: 'cu2', kind: 'suspend', released_at: null });
    const url = `/v1/fraud/measures/${String(measure!['id'])}/release`;
    expect((await api.call({ method: 'POST', url, key: world.keys.cu2 })).status).toBe(403);
    const released = await api.call({ method: 'POST', url, key: world.keys.rs });
    expect(released.body).toMatchObject({ released_by: 'manual' });
    expect((await api.call({ method: 'POST', url, key: world.keys.rs })).body['code'])
      .toBe('fraud_measure_released');
    expect((await api.call({ method: 'GET', url: '/v1/accounts/cu2' })).body['state'])
      .toBe('active');
    const next = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu2,
      json: { session_id: 'after-release', account_id: 'cu2', caller: '1', callee: '4420700000',
        request_number: 0 } });
    expect(next.status, next.text).toBe(200);
  });
});

describe('fraud HTTP API with fraud control off', () => {
  it('answers 503 fraud_disabled, and calls go through charging alone', async () => {
    const api = await openTestApi('sqlite', { fraudEnabled: false });
    try {
      const world = await seedWorld(api);
      const alerts = await api.call({ method: 'GET', url: '/v1/fraud/alerts',
        key: world.keys.rs });
      expect([alerts.status, alerts.body['code']]).toEqual([503, 'fraud_disabled']);
      expect(api.services.fraud).toBeUndefined();
      const call = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
        json: { session_id: 'plain-1', account_id: 'cu1', caller: '1', callee: '4420700000',
          request_number: 0 } });
      expect(call.status, call.text).toBe(200);
    } finally {
      await api.close();
    }
  });
});
