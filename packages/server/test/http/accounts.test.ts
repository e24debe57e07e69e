import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

let api: TestApi;
let world: World;

beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
});
afterAll(async () => api.close());

describe('POST /v1/accounts', () => {
  it('creates a customer under a reseller with the reseller\'s key', async () => {
    const created = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { id: 'cu3', parent_id: 'rs', tier: 'customer', mode: 'postpaid',
        currency: 'USD', rate_deck_id: world.decks.retail, credit_limit: '2.50',
        daily_limit: '1.00', monthly_limit: '20', concurrent_calls_max: 3,
        time_zone: 'Europe/London', name: 'Customer three' } });
    expect(created.status).toBe(201);
    // A tenant key's ids live in its own account's namespace.
    expect(created.body).toMatchObject({ id: 'rs~cu3', parent_id: 'rs', tier: 'customer',
      name: 'Customer three', mode: 'postpaid', state: 'active', currency: 'USD',
      credit_limit: '2.50', daily_limit: '1.00', monthly_limit: '20.00',
      concurrent_calls_max: 3, time_zone: 'Europe/London', balance: '0.00',
      reserved: '0.00', available: '1.00', funds_constraint: 'daily_limit' });
  });
  it('generates an id when none is given', async () => {
    const created = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { parent_id: 'rs', tier: 'customer', mode: 'prepaid', currency: 'USD',
        rate_deck_id: null } });
    expect(created.status).toBe(201);
    expect(created.body['id']).toMatch(/^rs~acc_[0-9a-f]{24}$/);
    expect(created.body['name']).toBe(created.body['id']);
  });
  it('lets only the operator create a root', async () => {
    const root = { id: 'op2', parent_id: null, tier: 'super_admin', mode: 'postpaid',
      currency: 'EUR', rate_deck_id: null };
    const refused = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: root });
    expect(refused.status).toBe(403);
    expect(refused.body['code']).toBe('forbidden');
    const created = await api.call({ method: 'POST', url: '/v1/accounts', json: root });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'op2', credit_limit: null, available: null });
  });
});

describe('POST /v1/accounts: problems', () => {
  it('answers the ledger\'s codes for a bad hierarchy or settings', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ id: 'cu3', parent_id: 'rs', tier: 'customer' }, 409, 'account_exists'],
      [{ id: 'op~cu4', parent_id: 'rs', tier: 'customer' }, 400, 'invalid_account_id'],
      [{ id: 'x1', parent_id: 'nobody', tier: 'customer' }, 404, 'parent_not_found'],
      [{ id: 'x2', parent_id: 'cu1', tier: 'customer' }, 400, 'parent_tier_not_allowed'],
      [{ id: 'x3', parent_id: 'rs', tier: 'customer', mode: 'prepaid', credit_limit: '5' },
        400, 'credit_limit_not_allowed'],
      [{ id: 'x4', parent_id: 'rs', tier: 'customer', credit_limit: null }, 400,
        'unlimited_credit_not_allowed'],
      [{ id: 'x5', parent_id: 'rs', tier: 'customer', time_zone: 'Mars/Base' }, 400,
        'invalid_time_zone'],
      [{ id: 'x6', parent_id: 'rs', tier: 'customer', currency: 'usd' }, 400,
        'invalid_currency'],
      [{ id: 'bad id', parent_id: 'rs', tier: 'customer' }, 400, 'invalid_account_id'],
      [{ id: 'x7', parent_id: 'rs', tier: 'customer', credit_limit: '-1' }, 400,
        'negative_amount'],
      [{ id: 'x8', parent_id: 'rs', tier: 'customer', credit_limit: '1.0000001' }, 400,
        'amount_too_precise'],
      [{ id: 'x9', parent_id: 'rs', tier: 'customer', credit_limit: '1e3' }, 400,
        'invalid_amount'],
      [{ id: 'y1', parent_id: 'rs', tier: 'customer', rate_deck_id: 'deck_missing' }, 404,
        'rate_deck_not_found'],
      [{ id: 'y2', parent_id: 'other', tier: 'customer' }, 404, 'parent_not_found'],
    ];
    for (const [fields, status, code] of cases) {
      const response = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
        json: { mode: 'postpaid', currency: 'USD', rate_deck_id: null, ...fields } });
      expect([response.status, response.body['code']], JSON.stringify(fields))
        .toEqual([status, code]);
    }
  });
  it('names the field of a bad amount', async () => {
    const response = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { id: 'z1', parent_id: 'rs', tier: 'customer', mode: 'postpaid', currency: 'USD',
        rate_deck_id: null, daily_limit: '12,50' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_amount', column: 'daily_limit' });
  });
});

describe('GET /v1/accounts/{id} and children', () => {
  it('shows balance, reserved and available funds as decimal strings', async () => {
    const response = await api.call({ method: 'GET', url: '/v1/accounts/cu1',
      key: world.keys.cu1 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'cu1', balance: '10.00', reserved: '0.00',
      available: '10.00', state: 'active', rate_deck_id: world.decks.retail,
      created_at: '2026-11-30T12:00:00Z' });
  });
  it('lists children in id order, paged', async () => {
    const first = await api.call({ method: 'GET', url: '/v1/accounts/rs/children?limit=1',
      key: world.keys.rs });
    expect(first.status).toBe(200);
    const firstIds = (first.body['accounts'] as Array<{ id: string }>).map((a) => a.id);
    expect(firstIds.length).toBe(1);
    expect(first.body['next_after']).toBe(firstIds[0]);
    const all = await api.call({ method: 'GET', url: '/v1/accounts/rs/children',
      key: world.keys.rs });
    const ids = (all.body['accounts'] as Array<{ id: string }>).map((account) => account.id);
    expect(ids).toContain('cu1');
    expect(ids).toContain('cu2');
    expect(ids).toEqual([...ids].sort());
    expect(all.body['next_after']).toBeNull();
    const next = await api.call({ method: 'GET', key: world.keys.rs,
      url: `/v1/accounts/rs/children?limit=1&after=${String(first.body['next_after'])}` });
    expect((next.body['accounts'] as unknown[]).length).toBe(1);
  });
  it('keeps a customer out of its parent and siblings, as if they did not exist', async () => {
    for (const url of ['/v1/accounts/rs', '/v1/accounts/cu2', '/v1/accounts/rs/children']) {
      const response = await api.call({ method: 'GET', url, key: world.keys.cu1 });
      const id = url.split('/')[3];
      expect([url, response.status, response.body]).toEqual([url, 404,
        { code: 'account_not_found', message: `no account ${id}` }]);
    }
  });
  it('answers 404 for an unknown account', async () => {
    const response = await api.call({ method: 'GET', url: '/v1/accounts/nobody' });
    expect(response.status).toBe(404);
    expect(response.body['code']).toBe('account_not_found');
  });
});

describe('POST /v1/accounts/{id}/topups', () => {
  it('adds money once per reference', async () => {
    const first = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
      key: world.keys.rs, json: { amount: '2.345', reference: 'pay-1' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ account_id: 'cu1', amount: '2.345', currency: 'USD',
      reference: 'pay-1', replayed: false, balance: '12.345' });
    const again = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
      key: world.keys.rs, json: { amount: '2.345', reference: 'pay-1' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, balance: '12.345',
      transfer_id: first.body['transfer_id'] });
  });
  it('tops up an account with the longest id a key makes, by the longest reference', async () => {
    const chosen = 'c'.repeat(64);
    const created = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { id: chosen, parent_id: 'rs', tier: 'customer', mode: 'prepaid', currency: 'USD',
        rate_deck_id: null } });
    expect([created.status, created.body['id']]).toEqual([201, `rs~${chosen}`]);
    const reference = 'r'.repeat(128);
    const topup = await api.call({ method: 'POST', url: `/v1/accounts/rs~${chosen}/topups`,
      key: world.keys.rs, json: { amount: '1.00', reference } });
    expect([topup.status, topup.body['balance']], topup.text).toEqual([201, '1.00']);
  });
  it('refuses the same reference for another amount', async () => {
    const response = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
      key: world.keys.rs, json: { amount: '3.00', reference: 'pay-1' } });
    expect(response.status).toBe(409);
    expect(response.body['code']).toBe('idempotency_key_reused');
  });
  it('never lets an account credit itself', async () => {
    const response = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
      key: world.keys.cu1, json: { amount: '100.00', reference: 'self' } });
    expect(response.status).toBe(403);
    expect(response.body['code']).toBe('forbidden');
  });
  it('refuses zero, negative and malformed amounts', async () => {
    for (const [amount, code] of [['0', 'amount_not_positive'], ['-1.00', 'negative_amount'],
      ['1.5.0', 'invalid_amount'], ['0.0000001', 'amount_too_precise']]) {
      const response = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
        key: world.keys.rs, json: { amount, reference: `bad-${amount}` } });
      expect([amount, response.status, response.body['code']]).toEqual([amount, 400, code]);
    }
    const balance = await api.call({ method: 'GET', url: '/v1/accounts/cu1' });
    expect(balance.body['balance']).toBe('12.345');
  });
});

describe('suspend, activate, PATCH', () => {
  it('suspends and activates a descendant', async () => {
    const suspended = await api.call({ method: 'POST', url: '/v1/accounts/cu2/suspend',
      key: world.keys.rs });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ state: 'suspended', available: '0.00',
      funds_constraint: 'state' });
    const active = await api.call({ method: 'POST', url: '/v1/accounts/cu2/activate',
      key: world.keys.rs, json: {} });
    expect(active.status).toBe(200);
    expect(active.body['state']).toBe('active');
  });
  it('refuses to let a key suspend its own account or a stranger', async () => {
    const own = await api.call({ method: 'POST', url: '/v1/accounts/rs/suspend',
      key: world.keys.rs });
    expect([own.status, own.body['code']]).toEqual([403, 'forbidden']);
    const stranger = await api.call({ method: 'POST', url: '/v1/accounts/other/suspend',
      key: world.keys.rs });
    expect([stranger.status, stranger.body['code']]).toEqual([404, 'account_not_found']);
  });
  it('changes limits and deck; null removes a limit', async () => {
    const patched = await api.call({ method: 'PATCH', url: '/v1/accounts/cu2',
      key: world.keys.rs, json: { credit_limit: '7.50', daily_limit: '2', monthly_limit: null,
        concurrent_calls_max: 2, rate_deck_id: world.decks.retail, name: 'Two' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ credit_limit: '7.50', daily_limit: '2.00',
      monthly_limit: null, concurrent_calls_max: 2, name: 'Two', available: '2.00' });
    const cleared = await api.call({ method: 'PATCH', url: '/v1/accounts/cu2',
      key: world.keys.rs, json: { daily_limit: null } });
    expect(cleared.body).toMatchObject({ daily_limit: null, available: '7.50' });
  });
  it('refuses an empty patch, unknown fields, state changes and a customer\'s own patch',
    async () => {
      const cases: Array<[string | undefined, unknown, number, string]> = [
        [world.keys.rs, {}, 400, 'validation_failed'],
        [world.keys.rs, { state: 'closed' }, 400, 'validation_failed'],
        [world.keys.rs, { credit_limit: 5 }, 400, 'validation_failed'],
        [world.keys.rs, { rate_deck_id: 'deck_nope' }, 404, 'rate_deck_not_found'],
        [world.keys.cu2, { credit_limit: '1000.00' }, 403, 'forbidden'],
      ];
      for (const [key, json, status, code] of cases) {
        const response = await api.call({ method: 'PATCH', url: '/v1/accounts/cu2', key, json });
        expect([JSON.stringify(json), response.status, response.body['code']])
          .toEqual([JSON.stringify(json), status, code]);
      }
    });
});
