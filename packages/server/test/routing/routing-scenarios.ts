import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestApi,
  seedWorld,
  type StoreKind,
  type TestApi,
  type World,
} from '../http/http-fixture.ts';

/**
 * Carrier decks (USD) for calls to 44..., chosen so that the per-minute order (a, c, b) is not
 * the full-cost order: a has the lowest rate but a connect fee, c a cheap rate in whole minutes.
 * For 60 s: c 0.07, b 0.08, a 0.09 (0.06 + 0.03), d 0.15 (more than the 0.12 the root sells
 * the call for to `ad`). For 61 s: b 0.0813; a 0.15, c 0.14 and d are then loss-making against
 * the root's 0.132 (30/6 blocks: 66 billed seconds at 0.12).
 */
const carrierDecks = {
  a: { rate: '0.06', fee: '0.03', first: 60, next: 60 },
  b: { rate: '0.08', fee: '0', first: 1, next: 1 },
  c: { rate: '0.07', fee: '0', first: 60, next: 60 },
  d: { rate: '0.15', fee: '0', first: 1, next: 1 },
} as const;



interface Context {
  api: TestApi;
  world: World;
}

const callee = '442079460000';

async function routes(context: Context, body: Record<string, unknown>) {
  return context.api.call({ method: 'POST', url: '/v1/routes',
    json: { account_id: 'cu1', callee, ...body } });
}

async function routeOrder(context: Context, body: Record<string, unknown> = {}) {
  const response = await routes(context, body);
  expect(response.status, response.text).toBe(200);
  return (response.body['routes'] as Array<{ carrier_id: string }>).map((r) => r.carrier_id);
}

/** A carrier's accrual account is an internal id (routing-service.ts): read it from the API. */
async function carrierRevenue(context: Context, carrierId: string) {
  const carrier = await context.api.call({ method: 'GET', url: `/v1/carriers/${carrierId}` });
  expect(String(carrier.body['account_id'])).toMatch(/^_carrier\.[0-9a-f]{32}$/);
  return revenueOf(context, String(carrier.body['account_id']));
}

async function revenueOf(context: Context, accountId: string) {
  const response = await context.api.call({ method: 'GET', url: `/v1/accounts/${accountId}` });
  return response.body['revenue'];
}

export function describeRouting(kind: StoreKind): void {
  const context = {} as Context;
  let sessions = 0;
  const sessionId = () => `route-${kind}-${(sessions += 1)}`;
  // The operator's switch charges with the operator's key: the grant names the carrier and
  // gateway to route to, which a customer's key is never shown.
  const authorize = async (json: Record<string, unknown> = {}) => {
    const id = sessionId();
    const response = await context.api.call({ method: 'POST', url: '/v1/sessions',
      json: { session_id: id, account_id: 'cu1', caller: '1555',
        callee, request_number: 0, ...json } });
    return { id, response };
  };
  const terminate = (id: string, usedSeconds: number) => context.api.call({ method: 'POST',
    url: `/v1/sessions/${id}/terminate`,
    json: { request_number: 1, used_seconds: usedSeconds } });

  describe(`least-cost routing on ${kind}`, () => {
    beforeAll(async () => {
      context.api = await openTestApi(kind, { qualityAttemptsMin: 3, qualityAsrMinBp: 5_000,
        qualityCoolDownMs: 60_000 });
      context.world = await seedWorld(context.api);
      for (const [name, deck] of Object.entries(carrierDecks)) {
        const csv = ['prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
          `44,United Kingdom,${deck.rate},${deck.fee},${deck.first},${deck.next}`].join('\n');
        const upload = await context.api.call({ method: 'POST', csv,
          url: `/v1/rate-decks?name=carrier-${name}&currency=USD&owner_id=op` });
        expect(upload.status, upload.text).toBe(201);
        const created = await context.api.call({ method: 'POST', url: '/v1/carriers',
          json: { id: name, root_account_id: 'op', name: `Carrier ${name}`,
            rate_deck_id: upload.body['id'], gateway: `sofia/gateway/${name}/` } });
        expect(created.status, created.text).toBe(200);
      }
    });
    afterAll(async () => context.api?.close());

    it('orders carriers by the full cost of the call, not the per-minute rate', async () => {
      const response = await routes(context, {});
      expect(response.body['routes']).toMatchObject([
        { carrier_id: 'c', cost: '0.07', margin: '0.05', loss: false },
        { carrier_id: 'b', cost: '0.08', margin: '0.04' },
        { carrier_id: 'a', cost: '0.09', margin: '0.03', gateway: 'sofia/gateway/a/' }]);
      expect(response.body['dropped']).toEqual([{ carrier_id: 'd', reason: 'loss_making' }]);
      // One second more: c's and a's whole-minute blocks now cost more than the call sells for.
      expect(await routeOrder(context, { expected_duration_s: 61 })).toEqual(['b']);
    });

    it('routes an authorize to the first route and settles the carrier cost', async () => {
      const { id, response } = await authorize();
      expect(response.body).toMatchObject({ status: 'granted',
        route: { carrier_id: 'c', gateway: 'sofia/gateway/c/', prefix: '44' } });
      const ended = await terminate(id, 47);
      expect(ended.body).toMatchObject({ status: 'terminated', cost: '0.21' });
      const cdrs = await context.api.call({ method: 'GET', url: '/v1/cdrs?account_id=op' });
      const cdr = (cdrs.body['cdrs'] as Array<Record<string, unknown>>)
        .find((entry) => entry['session_id'] === id)!;
      expect(cdr['carrier']).toEqual({ carrier_id: 'c', prefix: '44', cost: '0.07',
        currency: 'USD', billed_seconds: 60 });
      // The root's level is what the carrier charges; the carrier's account accrues it.
      expect((cdr['levels'] as Array<Record<string, unknown>>).at(-1)).toMatchObject(
        { account_id: 'op', cost: '0.07' });
      expect(await carrierRevenue(context, 'c')).toEqual([{ currency: 'USD',
        balance: '0.07' }]);
      const tenantView = await context.api.call({ method: 'GET', url: '/v1/cdrs',
        key: context.world.keys.cu1 });
      const own = (tenantView.body['cdrs'] as Array<Record<string, unknown>>)
        .find((entry) => entry['session_id'] === id)!;
      expect(own['carrier']).toBeNull();
      // Nor the levels above it: the customer sees its own price only.
      expect((own['levels'] as Array<Record<string, unknown>>).map((level) =>
        level['account_id'])).toEqual(['cu1']);
    });

    it('takes the carrier the switch names, and refuses a loss-making one', async () => {
      const named = await authorize({ carrier_id: 'b' });
      expect(named.response.body).toMatchObject({ route: { carrier_id: 'b' } });
      expect((await terminate(named.id, 30)).status).toBe(200);
      expect(await carrierRevenue(context, 'b')).toEqual([{ currency: 'USD',
        balance: '0.04' }]);
      const dear = await authorize({ carrier_id: 'd' });
      expect([dear.response.status, dear.response.body['code']]).toEqual([403, 'no_route']);
      expect(String(dear.response.body['message'])).toContain('loss_making');
      const replay = await context.api.call({ method: 'POST', url: '/v1/sessions',
        json: { session_id: dear.id, account_id: 'cu1',
          caller: '1555', callee, request_number: 0, carrier_id: 'd' } });
      expect(replay.body).toEqual(dear.response.body);
    });

    it('skips a carrier at its concurrent-call cap', async () => {
      const capped = await context.api.call({ method: 'PATCH', url: '/v1/carriers/c',
        json: { concurrent_calls_max: 1 } });
      expect(capped.body).toMatchObject({ concurrent_calls_max: 1 });
      const first = await authorize();
      expect(first.response.body).toMatchObject({ route: { carrier_id: 'c' } });
      const second = await authorize();
      expect(second.response.body).toMatchObject({ route: { carrier_id: 'b' } });
      const listed = await routes(context, {});
      expect(listed.body['dropped']).toContainEqual({ carrier_id: 'c', reason: 'at_capacity' });
      await terminate(first.id, 10);
      await terminate(second.id, 10);
      expect(await routeOrder(context)).toEqual(['c', 'b', 'a']);
      await context.api.call({ method: 'PATCH', url: '/v1/carriers/c',
        json: { concurrent_calls_max: null } });
    });

    it('takes a carrier out after failed calls and brings it back after the cool-down', async () => {
      for (let call = 0; call < 3; call += 1) {
        const { id, response } = await authorize();
        expect(response.body).toMatchObject({ route: { carrier_id: 'c' } });
        // Not answered: the switch reports 0 seconds (and how long it waited for a ring).
        const ended = await context.api.call({ method: 'POST',
          url: `/v1/sessions/${id}/terminate`, key: context.world.keys.cu1,
          json: { request_number: 1, used_seconds: 0, pdd_ms: 3_000 + call * 1_000 } });
        expect(ended.status, ended.text).toBe(200);
      }
      expect(await routeOrder(context)).toEqual(['b', 'a']);
      const quality = await context.api.call({ method: 'GET', url: '/v1/carriers/c/quality' });
      // Two earlier calls were answered: 2 of 5 is 40 %, under the 50 % set for this test.
      expect(quality.body['prefixes']).toMatchObject([{ prefix: '44', attempts: 5,
        answered: 2, asr_bp: 4_000, failures: 3, pdd_ms: 4_000 }]);
      expect((await authorize()).response.body).toMatchObject({ route: { carrier_id: 'b' } });
      context.api.clock.advanceMs(61_000);
      expect(await routeOrder(context)).toEqual(['c', 'b', 'a']);
    });

    it('applies route plans: pins and blocks', async () => {
      const pin = await context.api.call({ method: 'POST', url: '/v1/route-rules',
        key: context.world.keys.rs,
        json: { account_id: 'rs', prefix: '44', carrier_id: 'a', action: 'pin' } });
      expect(pin.status, pin.text).toBe(200);
      expect(await routeOrder(context)).toEqual(['a']);
      const removed = await context.api.call({ method: 'DELETE', key: context.world.keys.rs,
        url: '/v1/route-rules?account_id=rs&prefix=44&carrier_id=a' });
      expect(removed.status).toBe(204);
      await context.api.call({ method: 'POST', url: '/v1/route-rules',
        json: { account_id: 'op', prefix: '4420', carrier_id: 'c', action: 'block' } });
      expect(await routeOrder(context)).toEqual(['b', 'a']);
      await context.api.call({ method: 'DELETE',
        url: '/v1/route-rules?account_id=op&prefix=4420&carrier_id=c' });
    });

    it('allows loss-making routes only under the operator\'s named policy', async () => {
      const byReseller = await context.api.call({ method: 'PUT',
        url: '/v1/accounts/rs/routing-policy', key: context.world.keys.rs,
        json: { strategy: 'least_cost', margin_policy: 'allow_loss' } });
      expect([byReseller.status, byReseller.body['code']]).toEqual([403, 'forbidden']);
      const byOperator = await context.api.call({ method: 'PUT',
        url: '/v1/accounts/rs/routing-policy',
        json: { strategy: 'priority', margin_policy: 'allow_loss' } });
      expect(byOperator.status, byOperator.text).toBe(200);
      await context.api.call({ method: 'PATCH', url: '/v1/carriers/a', json: { priority: 1 } });
      await context.api.call({ method: 'PATCH', url: '/v1/carriers/d', json: { priority: 0 } });
      const listed = await routes(context, {});
      // Profitable carriers first in the policy's order (priority 0 before 1, then cost); the
      // loss-making one last, whatever its priority.
      expect(listed.body['routes']).toMatchObject([{ carrier_id: 'c' }, { carrier_id: 'b' },
        { carrier_id: 'a' }, { carrier_id: 'd', loss: true, margin: '-0.03' }]);
      await context.api.call({ method: 'PUT', url: '/v1/accounts/rs/routing-policy',
        json: { strategy: 'least_cost', margin_policy: 'protect' } });
    });

    it('says why there is no route, and rejects bad input', async () => {
      const noRate = await routes(context, { callee: '4930123' });
      expect([noRate.status, noRate.body['code']]).toEqual([403, 'no_route']);
      expect(String(noRate.body['message'])).toContain('no_rate');
      await context.api.call({ method: 'POST', url: '/v1/route-rules',
        json: { account_id: 'op', prefix: '44', carrier_id: 'b', action: 'block' } });
      const allLoss = await routes(context, { expected_duration_s: 61 });
      expect(allLoss.status, allLoss.text).toBe(403);
      expect(String(allLoss.body['message'])).toContain('all_loss_making');
      await context.api.call({ method: 'DELETE',
        url: '/v1/route-rules?account_id=op&prefix=44&carrier_id=b' });
      const unknown = await context.api.call({ method: 'POST', url: '/v1/routes',
        json: { account_id: 'nobody', callee } });
      expect([unknown.status, unknown.body['code']]).toEqual([404, 'account_not_found']);
      const badDuration = await routes(context, { expected_duration_s: 0 });
      expect(badDuration.body['code']).toBe('invalid_expected_duration');
      const badCallee = await routes(context, { callee: '44-20' });
      expect(badCallee.body['code']).toBe('invalid_number');
      const noDeck = await context.api.call({ method: 'POST', url: '/v1/carriers',
        json: { id: 'e', root_account_id: 'op', name: 'E', rate_deck_id: 'missing',
          gateway: 'x' } });
      expect([noDeck.status, noDeck.body['code']]).toEqual([404, 'rate_deck_not_found']);
      const badGateway = await context.api.call({ method: 'POST', url: '/v1/carriers',
        json: { id: 'e', root_account_id: 'op', name: 'E',
          rate_deck_id: context.world.decks.carrier, gateway: 'a\u0001b' } });
      expect(badGateway.body['code']).toBe('invalid_carrier');
      const notRoot = await context.api.call({ method: 'POST', url: '/v1/carriers',
        json: { id: 'e', root_account_id: 'ad', name: 'E',
          rate_deck_id: context.world.decks.carrier, gateway: 'x' } });
      expect(notRoot.body['code']).toBe('invalid_carrier');
      const byTenant = await context.api.call({ method: 'POST', url: '/v1/carriers',
        key: context.world.keys.rs, json: { id: 'e', root_account_id: 'op', name: 'E',
          rate_deck_id: context.world.decks.carrier, gateway: 'x' } });
      // A reseller cannot see its root: the same answer as for an account that does not exist.
      expect([byTenant.status, byTenant.body['code']]).toEqual([404, 'account_not_found']);
      const twice = await context.api.call({ method: 'POST', url: '/v1/carriers',
        json: { id: 'a', root_account_id: 'op', name: 'A again',
          rate_deck_id: context.world.decks.carrier, gateway: 'x' } });
      expect([twice.status, twice.body['code']]).toEqual([409, 'carrier_exists']);
    });

    it('hands the route to the operator\'s key only, not to a customer\'s', async () => {
      // Last: this call counts in the carriers' quality figures the tests above check.
      const byCustomer = await context.api.call({ method: 'POST', url: '/v1/sessions',
        key: context.world.keys.cu1, json: { session_id: sessionId(), account_id: 'cu1',
          caller: '1555', callee, request_number: 0 } });
      expect(byCustomer.body['status'], byCustomer.text).toBe('granted');
      expect(byCustomer.body).not.toHaveProperty('route');
      const listed = await routes(context, {});
      expect(listed.status).toBe(200);
      const hidden = await context.api.call({ method: 'POST', url: '/v1/routes',
        key: context.world.keys.cu1, json: { account_id: 'cu1', callee } });
      expect([hidden.status, hidden.body['code']]).toEqual([403, 'forbidden']);
      expect(hidden.text).not.toContain('gateway');
    });

    it('keeps the ledger consistent', async () => {
      const report = await context.api.services.ledger.verifyLedger();
      expect(report.ok && report.value.findingCount).toBe(0);
    });
  });
}

