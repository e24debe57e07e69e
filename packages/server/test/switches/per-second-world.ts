import { expect } from 'vitest';
import type { TestApi } from '../http/http-fixture.ts';

// The long-call tests (Kamailio, RADIUS): customers whose money is counted in seconds.

/** One cent a second (0.60 a minute, 1 s blocks, no connect fee), as cents. */
export const perSecondCost = (seconds: number) => (seconds / 100).toFixed(2);
export const cents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Prepaid customers of rs on a per-second deck, each with the money given (0.09 is three
 * slices of 3 s).
 */
export async function seedPerSecondCustomers(testApi: TestApi,
  customers: Readonly<Record<string, string>>) {
  const deck = await testApi.call({ method: 'POST', url:
    '/v1/rate-decks?name=per-second&currency=USD&owner_id=rs', csv: [
    'prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
    '44,United Kingdom,0.60,0,1,1'].join('\n') });
  expect(deck.status, deck.text).toBe(201);
  for (const [id, amount] of Object.entries(customers)) {
    const created = await testApi.call({ method: 'POST', url: '/v1/accounts', json: { id,
      parent_id: 'rs', tier: 'customer', mode: 'prepaid', currency: 'USD',
      rate_deck_id: deck.body['id'] } });
    expect(created.status, created.text).toBe(201);
    const topup = await testApi.call({ method: 'POST', url: `/v1/accounts/${id}/topups`,
      json: { amount, reference: 'seed' } });
    expect(topup.status, topup.text).toBe(201);
  }
}

/** verifyLedger over the test's store: books match journals, nothing overdrawn. */
export async function expectSoundLedger(testApi: TestApi) {
  const verified = await testApi.services.ledger.verifyLedger();
  expect(verified.ok && verified.value).toMatchObject({ findingCount: 0, overdrawnCount: 0 });
}
