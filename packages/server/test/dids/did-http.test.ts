import { afterEach, describe, expect, it } from 'vitest';
import { runDidFees } from '@tollgate/core';
import { deckCsv, openTestApi, type ApiRequest, type TestApi } from '../http/http-fixture.ts';

/**
 * The DID routes over real HTTP (inject) and a real SQLite store: import, assignment down the
 * tree, what each key sees, the switch's lookup, an inbound call through the API, release.
 */
let api: TestApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

async function must(request: ApiRequest, status: number) {
  const response = await api!.call(request);
  expect(response.status, `${request.method} ${request.url}: ${response.text}`).toBe(status);
  return response;
}

async function seed() {
  api = await openTestApi('sqlite', { didQuarantineDays: 0 });
  const tree = [['op', null, 'super_admin'], ['res', 'op', 'admin'],
    ['cust', 'res', 'reseller'], ['other', null, 'super_admin']] as const;
  for (const [id, parent, tier] of tree) {
    await must({ method: 'POST', url: '/v1/accounts', json: { id, parent_id: parent, tier,
      currency: 'USD', mode: parent === null ? 'postpaid' : 'prepaid',
      rate_deck_id: null } }, 201);
    if (parent !== null) {
      await must({ method: 'POST', url: `/v1/accounts/${id}/topups`,
        json: { amount: '20.00', reference: `seed-${id}` } }, 201);
    }
  }
  const keys: Record<string, string> = {};
  for (const id of ['op', 'res', 'cust', 'other']) {
    keys[id] = String((await must({ method: 'POST', url: `/v1/accounts/${id}/api-keys`,
      json: { label: 'dids' } }, 201)).body['key']);
  }
  const deck = await must({ method: 'POST', csv: deckCsv('0.03'),
    url: '/v1/rate-decks?name=inbound&currency=USD&owner_id=res' }, 201);
  return { keys, inboundDeck: String(deck.body['id']) };
}

describe('DID routes', () => {
  it('imports, assigns down the tree, hides suppliers\' prices and other operators, answers ' +
    'the switch and charges an inbound call to the owner', async () => {
    const { keys, inboundDeck } = await seed();
    await must({ method: 'POST', url: '/v1/dids?operator_id=op', key: keys['op'],
      csv: 'number,country,setup_cost,monthly_cost\n+4420700000,GB,0.10,0.20\n' }, 201);
    const again = await api!.call({ method: 'POST', url: '/v1/dids?operator_id=op',
      key: keys['op'], csv: 'number,country\n4420700000,GB\n' });
    expect(again.body['code']).toBe('did_exists');
    // The operator's key assigns to its child; the child's key to its own child.
    await must({ method: 'POST', url: '/v1/dids/+4420700000/assignments', key: keys['op'],
      json: { to_account_id: 'res', setup_price: '1.00', monthly_price: '2.00',
        inbound_rate_deck_id: null, first_period: 'full' } }, 201);
    const assigned = await must({ method: 'POST', url: '/v1/dids/4420700000/assignments',
      key: keys['res'], json: { to_account_id: 'cust', setup_price: '0.50',
        monthly_price: '3.00', inbound_rate_deck_id: inboundDeck, first_period: 'full' } }, 201);
    expect(assigned.body['owner_account_id']).toBe('cust');
    const seenByCust = await must({ method: 'GET', url: '/v1/dids/+4420700000',
      key: keys['cust'] }, 200);
    expect(seenByCust.body['holds']).toEqual([expect.objectContaining({ account_id: 'cust',
      pays_account_id: 'res', setup_price: '0.50', monthly_price: '3.00' })]);
    expect(seenByCust.body['carrier']).toBeUndefined();
    expect(seenByCust.text).not.toContain('"2.00"');
    const stranger = await api!.call({ method: 'GET', url: '/v1/dids/+4420700000',
      key: keys['other'] });
    const ghost = await api!.call({ method: 'GET', url: '/v1/dids/+4420700009',
      key: keys['other'] });
    expect(stranger.body['code']).toBe('did_not_found');
    expect(stranger.text.replace('4420700000', 'N')).toBe(ghost.text.replace('4420700009', 'N'));
    // Balances: cust paid 0.50 + 3.00, res paid 1.00 + 2.00.
    const cust = await must({ method: 'GET', url: '/v1/accounts/cust' }, 200);
    expect(cust.body['balance']).toBe('16.50');

    await must({ method: 'PUT', url: '/v1/dids/+4420700000/destination', key: keys['cust'],
      json: { destination: { kind: 'sip_uri', value: 'sip:desk@pbx.example.com' } } }, 200);
    const route = await must({ method: 'GET', url: '/v1/dids/+4420700000/route',
      key: keys['op'] }, 200);
    expect(route.body).toEqual({ number: '+4420700000', account_id: 'cust',
      destination: { kind: 'sip_uri', value: 'sip:desk@pbx.example.com' } });

    const granted = await must({ method: 'POST', url: '/v1/dids/+4420700000/sessions',
      key: keys['op'], json: { session_id: 'in-http-1', caller: '15551234567',
        request_number: 0 } }, 200);
    expect(granted.body['status']).toBe('granted');
    const ended = await must({ method: 'POST', url: '/v1/sessions/in-http-1/terminate',
      key: keys['op'], json: { request_number: 1, used_seconds: 30 } }, 200);
    // 30 s at 0.03 a minute (30 s first increment): 0.015, at the owner's inbound deck.
    expect(ended.body['cost']).toBe('0.015');

    // An owner who cannot pay: the inbound call is refused, binding on the owner itself.
    await must({ method: 'POST', url: '/v1/accounts', json: { id: 'broke', parent_id: 'cust',
      tier: 'customer', currency: 'USD', mode: 'prepaid', rate_deck_id: null } }, 201);
    await must({ method: 'POST', url: '/v1/dids?operator_id=op', key: keys['op'],
      csv: 'number,country\n4420700001,GB\n' }, 201);
    // The last step by the operator's key: the inbound deck is the reseller's own.
    for (const [key, to] of [['op', 'res'], ['res', 'cust'], ['', 'broke']] as const) {
      await must({ method: 'POST', url: '/v1/dids/4420700001/assignments', key: keys[key],
        json: { to_account_id: to, setup_price: '0', monthly_price: '0',
          inbound_rate_deck_id: to === 'res' ? null : inboundDeck } }, 201);
    }
    const refused = await api!.call({ method: 'POST', url: '/v1/dids/4420700001/sessions',
      key: keys['op'], json: { session_id: 'in-http-2', caller: '1', request_number: 0 } });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: 'insufficient_funds', account_id: 'broke',
      binding: 'account' });

    // The month after: the fee job charges each level once; then the number is released.
    api!.clock.setMs(Date.parse('2026-12-01T00:01:00Z'));
    const report = await runDidFees(api!.services.dids!, { holder: 'test', leaseMs: 60_000 });
    expect(report).toMatchObject({ chargesPosted: 2, refused: [] });
    await must({ method: 'POST', url: '/v1/dids/+4420700000/release', key: keys['res'],
      json: { account_id: 'res' } }, 200);
    const released = await must({ method: 'GET', url: '/v1/dids/+4420700000',
      key: keys['op'] }, 200);
    expect(released.body).toMatchObject({ state: 'available', owner_account_id: null });
    const gone = await api!.call({ method: 'GET', url: '/v1/dids/+4420700000',
      key: keys['cust'] });
    expect(gone.body['code']).toBe('did_not_found');
  });
});
