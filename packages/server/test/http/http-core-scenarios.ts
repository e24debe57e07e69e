import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type StoreKind, type TestApi, type World } from
  './http-fixture.ts';

/**
 * The core of the API on one store: the same scenarios run on SQLite and on PostgreSQL
 * (like the ledger's contract suite), so a dialect difference in the decks, keys or charging
 * SQL shows up as an HTTP difference.
 */
export function describeCoreApi(kind: StoreKind): void {
  const context = { kind } as Context;
  describe(`HTTP API core on ${kind}`, () => {
    beforeAll(async () => {
      context.api = await openTestApi(kind);
      context.world = await seedWorld(context.api);
    });
    afterAll(async () => context.api?.close());
    describeCharging(context);
    describeAdministration(context);
  });
}

interface Context {
  readonly kind: StoreKind;
  api: TestApi;
  world: World;
}

async function accountOf(context: Context, id: string) {
  return (await context.api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body;
}

function describeCharging(context: Context): void {
  const { kind } = context;
  it('runs a call through the reseller chain and bills each level', async () => {
    const { api, world } = context;
    const key = world.keys.cu1;
    const authorize = { session_id: `core-${kind}`, account_id: 'cu1', caller: '1555',
      callee: '442079460000', request_number: 0 };
    const granted = await api.call({ method: 'POST', url: '/v1/sessions', key, json: authorize });
    expect(granted.body).toMatchObject({ status: 'granted', granted_seconds: 60 });
    const again = await api.call({ method: 'POST', url: '/v1/sessions', key, json: authorize });
    expect(again.body).toEqual(granted.body);
    const skipped = await api.call({ method: 'POST', key,
      url: `/v1/sessions/core-${kind}/update`, json: { request_number: 3, used_seconds: 9 } });
    expect([skipped.status, skipped.body['code']]).toEqual([409, 'request_out_of_order']);
    const ended = await api.call({ method: 'POST', key,
      url: `/v1/sessions/core-${kind}/terminate`, json: { request_number: 1, used_seconds: 47 } });
    expect(ended.body).toMatchObject({ status: 'terminated', cost: '0.21' });
    expect(await accountOf(context, 'cu1')).toMatchObject({ balance: '9.79', reserved: '0.00' });
    expect(await accountOf(context, 'rs')).toMatchObject({ balance: '-0.12' });
    expect(await accountOf(context, 'ad')).toMatchObject({ balance: '-0.096' });
    const cdrsOf = async (key?: string) => (await api.call({ method: 'GET',
      url: '/v1/cdrs?account_id=rs', ...(key === undefined ? {} : { key }) }))
      .body['cdrs'] as Array<{ levels: Array<{ cost: string }> }>;
    const [cdr] = await cdrsOf();
    expect(cdr?.levels.map((level) => level.cost)).toEqual(['0.21', '0.12', '0.096', '0.08']);
    // The reseller sees what its customer paid and its own cost, not what its parents pay.
    const [resellers] = await cdrsOf(world.keys.rs);
    expect(resellers?.levels.map((level) => level.cost)).toEqual(['0.21', '0.12']);
  });
  it('refuses with the precise status and moves nothing', async () => {
    const { api, world } = context;
    await api.call({ method: 'POST', url: '/v1/accounts',
      json: { id: 'broke', parent_id: 'rs', tier: 'customer', mode: 'prepaid',
        currency: 'USD', rate_deck_id: world.decks.retail } });
    const refused = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.rs,
      json: { session_id: `broke-${kind}`, account_id: 'broke', caller: '1',
        callee: '4420', request_number: 0 } });
    expect([refused.status, refused.body['status']]).toEqual([402, 'insufficient_funds']);
    expect(await accountOf(context, 'broke')).toMatchObject({ balance: '0.00',
      reserved: '0.00' });
  });
}

function describeAdministration(context: Context): void {
  it('keeps tenants apart and checks keys', async () => {
    const { api, world } = context;
    const foreign = await api.call({ method: 'GET', url: '/v1/accounts/cu1',
      key: world.keys.other });
    expect([foreign.status, foreign.body]).toEqual([404,
      { code: 'account_not_found', message: 'no account cu1' }]);
    const wrong = await api.call({ method: 'GET', url: '/v1/accounts/cu1', key: 'tg_nope' });
    expect(wrong.status).toBe(401);
    const created = await api.call({ method: 'POST', url: '/v1/accounts/cu1/api-keys',
      key: world.keys.rs, json: {} });
    const key = String(created.body['key']);
    expect((await api.call({ method: 'GET', url: '/v1/accounts/cu1', key })).status).toBe(200);
    await api.call({ method: 'DELETE', key,
      url: `/v1/accounts/cu1/api-keys/${String(created.body['id'])}` });
    expect((await api.call({ method: 'GET', url: '/v1/accounts/cu1', key })).status).toBe(401);
  });
  it('stores decks and answers import problems with line and column', async () => {
    const { api, world } = context;
    const bad = await api.call({ method: 'POST', url: '/v1/rate-decks?name=x&currency=USD',
      csv: 'prefix,rate\n44,0.06\n45,abc\n' });
    expect(bad.body).toMatchObject({ code: 'invalid_amount', line: 3, column: 'rate' });
    const listed = await api.call({ method: 'GET', url: '/v1/rate-decks', key: world.keys.rs });
    expect((listed.body['rate_decks'] as Array<{ id: string }>).map((deck) => deck.id))
      .toEqual([world.decks.retail]);
    const got = await api.call({ method: 'GET', url: `/v1/rate-decks/${world.decks.retail}`,
      key: world.keys.cu1 });
    expect(got.body).toMatchObject({ rows: 4, currency: 'USD', decimals: 4 });
  });
  it('tops up once per reference', async () => {
    const { api, world } = context;
    const body = { amount: '1.50', reference: `core-${context.kind}` };
    const first = await api.call({ method: 'POST', url: '/v1/accounts/cu2/topups',
      key: world.keys.rs, json: body });
    const second = await api.call({ method: 'POST', url: '/v1/accounts/cu2/topups',
      key: world.keys.rs, json: body });
    expect([first.status, second.status, second.body['replayed']]).toEqual([201, 200, true]);
    expect(await accountOf(context, 'cu2')).toMatchObject({ balance: '1.50' });
  });
}
