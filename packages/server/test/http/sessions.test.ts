import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

let api: TestApi;
let world: World;
let sequence = 0;

beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
});
afterAll(async () => api.close());

const authorize = (accountId: string, key: string, callee = '442079460000') => {
  sequence += 1;
  const sessionId = `call-${sequence}`;
  return api.call({ method: 'POST', url: '/v1/sessions', key, json: { session_id: sessionId,
    account_id: accountId, caller: '15551230000', callee, request_number: 0 } });
};
const report = (action: 'update' | 'terminate', sessionId: string, key: string,
  requestNumber: number, usedSeconds: number) =>
  api.call({ method: 'POST', url: `/v1/sessions/${sessionId}/${action}`, key,
    json: { request_number: requestNumber, used_seconds: usedSeconds } });
const accountOf = async (id: string) =>
  (await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body;
const patch = (id: string, json: Record<string, unknown>) =>
  api.call({ method: 'PATCH', url: `/v1/accounts/${id}`, json });

describe('a call: authorize, update, terminate', () => {
  it('grants slices, commits what was used, and writes the CDR at 0.21 for 47 s', async () => {
    const granted = await authorize('cu1', world.keys.cu1);
    expect(granted.status).toBe(200);
    const sessionId = String(granted.body['session_id']);
    expect(granted.body).toMatchObject({ status: 'granted', request_number: 0,
      granted_seconds: 60, final: false, used_seconds: 0, cost: '0.00', currency: 'USD',
      hangup_at: '2026-11-30T12:01:00Z' });
    const reserved = await accountOf('cu1');
    expect(reserved).toMatchObject({ balance: '10.00', reserved: '0.25' });
    const updated = await report('update', sessionId, world.keys.cu1, 1, 30);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ status: 'granted', request_number: 1,
      used_seconds: 30, cost: '0.15' });
    // The reseller names its customer's call in the customer key's namespace.
    const live = await api.call({ method: 'GET', url: '/v1/sessions', key: world.keys.rs });
    expect((live.body['sessions'] as Array<{ session_id: string }>)
      .map((session) => session.session_id)).toEqual([`cu1~${sessionId}`]);
    const own = await api.call({ method: 'GET', url: '/v1/sessions', key: world.keys.cu1 });
    expect((own.body['sessions'] as Array<{ session_id: string }>)
      .map((session) => session.session_id)).toEqual([sessionId]);
    const ended = await report('terminate', sessionId, world.keys.cu1, 2, 47);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'terminated', request_number: 2,
      used_seconds: 47, billed_seconds: 48, cost: '0.21', currency: 'USD',
      cdr_id: expect.any(String) });
    expect(await accountOf('cu1')).toMatchObject({ balance: '9.79', reserved: '0.00' });
    // The reseller's main book owes the admin its wholesale price; the retail price went to its
    // revenue book.
    expect(await accountOf('rs')).toMatchObject({ balance: '-0.12' });
    const none = await api.call({ method: 'GET', url: '/v1/sessions', key: world.keys.rs });
    expect(none.body['sessions']).toEqual([]);
  });
  it('answers a retransmission with the stored answer and moves money once', async () => {
    const first = await authorize('cu2', world.keys.rs);
    const sessionId = String(first.body['session_id']);
    const again = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.rs,
      json: { session_id: sessionId, account_id: 'cu2', caller: '15551230000',
        callee: '442079460000', request_number: 0 } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await accountOf('cu2')).toMatchObject({ reserved: '0.25' });
    const update = await report('update', sessionId, world.keys.rs, 1, 40);
    const repeat = await report('update', sessionId, world.keys.rs, 1, 40);
    expect(repeat.body).toEqual(update.body);
    const end = await report('terminate', sessionId, world.keys.rs, 2, 40);
    const endAgain = await report('terminate', sessionId, world.keys.rs, 2, 40);
    expect(endAgain.status).toBe(200);
    expect(endAgain.body).toEqual(end.body);
    expect(await accountOf('cu2')).toMatchObject({ balance: '-0.19', reserved: '0.00' });
  });
});

describe('a call: sequence and input errors', () => {
  it('refuses an out-of-order request number with 409 request_out_of_order', async () => {
    const granted = await authorize('cu1', world.keys.cu1);
    const sessionId = String(granted.body['session_id']);
    const skipped = await report('update', sessionId, world.keys.cu1, 5, 10);
    expect([skipped.status, skipped.body['code']]).toEqual([409, 'request_out_of_order']);
    const zero = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
      json: { session_id: 'starts-at-one', account_id: 'cu1', caller: '1',
        callee: '4420', request_number: 1 } });
    expect([zero.status, zero.body['code']]).toEqual([409, 'request_out_of_order']);
    await report('terminate', sessionId, world.keys.cu1, 1, 10);
  });
  it('refuses negative or decreasing used_seconds, and an unknown session', async () => {
    const granted = await authorize('cu1', world.keys.cu1);
    const sessionId = String(granted.body['session_id']);
    const negative = await report('update', sessionId, world.keys.cu1, 1, -5);
    expect([negative.status, negative.body['code']]).toEqual([400, 'invalid_used_seconds']);
    expect((await report('update', sessionId, world.keys.cu1, 1, 20)).status).toBe(200);
    const decreased = await report('update', sessionId, world.keys.cu1, 2, 10);
    expect([decreased.status, decreased.body['code']]).toEqual([409, 'used_seconds_decreased']);
    const unknown = await report('update', 'no-such-call', world.keys.cu1, 1, 10);
    expect([unknown.status, unknown.body['code']]).toEqual([404, 'session_not_found']);
    // Another tenant's session answers exactly like a missing one.
    const foreign = await report('update', sessionId, world.keys.other, 2, 30);
    expect([foreign.status, foreign.body]).toEqual([404,
      { code: 'session_not_found', message: `no session ${sessionId}` }]);
    const closed = await report('terminate', sessionId, world.keys.cu1, 2, 20);
    expect(closed.status).toBe(200);
    const afterEnd = await report('update', sessionId, world.keys.cu1, 3, 30);
    expect([afterEnd.status, afterEnd.body['code']]).toEqual([409, 'session_closed']);
  });
});

describe('refusals: the precise status and its HTTP code', () => {
  it('402 insufficient_funds for an empty prepaid account', async () => {
    // Made by the operator key: its ids are the names the rest of the test uses.
    await api.call({ method: 'POST', url: '/v1/accounts',
      json: { id: 'empty', parent_id: 'rs', tier: 'customer', mode: 'prepaid', currency: 'USD',
        rate_deck_id: world.decks.retail } });
    const refused = await authorize('empty', world.keys.rs);
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ status: 'insufficient_funds',
      code: 'insufficient_funds', account_id: 'empty', request_number: 0,
      session_id: expect.any(String), message: expect.any(String) });
    expect(await accountOf('empty')).toMatchObject({ balance: '0.00', reserved: '0.00' });
  });
  it('402 credit, daily and monthly limits; 403 suspended, no rate, concurrent calls',
    async () => {
      await api.call({ method: 'POST', url: '/v1/accounts',
        json: { id: 'lim', parent_id: 'rs', tier: 'customer', mode: 'postpaid',
          currency: 'USD', rate_deck_id: world.decks.retail, credit_limit: '0.10' } });
      const expectRefusal = async (status: number, code: string, callee?: string) => {
        const refused = await authorize('lim', world.keys.rs, callee);
        expect([code, refused.status, refused.body['status'], refused.body['code']])
          .toEqual([code, status, code, code]);
      };
      await expectRefusal(402, 'credit_limit_reached');
      await patch('lim', { credit_limit: '50.00', daily_limit: '0.10' });
      await expectRefusal(402, 'daily_limit_reached');
      await patch('lim', { daily_limit: null, monthly_limit: '0.10' });
      await expectRefusal(402, 'monthly_limit_reached');
      await patch('lim', { monthly_limit: null, concurrent_calls_max: 1 });
      await expectRefusal(403, 'no_rate', '999123');
      const first = await authorize('lim', world.keys.rs);
      expect(first.status).toBe(200);
      await expectRefusal(403, 'concurrent_calls_limit');
      await report('terminate', String(first.body['session_id']), world.keys.rs, 1, 0);
      await api.call({ method: 'POST', url: '/v1/accounts/lim/suspend', key: world.keys.rs });
      await expectRefusal(403, 'account_suspended');
      expect(await accountOf('lim')).toMatchObject({ balance: '0.00', reserved: '0.00' });
    });
  it('404 account_not_found for an account that does not exist', async () => {
    const refused = await authorize('ghost', world.keys.rs);
    expect([refused.status, refused.body['code']]).toEqual([404, 'account_not_found']);
    const operator = await api.call({ method: 'POST', url: '/v1/sessions', json: {
      session_id: 'op-ghost', account_id: 'ghost', caller: '1', callee: '4420',
      request_number: 0 } });
    expect([operator.status, operator.body['code']]).toEqual([404, 'account_not_found']);
  });
  it('answers a refused session\'s retransmission with the same refusal', async () => {
    const refused = await authorize('empty', world.keys.rs);
    const again = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.rs,
      json: { session_id: refused.body['session_id'], account_id: 'empty',
        caller: '15551230000', callee: '442079460000', request_number: 0 } });
    expect([again.status, again.body]).toEqual([402, refused.body]);
  });
});

describe('events and CDRs', () => {
  it('charges a one-shot event once, and refuses what cannot be rated', async () => {
    // CDRs carry their end time: the event is charged an hour after the calls above.
    api.clock.advanceMs(3_600_000);
    const event = { event_id: 'ev-1', account_id: 'cu1', caller: '15551230000',
      callee: '4930123456', duration_seconds: 47, started_at: '2026-11-30T11:00:00Z' };
    const charged = await api.call({ method: 'POST', url: '/v1/events', key: world.keys.cu1,
      json: event });
    expect(charged.status).toBe(200);
    expect(charged.body).toMatchObject({ status: 'charged', event_id: 'ev-1',
      billed_seconds: 48, cost: '0.21', currency: 'USD' });
    const again = await api.call({ method: 'POST', url: '/v1/events', key: world.keys.cu1,
      json: event });
    expect(again.body).toEqual(charged.body);
    const noRate = await api.call({ method: 'POST', url: '/v1/events', key: world.keys.cu1,
      json: { ...event, event_id: 'ev-2', callee: '999' } });
    expect([noRate.status, noRate.body['status']]).toEqual([403, 'no_rate']);
    const badTime = await api.call({ method: 'POST', url: '/v1/events', key: world.keys.cu1,
      json: { ...event, event_id: 'ev-3', started_at: 'yesterday' } });
    expect([badTime.status, badTime.body['code'], badTime.body['column']])
      .toEqual([400, 'invalid_instant', 'started_at']);
  });
  it('lists CDRs of a subtree with filters and pages, as JSON or CSV', async () => {
    const mine = await api.call({ method: 'GET', url: '/v1/cdrs', key: world.keys.cu1 });
    expect(mine.status).toBe(200);
    const cdrs = mine.body['cdrs'] as Array<Record<string, unknown>>;
    expect(cdrs.length).toBeGreaterThanOrEqual(3);
    expect(cdrs.every((cdr) => cdr['account_id'] === 'cu1')).toBe(true);
    const event = cdrs.find((cdr) => cdr['session_id'] === 'e:ev-1' ||
      cdr['disposition'] === 'event');
    // A customer sees its own level only: what its suppliers pay upward is theirs.
    expect((event?.['levels'] as Array<{ account_id: string }>).map((level) => level.account_id))
      .toEqual(['cu1']);
    const reseller = await api.call({ method: 'GET', url: '/v1/cdrs?customer_id=cu2',
      key: world.keys.rs });
    expect((reseller.body['cdrs'] as Array<{ account_id: string }>)
      .every((cdr) => cdr.account_id === 'cu2')).toBe(true);
    const page = await api.call({ method: 'GET', url: '/v1/cdrs?limit=1', key: world.keys.rs });
    expect((page.body['cdrs'] as unknown[]).length).toBe(1);
    const next = String(page.body['next_after']);
    const second = await api.call({ method: 'GET', url: `/v1/cdrs?limit=1&after=${next}`,
      key: world.keys.rs });
    expect((second.body['cdrs'] as Array<{ id: string }>)[0]?.id > next).toBe(true);
    const window = await api.call({ method: 'GET', key: world.keys.rs,
      url: '/v1/cdrs?from=2026-11-30T12:30:00Z&to=2026-11-30T13:30:00Z' });
    expect((window.body['cdrs'] as unknown[]).length).toBe(1);
    const csv = await api.call({ method: 'GET', url: '/v1/cdrs?format=csv&limit=2',
      key: world.keys.rs });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\n');
    expect(lines[0]).toBe('id,session_id,account_id,caller,callee,started_at,ended_at,' +
      'used_seconds,billed_seconds,bundle_seconds,cost,currency,disposition,' +
      'own_price,own_price_currency,own_cost,own_cost_currency,own_margin');
    expect(lines).toHaveLength(3);
    expect(csv.headers['x-next-after']).toEqual(expect.any(String));
    // Accept: text/csv asks for the same; format=json (or JSON weighted higher) keeps JSON.
    const accepted = await api.call({ method: 'GET', url: '/v1/cdrs?limit=2',
      key: world.keys.rs, headers: { accept: 'text/csv' } });
    expect([accepted.headers['content-type'], accepted.text]).toEqual([csv.headers['content-type'],
      csv.text]);
    for (const [url, accept] of [['/v1/cdrs?limit=2&format=json', 'text/csv'],
      ['/v1/cdrs?limit=2', 'application/json, text/csv;q=0.5'], ['/v1/cdrs?limit=2', '*/*']]) {
      const json = await api.call({ method: 'GET', url: url!, key: world.keys.rs,
        headers: { accept: accept! } });
      expect(String(json.headers['content-type'])).toMatch(/^application\/json/);
    }
    const operator = await api.call({ method: 'GET', url: '/v1/cdrs' });
    expect([operator.status, operator.body['code']]).toEqual([400, 'scope_required']);
    const badFrom = await api.call({ method: 'GET', url: '/v1/cdrs?from=noon',
      key: world.keys.rs });
    expect([badFrom.status, badFrom.body['column']]).toEqual([400, 'from']);
  });
});

describe('a call: requested_seconds', () => {
  it('grants at most what the switch asks for; zero or absurd asks are 400', async () => {
    const sessionId = 'asks-12';
    const ask = (requested: unknown) => api.call({ method: 'POST', url: '/v1/sessions',
      key: world.keys.cu1, json: { session_id: sessionId, account_id: 'cu1',
        caller: '15551230000', callee: '442079460000', request_number: 0,
        requested_seconds: requested } });
    const reservedBefore = (await accountOf('cu1'))['reserved'];
    for (const requested of [0, -3, 4 * 3600 + 1]) {
      const refused = await ask(requested);
      expect([refused.status, refused.body['code']]).toEqual([400,
        'invalid_requested_seconds']);
    }
    expect((await accountOf('cu1'))['reserved']).toBe(reservedBefore);
    const granted = await ask(12);
    expect(granted.body).toMatchObject({ status: 'granted', granted_seconds: 12, final: false });
    const update = (requested: number) => api.call({ method: 'POST', key: world.keys.cu1,
      url: `/v1/sessions/${sessionId}/update`,
      json: { request_number: 1, used_seconds: 12, requested_seconds: requested } });
    const zero = await update(0);
    expect([zero.status, zero.body['code']]).toEqual([400, 'invalid_requested_seconds']);
    const next = await update(5);
    expect(next.body).toMatchObject({ status: 'granted', request_number: 1, granted_seconds: 5 });
    expect((await update(7)).body).toEqual(next.body);
    expect((await report('terminate', sessionId, world.keys.cu1, 2, 15)).status).toBe(200);
  });
});
