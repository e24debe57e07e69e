import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deckCsv, openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

/**
 * Issue 14's findings, each replayed as the hostile tenant found it. Two operators share the
 * installation: `op` (the fixture's world: op > ad > rs > cu1, cu2; ad > other) and `opB`
 * (opB > cuB), each with its root's key.
 */
let api: TestApi;
let world: World;
const keys = { op: '', opB: '', cuB: '' };

async function keyOf(id: string): Promise<string> {
  const response = await api.call({ method: 'POST', url: `/v1/accounts/${id}/api-keys`,
    json: { label: 'hostile' } });
  expect(response.status, response.text).toBe(201);
  return String(response.body['key']);
}

async function balanceOf(id: string): Promise<unknown> {
  return (await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body['balance'];
}

beforeAll(async () => {
  api = await openTestApi('sqlite');
  world = await seedWorld(api);
  for (const body of [
    { id: 'opB', parent_id: null, tier: 'super_admin', mode: 'postpaid', rate_deck_id: null },
    { id: 'cuB', parent_id: 'opB', tier: 'customer', mode: 'prepaid', rate_deck_id: null },
  ]) {
    const created = await api.call({ method: 'POST', url: '/v1/accounts',
      json: { currency: 'USD', ...body } });
    expect(created.status, created.text).toBe(201);
  }
  keys.op = await keyOf('op');
  keys.opB = await keyOf('opB');
  keys.cuB = await keyOf('cuB');
  const deckB = await api.call({ method: 'POST', csv: deckCsv('0.30'), key: keys.opB,
    url: '/v1/rate-decks?name=b-retail&currency=USD' });
  expect(deckB.status, deckB.text).toBe(201);
  for (const id of ['opB', 'cuB']) {
    const patched = await api.call({ method: 'PATCH', url: `/v1/accounts/${id}`,
      json: { rate_deck_id: deckB.body['id'] } });
    expect(patched.status, patched.text).toBe(200);
  }
  await api.call({ method: 'POST', url: '/v1/accounts/cuB/topups',
    json: { amount: '10.00', reference: 'seed-b' } });
});
afterAll(async () => api?.close());

describe('issue 14 findings, replayed', () => {
  it('1: a carrier never lands on a tenant account, whatever ids tenants chose first', async () => {
    const squat = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { id: 'carrier.newcar', parent_id: 'rs', tier: 'customer', currency: 'USD',
        mode: 'prepaid', rate_deck_id: null } });
    expect(squat.status, squat.text).toBe(201);
    const internal = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { id: '_carrier.x', parent_id: 'rs', tier: 'customer', currency: 'USD',
        mode: 'prepaid', rate_deck_id: null } });
    expect([internal.status, internal.body['code']]).toEqual([400, 'invalid_account_id']);
    const carrierDeck = await api.call({ method: 'POST', csv: deckCsv('0.05'), key: keys.opB,
      url: '/v1/rate-decks?name=b-carrier&currency=USD' });
    const carrier = await api.call({ method: 'POST', url: '/v1/carriers', key: keys.opB,
      json: { id: 'newcar', root_account_id: 'opB', name: 'New',
        rate_deck_id: carrierDeck.body['id'], gateway: 'sofia/gateway/new/' } });
    expect(carrier.status, carrier.text).toBe(200);
    expect(carrier.body['account_id']).not.toBe('carrier.newcar');
    const squatterBefore = await balanceOf(String(squat.body['id']));
    expect(squatterBefore).toBe('0.00');
    const call = await api.call({ method: 'POST', url: '/v1/sessions', key: keys.opB,
      json: { session_id: 'b-call-1', account_id: 'cuB', caller: '1', callee: '4420',
        request_number: 0 } });
    expect(call.body['status'], call.text).toBe('granted');
    const ended = await api.call({ method: 'POST', url: '/v1/sessions/b-call-1/terminate',
      key: keys.opB, json: { request_number: 1, used_seconds: 60 } });
    expect(ended.body['status'], ended.text).toBe('terminated');
    // B's call paid B's carrier account; A's customer named like a carrier saw nothing.
    expect(await balanceOf(String(squat.body['id']))).toEqual(squatterBefore);
    const accrued = await api.call({ method: 'GET',
      url: `/v1/accounts/${String(carrier.body['account_id'])}` });
    expect(accrued.body['revenue']).toEqual([{ currency: 'USD', balance: '0.05' }]);
  });

  it('2: another tree\'s private deck cannot price a carrier or an account', async () => {
    const aDeck = world.decks.retail;
    const viaCarrier = await api.call({ method: 'POST', url: '/v1/carriers', key: keys.opB,
      json: { id: 'spy', root_account_id: 'opB', name: 'Spy', rate_deck_id: aDeck,
        gateway: 'x' } });
    const missing = await api.call({ method: 'POST', url: '/v1/carriers', key: keys.opB,
      json: { id: 'spy', root_account_id: 'opB', name: 'Spy', rate_deck_id: 'deck_nope',
        gateway: 'x' } });
    expect([viaCarrier.status, viaCarrier.body['code']]).toEqual([404, 'rate_deck_not_found']);
    expect(missing.status).toBe(404);
    const patch = await api.call({ method: 'PATCH', url: '/v1/carriers/newcar', key: keys.opB,
      json: { rate_deck_id: aDeck } });
    expect([patch.status, patch.body['code']]).toEqual([404, 'rate_deck_not_found']);
    // Not even the operator key applies one operator's deck to another operator's account.
    const crossed = await api.call({ method: 'PATCH', url: '/v1/accounts/cuB',
      json: { rate_deck_id: aDeck } });
    expect([crossed.status, crossed.body['code']]).toEqual([404, 'rate_deck_not_found']);
  });

  it('3: another operator\'s carrier answers exactly like a missing one', async () => {
    const pin = (carrierId: string) => api.call({ method: 'POST', url: '/v1/route-rules',
      key: world.keys.rs, json: { account_id: 'rs', prefix: '44', carrier_id: carrierId,
        action: 'pin' } });
    const foreign = await pin('newcar');
    const missing = await pin('nocar');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ ...missing.body, message: 'no carrier newcar' });
    expect(missing.body).toEqual({ code: 'carrier_not_found', message: 'no carrier nocar' });
    const read = await api.call({ method: 'GET', url: '/v1/carriers/newcar', key: keys.op });
    expect([read.status, read.body]).toEqual([404,
      { code: 'carrier_not_found', message: 'no carrier newcar' }]);
  });

  it('3b: two operators may give their carriers the same name', async () => {
    const aDeck = await api.call({ method: 'POST', csv: deckCsv('0.05'), key: keys.op,
      url: '/v1/rate-decks?name=a-carrier&currency=USD' });
    const mine = await api.call({ method: 'POST', url: '/v1/carriers', key: keys.op,
      json: { id: 'newcar', root_account_id: 'op', name: 'A New', rate_deck_id: aDeck.body['id'],
        gateway: 'sofia/gateway/a-new/' } });
    expect([mine.status, mine.body['id'], mine.body['root_account_id']], mine.text)
      .toEqual([200, 'newcar', 'op']);
    const byName = async (key: string) => (await api.call({ method: 'GET',
      url: '/v1/carriers/newcar', key })).body;
    expect(await byName(keys.op)).toMatchObject({ root_account_id: 'op', name: 'A New' });
    expect(await byName(keys.opB)).toMatchObject({ root_account_id: 'opB', name: 'New' });
    // The operator key names each in the namespace of the key that made it.
    const all = await api.call({ method: 'GET', url: '/v1/carriers' });
    expect((all.body['carriers'] as Array<{ id: string }>).map((carrier) => carrier.id))
      .toEqual(expect.arrayContaining(['op~newcar', 'opB~newcar']));
  });

  it('4: another tenant\'s session answers exactly like a missing one, naming no one', async () => {
    const started = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
      json: { session_id: 'a-live', account_id: 'cu1', caller: '1', callee: '4420',
        request_number: 0 } });
    expect(started.body['status'], started.text).toBe('granted');
    for (const [action, body] of [['update', { request_number: 1, used_seconds: 5 }],
      ['terminate', { request_number: 1, used_seconds: 5 }], ['kill', undefined]] as const) {
      const probe = async (sessionId: string) => api.call({ method: 'POST',
        url: `/v1/sessions/${sessionId}/${action}`, key: keys.opB,
        ...(body === undefined ? {} : { json: body }) });
      const foreign = await probe('a-live');
      const missing = await probe('a-nothing');
      expect([action, foreign.status, foreign.body]).toEqual([action, 404,
        { code: 'session_not_found', message: 'no session a-live' }]);
      expect([action, missing.status, missing.body['code']])
        .toEqual([action, 404, 'session_not_found']);
      expect(foreign.text).not.toContain('cu1');
    }
    const ended = await api.call({ method: 'POST', url: '/v1/sessions/a-live/terminate',
      key: world.keys.cu1, json: { request_number: 1, used_seconds: 5 } });
    expect(ended.body['status'], ended.text).toBe('terminated');
  });

  it('5: ids another tenant used first neither block nor bill the owner\'s own', async () => {
    const event = (key: string, accountId: string) => api.call({ method: 'POST',
      url: '/v1/events', key, json: { event_id: 'cdr-1001', account_id: accountId,
        caller: '1', callee: '4420', duration_seconds: 60 } });
    const first = await event(keys.cuB, 'cuB');
    expect(first.body['status'], first.text).toBe('charged');
    const cu1Before = await balanceOf('cu1');
    const own = await event(world.keys.cu1, 'cu1');
    expect([own.status, own.body['status'], own.body['event_id']])
      .toEqual([200, 'charged', 'cdr-1001']);
    expect(await balanceOf('cu1')).not.toEqual(cu1Before);
    // A retry is still the same event in its own tree: billed once.
    const retry = await event(world.keys.cu1, 'cu1');
    expect(retry.status).toBe(200);
    const cu1After = await balanceOf('cu1');
    expect(await balanceOf('cu1')).toEqual(cu1After);
    const session = (key: string, accountId: string) => api.call({ method: 'POST',
      url: '/v1/sessions', key, json: { session_id: 'call-7', account_id: accountId,
        caller: '1', callee: '4420', request_number: 0 } });
    expect((await session(keys.cuB, 'cuB')).body['status']).toBe('granted');
    const mine = await session(world.keys.cu1, 'cu1');
    expect([mine.status, mine.body['status'], mine.body['session_id']])
      .toEqual([200, 'granted', 'call-7']);
    for (const [key, accountId] of [[keys.opB, 'cuB'], [world.keys.rs, 'cu1']] as const) {
      const bundle = await api.call({ method: 'POST', url: `/v1/accounts/${accountId}/bundles`,
        key, json: { bundle_id: 'plan-2026-12', prefixes: ['44'], seconds: 600 } });
      expect([accountId, bundle.status, bundle.body['id']])
        .toEqual([accountId, 201, 'plan-2026-12']);
    }
    const listed = await api.call({ method: 'GET', url: '/v1/cdrs', key: world.keys.cu1 });
    const ids = (listed.body['cdrs'] as Array<{ session_id: string }>).map((cdr) => cdr.session_id);
    expect(ids).toContain('e:cdr-1001');
    expect(ids.some((id) => id.includes('~'))).toBe(false);
  });

  it('5b: account ids a tenant chooses live in its key\'s namespace', async () => {
    const create = (key: string, parent: string, id: string) => api.call({ method: 'POST',
      url: '/v1/accounts', key, json: { id, parent_id: parent, tier: 'admin', currency: 'USD',
        mode: 'postpaid', rate_deck_id: null } });
    const theirs = await create(keys.opB, 'opB', 'alice');
    const mine = await create(keys.op, 'op', 'alice');
    expect([theirs.status, theirs.body['id']]).toEqual([201, 'opB~alice']);
    expect([mine.status, mine.body['id']]).toEqual([201, 'op~alice']);
    // Nobody writes into another tenant's namespace, whatever it guesses.
    const intruder = await create(keys.opB, 'opB', 'op~bob');
    expect([intruder.status, intruder.body['code']]).toEqual([400, 'invalid_account_id']);
    const probe = await api.call({ method: 'GET', url: '/v1/accounts/op~alice', key: keys.opB });
    const ghost = await api.call({ method: 'GET', url: '/v1/accounts/op~ghost', key: keys.opB });
    expect([probe.status, probe.body['code']]).toEqual([ghost.status, ghost.body['code']]);
  });

  it('5c: sibling resellers of one operator neither block nor detect each other\'s ids', async () => {
    const create = (key: string, parent: string, id: string) => api.call({ method: 'POST',
      url: '/v1/accounts', key, json: { id, parent_id: parent, tier: 'customer',
        currency: 'USD', mode: 'prepaid', rate_deck_id: null } });
    const first = await create(world.keys.other, 'other', 'carol');
    const second = await create(world.keys.rs, 'rs', 'carol');
    // Both get the id they asked for, each in its own key's namespace: no 409 to learn from.
    expect([first.status, first.body['id']]).toEqual([201, 'other~carol']);
    expect([second.status, second.body['id']]).toEqual([201, 'rs~carol']);
    const again = await create(world.keys.rs, 'rs', 'carol');
    expect([again.status, again.body['code']]).toEqual([409, 'account_exists']);
    const probe = await api.call({ method: 'GET', url: '/v1/accounts/rs~carol',
      key: world.keys.other });
    const ghost = await api.call({ method: 'GET', url: '/v1/accounts/rs~ghost',
      key: world.keys.other });
    expect([probe.status, probe.body['code']]).toEqual([ghost.status, ghost.body['code']]);
    // The admin above both reaches each by its full id, and its own `carol` is a third one.
    const mine = await create(keys.op, 'rs', 'carol');
    expect([mine.status, mine.body['id']]).toEqual([201, 'op~carol']);
    const seen = await api.call({ method: 'GET', url: '/v1/accounts/other~carol', key: keys.op });
    expect([seen.status, seen.body['parent_id']]).toEqual([200, 'other']);
  });

  it('6: a customer sees neither its suppliers\' routes nor their finances', async () => {
    const routes = await api.call({ method: 'POST', url: '/v1/routes', key: world.keys.cu1,
      json: { account_id: 'cu1', callee: '4420' } });
    expect([routes.status, routes.body['code']]).toEqual([403, 'forbidden']);
    expect(Object.keys(routes.body).sort()).toEqual(['code', 'message']);
    // rs has 100.00 of credit; a postpaid customer with more than that cannot be paid for.
    const rich = await api.call({ method: 'POST', url: '/v1/accounts', key: world.keys.rs,
      json: { id: 'rich', parent_id: 'rs', tier: 'customer', currency: 'USD', mode: 'postpaid',
        credit_limit: '1000000.00', rate_deck_id: world.decks.retail } });
    expect(rich.status, rich.text).toBe(201);
    const richId = String(rich.body['id']);
    const richKey = await keyOf(richId);
    await api.call({ method: 'PATCH', url: '/v1/accounts/rs', json: { credit_limit: '0.00' } });
    const refused = await api.call({ method: 'POST', url: '/v1/sessions', key: richKey,
      json: { session_id: 'rich-1', account_id: richId, caller: '1', callee: '4420',
        request_number: 0 } });
    // The reseller's own key may learn that it is the one that cannot pay.
    const byReseller = await api.call({ method: 'POST', url: '/v1/sessions',
      key: world.keys.rs, json: { session_id: 'rich-2', account_id: richId, caller: '1',
        callee: '4420', request_number: 0 } });
    await api.call({ method: 'PATCH', url: '/v1/accounts/rs', json: { credit_limit: '100.00' } });
    expect(refused.status, refused.text).toBe(402);
    expect(refused.body).toMatchObject({ binding: 'upstream', account_id: null });
    expect(refused.text).not.toMatch(/\brs\b|\bad\b/);
    expect(byReseller.status, byReseller.text).toBe(402);
    expect(byReseller.body).toMatchObject({ code: refused.body['code'], binding: 'upstream',
      account_id: 'rs' });
  });
});
