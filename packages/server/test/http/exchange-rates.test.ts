import { afterEach, describe, expect, it } from 'vitest';
import { auditRows } from '../audit/audit-raw-sql.ts';
import { openTestApi, seedWorld, testStartMs, type TestApi } from './http-fixture.ts';

let api: TestApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('exchange rates over the API (issue 21)', () => {
  it('sets rates from now on, keeps their history, and refuses to rewrite it', async () => {
    api = await openTestApi('sqlite');
    const set = (json: Record<string, unknown>, key?: string) => api!.call({ method: 'POST',
      url: '/v1/exchange-rates', json, ...(key === undefined ? {} : { key }) });
    const first = await set({ from: 'EUR', to: 'USD', rate: '1.0845' });
    expect([first.status, first.body]).toEqual([201, { from: 'EUR', to: 'USD', rate: '1.0845',
      valid_from: iso(testStartMs), valid_until: null, in_force: true }]);
    const nextDayMs = testStartMs + 86_400_000;
    const later = await set({ from: 'EUR', to: 'USD', rate: '1.1', valid_from: iso(nextDayMs) });
    expect([later.status, later.body['in_force']]).toEqual([201, false]);
    const list = await api.call({ method: 'GET', url: '/v1/exchange-rates?from=EUR&to=USD' });
    expect(list.body).toEqual({ next_after: null, exchange_rates: [
      { from: 'EUR', to: 'USD', rate: '1.0845', valid_from: iso(testStartMs),
        valid_until: iso(nextDayMs), in_force: true },
      { from: 'EUR', to: 'USD', rate: '1.1', valid_from: iso(nextDayMs), valid_until: null,
        in_force: false }] });
    // A day is accepted where a day is meant: from its start, UTC.
    const day = await set({ from: 'GBP', to: 'USD', rate: '1.27', valid_from: '2026-12-25' });
    expect(day.body['valid_from']).toBe('2026-12-25T00:00:00Z');
    // What was in force is history: neither replaced nor back-dated.
    const rewrite = await set({ from: 'EUR', to: 'USD', rate: '2', valid_from: '2026-01-01' });
    expect([rewrite.status, rewrite.body['code']]).toEqual([409, 'exchange_rate_history']);
    const bad = await set({ from: 'EUR', to: 'USD', rate: '1,08' });
    expect([bad.status, bad.body['code']]).toEqual([400, 'invalid_exchange_rate']);
    const same = await set({ from: 'USD', to: 'USD', rate: '1' });
    expect(same.status).toBe(400);
    // Paged by (from, to, valid from).
    const page = await api.call({ method: 'GET', url: '/v1/exchange-rates?limit=2' });
    expect(page.body['next_after']).toBe(`EUR:USD:${nextDayMs}`);
    const rest = await api.call({ method: 'GET',
      url: `/v1/exchange-rates?limit=2&after=${String(page.body['next_after'])}` });
    expect((rest.body['exchange_rates'] as Array<{ from: string }>).map((rate) => rate.from))
      .toEqual(['GBP']);
    // Recorded in the audit trail, as the operator's own change (no account's tree).
    const audit = JSON.stringify(await auditRows(api));
    expect(audit).toContain(`EUR:USD:${testStartMs}`);
    expect(audit).toContain('exchange_rate_set');
  });

  it('is the operator\'s: a tenant key is refused', async () => {
    api = await openTestApi('sqlite');
    const world = await seedWorld(api);
    const post = await api.call({ method: 'POST', url: '/v1/exchange-rates', key: world.keys.rs,
      json: { from: 'EUR', to: 'USD', rate: '1.08' } });
    expect([post.status, post.body['code']]).toEqual([403, 'forbidden']);
    const list = await api.call({ method: 'GET', url: '/v1/exchange-rates', key: world.keys.rs });
    expect(list.status).toBe(403);
  });

  it('lets a EUR customer buy from a USD reseller\'s deck once the rate is set', async () => {
    api = await openTestApi('sqlite');
    const world = await seedWorld(api);
    // The reseller sells its USD retail deck (0.20 a minute, 30/6, 0.05 connect) to a EUR
    // customer: the price is converted to EUR at the rate in force when the call starts.
    const customer = await api.call({ method: 'POST', url: '/v1/accounts', json: { id: 'eu1',
      parent_id: 'rs', tier: 'customer', currency: 'EUR', mode: 'prepaid',
      rate_deck_id: world.decks.retail } });
    expect(customer.status).toBe(201);
    await api.call({ method: 'POST', url: '/v1/accounts/eu1/topups',
      json: { amount: '10.00', reference: 'eur-topup' } });
    const call = (sessionId: string) => api!.call({ method: 'POST', url: '/v1/sessions',
      json: { session_id: sessionId, account_id: 'eu1', caller: '33140000000',
        callee: '442079460000', request_number: 0 } });
    const refused = await call('eur-1');
    expect([refused.status, refused.body['code']]).toEqual([403, 'exchange_rate_not_found']);
    expect(refused.body['message']).toContain('USD -> EUR');
    expect((await api.call({ method: 'POST', url: '/v1/exchange-rates',
      json: { from: 'USD', to: 'EUR', rate: '0.9' } })).status).toBe(201);
    const granted = await call('eur-2');
    expect([granted.status, granted.body['status']]).toEqual([200, 'granted']);
    const ended = await api.call({ method: 'POST', url: '/v1/sessions/eur-2/terminate',
      json: { request_number: 1, used_seconds: 30 } });
    expect(ended.status).toBe(200);
    const cdrs = await api.call({ method: 'GET', url: '/v1/cdrs?account_id=rs' });
    const [cdr] = cdrs.body['cdrs'] as Array<{ levels: Array<Record<string, string>> }>;
    // 30 s: 0.10 + 0.05 connect = 0.15 USD, at 0.9: 0.135 EUR, rounded once to the deck's 4
    // decimals; the reseller pays its own USD deck.
    expect(cdr!.levels[0]).toMatchObject({ account_id: 'eu1', currency: 'EUR' });
    expect(cdr!.levels[1]).toMatchObject({ account_id: 'rs', currency: 'USD' });
    expect(['0.135', '0.1350']).toContain(cdr!.levels[0]!['cost']);
  });
});
