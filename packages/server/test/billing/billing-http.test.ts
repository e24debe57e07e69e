import { afterEach, describe, expect, it } from 'vitest';
import {
  deckCsv,
  openTestApi,
  type ApiRequest,
  type ApiResponse,
  type StoreKind,
  type TestApi,
} from '../http/http-fixture.ts';

// The billing routes end to end over real HTTP (inject) and a real store, under the manual
// clock: a reseller closes its customer's period with an inclusive tax profile and sees the
// invoices it issues and receives; the customer sees only its own; payments and closes with
// bad input answer clear codes and move nothing.
const kinds: StoreKind[] = ['sqlite', 'postgres'];

describe.each(kinds)('billing over HTTP on %s', (kind) => {
  let api: TestApi;
  afterEach(async () => {
    await api.close();
  });

  async function must(request: ApiRequest, status: number): Promise<ApiResponse> {
    const response = await api.call(request);
    expect(response.status, `${request.method} ${request.url}: ${response.text}`).toBe(status);
    return response;
  }

  async function world() {
    api = await openTestApi(kind);
    const deck = String((await must({ method: 'POST', csv: deckCsv('0.60'),
      url: '/v1/rate-decks?name=retail&currency=USD&decimals=2' }, 201)).body['id']);
    for (const [id, parent, tier] of [['op', null, 'super_admin'], ['res', 'op', 'admin'],
      ['cu', 'res', 'customer']] as const) {
      await must({ method: 'POST', url: '/v1/accounts', json: { id, parent_id: parent, tier,
        currency: 'USD', mode: 'postpaid', rate_deck_id: deck,
        ...(tier === 'super_admin' ? {} : { credit_limit: '100.00' }) } }, 201);
    }
    const keyOf = async (id: string) => String((await must({ method: 'POST',
      url: `/v1/accounts/${id}/api-keys`, json: { label: 'billing' } }, 201)).body['key']);
    const keys = { res: await keyOf('res'), cu: await keyOf('cu') };
    // One 55 s call to the UK at 0.60/min in 30/6 blocks (60 s billed): 0.60 at every level
    await must({ method: 'POST', url: '/v1/sessions', json: { session_id: 'c1',
      account_id: 'cu', caller: '1', callee: '44207', request_number: 0 } }, 200);
    api.clock.advanceMs(55_000);
    await must({ method: 'POST', url: '/v1/sessions/c1/terminate',
      json: { request_number: 1, used_seconds: 55 } }, 200);
    api.clock.setMs(Date.parse('2026-12-01T00:10:00Z'));
    return keys;
  }

  it('closes with taxes, shows each party its invoices, and refuses bad input', async () => {
    const keys = await world();
    await must({ method: 'PUT', url: '/v1/accounts/res/tax-profiles/vat', key: keys.res,
      json: { name: 'VAT', treatment: 'standard', prices_include_tax: true,
        rates: [{ name: 'VAT', percent: '10' }], note: '' } }, 200);
    await must({ method: 'PUT', url: '/v1/accounts/res/billing-settings', json: {
      cycle: null, payment_terms_days: 14, tax_profile_id: null, invoice_prefix: 'RES',
      legal_name: 'Reseller Ltd', address: '1 Main St', tax_id: 'GB123' } }, 200);
    await must({ method: 'PUT', url: '/v1/accounts/cu/billing-settings', key: keys.res, json: {
      cycle: null, payment_terms_days: null, tax_profile_id: 'vat', invoice_prefix: null,
      legal_name: null, address: null, tax_id: null } }, 200);
    const settings = await must({ method: 'GET', url: '/v1/accounts/cu/billing-settings',
      key: keys.cu }, 200);
    expect(settings.body['effective']).toMatchObject({ payment_terms_days: 14,
      cycle_from_account_id: null, tax_profile_id: 'vat' });
    // The customer may not close its own period; its reseller may, once
    await must({ method: 'POST', url: '/v1/accounts/cu/billing-periods/close', key: keys.cu,
      json: {} }, 403);
    const closed = await must({ method: 'POST', url: '/v1/accounts/cu/billing-periods/close',
      key: keys.res, json: { period: '2026-11-01' } }, 201);
    // 0.60 gross holds 0.05 VAT at 10% (0.60 x 0.1 / 1.1 = 0.0545...), net 0.55
    expect(closed.body).toMatchObject({ number: 'RES-2026-000001', status: 'issued',
      issuer: { account_id: 'res', name: 'Reseller Ltd', tax_id: 'GB123' },
      recipient: { account_id: 'cu' }, charged: '0.60', total: '0.60', tax: '0.05',
      net: '0.55', open: '0.60', due_at: '2026-12-15T00:10:00.000Z',
      lines: [{ description: 'United Kingdom', prefix: '44', calls: 1, billed_seconds: 60,
        amount: '0.60' }] });
    const twice = await must({ method: 'POST', url: '/v1/accounts/cu/billing-periods/close',
      key: keys.res, json: { period: '2026-11-01' } }, 409);
    expect(twice.body['code']).toBe('period_already_closed');
    await must({ method: 'POST', url: '/v1/accounts/cu/billing-periods/close', key: keys.res,
      json: { period: '2026-11-02' } }, 400);
    const received = await must({ method: 'POST', url: '/v1/accounts/res/billing-periods/close',
      json: {} }, 201);
    // The reseller sees both; the customer only its own, and the other as if it did not exist
    const ofReseller = await must({ method: 'GET', url: '/v1/invoices', key: keys.res }, 200);
    expect((ofReseller.body['invoices'] as { id: string }[]).map((entry) => entry.id).sort())
      .toEqual([closed.body['id'], received.body['id']].sort());
    const ofCustomer = await must({ method: 'GET', url: '/v1/invoices', key: keys.cu }, 200);
    expect((ofCustomer.body['invoices'] as { id: string }[]).map((entry) => entry.id))
      .toEqual([closed.body['id']]);
    const foreign = await must({ method: 'GET', url: `/v1/invoices/${received.body['id']}`,
      key: keys.cu }, 404);
    const ghost = await must({ method: 'GET', url: '/v1/invoices/inv-ghost', key: keys.cu },
      404);
    expect(foreign.body['code']).toBe(ghost.body['code']);
    const csv = await must({ method: 'GET', key: keys.cu,
      url: `/v1/invoices/${closed.body['id']}?format=csv` }, 200);
    expect(csv.text).toBe('kind,prefix,description,calls,billed_seconds,charged,amount\n' +
      'usage,44,United Kingdom,1,60,0.600000,0.600000\n');
    // Payments: bad input moves nothing
    const pay = (json: Record<string, unknown>) => api.call({ method: 'POST',
      url: '/v1/accounts/cu/payments', key: keys.res, json: { method: 'bank_transfer',
        reference: 'wire-1', amount: '0.60', currency: 'USD', ...json } });
    expect((await pay({ currency: 'EUR' })).body['code']).toBe('payment_currency_mismatch');
    expect((await pay({ amount: '0' })).body['code']).toBe('payment_amount_not_positive');
    expect((await pay({ amount: '-1.00' })).status).toBe(400);
    const balance = async () => (await must({ method: 'GET', url: '/v1/accounts/cu' }, 200))
      .body['balance'];
    expect(await balance()).toBe('-0.60');
    expect((await pay({})).status).toBe(201);
    expect((await pay({})).body).toMatchObject({ replayed: true });
    const reused = await pay({ amount: '0.70' });
    expect([reused.status, reused.body['code']]).toEqual([409, 'payment_reference_reused']);
    expect(await balance()).toBe('0.00');
    const paid = await must({ method: 'GET', url: `/v1/invoices/${closed.body['id']}`,
      key: keys.cu }, 200);
    expect(paid.body).toMatchObject({ status: 'paid', paid: '0.60', open: '0.00' });
  });
});
