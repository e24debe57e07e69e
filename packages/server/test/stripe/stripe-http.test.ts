import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from '../http/http-fixture.ts';
import { FakeStripe } from './fake-stripe.ts';
import { testKeys } from './stripe-harness.ts';

// The card-payment routes over HTTP on both stores, the SDK talking to a local server that
// speaks Stripe's wire format: secrets never come back, a customer sees its own card and no
// one else's, money moves only on a correctly signed webhook, once.
describe.each(['sqlite', 'postgres'] as const)('Stripe over HTTP on %s', (kind) => {
  let api: TestApi;
  let fake: FakeStripe;
  let world: World;
  afterEach(async () => {
    await api.close();
    await fake.stop();
  });

  async function open(): Promise<void> {
    fake = new FakeStripe(testKeys.secretKey);
    await fake.start();
    api = await openTestApi(kind, { stripeApiHost: '127.0.0.1', stripeApiPort: fake.port,
      stripeApiProtocol: 'http', secretsKey: 'http-test-secrets-key' });
    world = await seedWorld(api);
  }

  const signer = new Stripe(testKeys.secretKey);
  let events = 0;
  /** Posts an event to the webhook as Stripe would, signed with `secret` at the test clock. */
  const webhook = (type: string, object: unknown, secret: string = testKeys.webhookSecret) => {
    events += 1;
    const payload = JSON.stringify({ id: `evt_http_${events}`, object: 'event', type,
      created: Math.floor(api.clock.nowMs() / 1000), livemode: false, data: { object } });
    return api.call({ method: 'POST', url: '/v1/stripe/webhook/op', key: null,
      raw: { body: payload, contentType: 'application/json; charset=utf-8' },
      headers: { 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload,
        secret, timestamp: Math.floor(api.clock.nowMs() / 1000) }) } });
  };

  it('keys stay secret, cards stay private, a card top-up posts once on the signed webhook',
    async () => {
      await open();
      // Only the root (or the operator) sets a root's keys; a reseller's key cannot
      const settingsUrl = '/v1/accounts/op/stripe-settings';
      const body = { secret_key: testKeys.secretKey, publishable_key: testKeys.publishableKey,
        webhook_secret: testKeys.webhookSecret };
      expect((await api.call({ method: 'PUT', url: settingsUrl, key: world.keys.rs,
        json: body })).status).toBe(404);
      const saved = await api.call({ method: 'PUT', url: settingsUrl, json: body });
      expect(saved.status).toBe(200);
      const shown = await api.call({ method: 'GET', url: settingsUrl });
      for (const answer of [saved, shown]) {
        expect(answer.body).toMatchObject({ publishable_key: testKeys.publishableKey,
          secret_key_set: true, webhook_secret_set: true, webhook_path: '/v1/stripe/webhook/op' });
        expect(answer.text).not.toContain(testKeys.secretKey);
        expect(answer.text).not.toContain(testKeys.webhookSecret);
      }
      // Stored sealed: the database holds neither secret in clear
      const stored = await api.services.cardPayments!.store.findSettings('op');
      expect(JSON.stringify(stored)).not.toMatch(/FakeSecret|FakeSigning/);

      // The customer puts a card on file itself
      const setup = await api.call({ method: 'POST', url: '/v1/accounts/cu1/card-setup',
        key: world.keys.cu1 });
      expect(setup.status).toBe(200);
      expect(setup.body['client_secret']).toMatch(/^seti_.+_secret_/);
      const customer = await api.services.cardPayments!.store.findCustomer('cu1');
      const setupEvent = { id: setup.body['setup_intent_id'], object: 'setup_intent',
        customer: customer!.customerId, payment_method: 'pm_card_visa', status: 'succeeded' };
      // A wrong signature moves nothing
      const forged = await webhook('setup_intent.succeeded', setupEvent, 'whsec_notTheSecret01');
      expect(forged).toMatchObject({ status: 400, body: { code: 'webhook_signature_invalid' } });
      expect((await api.call({ method: 'GET', url: '/v1/accounts/cu1/card' })).status)
        .toBe(409);
      expect((await webhook('setup_intent.succeeded', setupEvent)).body)
        .toEqual({ received: true, outcome: 'handled' });
      // Its own card: brand and last 4; a sibling customer's key sees it as missing
      expect((await api.call({ method: 'GET', url: '/v1/accounts/cu1/card',
        key: world.keys.cu1 })).body).toEqual({ account_id: 'cu1', brand: 'visa',
        last4: '4242' });
      const foreign = await api.call({ method: 'GET', url: '/v1/accounts/cu1/card',
        key: world.keys.cu2 });
      const missing = await api.call({ method: 'GET', url: '/v1/accounts/nobody/card',
        key: world.keys.cu2 });
      expect(foreign.status).toBe(404);
      expect(foreign.text.replace('cu1', '<id>')).toBe(missing.text.replace('nobody', '<id>'));

      // A one-off top-up of 7.50: nothing is posted until the webhook, then once
      const balance = async () => (await api.call({ method: 'GET', url: '/v1/accounts/cu1' }))
        .body['balance'];
      const before = await balance();
      const paid = await api.call({ method: 'POST', url: '/v1/accounts/cu1/card-topups',
        key: world.keys.cu1, json: { amount: '7.50', reference: 'portal-1' } });
      expect(paid).toMatchObject({ status: 200, body: { status: 'succeeded',
        client_secret: null } });
      expect(await balance()).toBe(before);
      const intent = fake.intents.get(String(paid.body['payment_intent_id']));
      expect(intent).toMatchObject({ amount: 750, currency: 'usd' });
      expect((await webhook('payment_intent.succeeded', intent)).body['outcome'])
        .toBe('handled');
      expect((await webhook('payment_intent.succeeded', intent)).body['outcome'])
        .toBe('replayed');
      expect(await balance()).toBe('17.50');
      // The same reference again is the same payment at Stripe
      const again = await api.call({ method: 'POST', url: '/v1/accounts/cu1/card-topups',
        key: world.keys.cu1, json: { amount: '7.50', reference: 'portal-1' } });
      expect(again.body['payment_intent_id']).toBe(paid.body['payment_intent_id']);
      expect(fake.paymentsCreated).toBe(1);
      // ... and with another amount it is refused, not a second payment
      expect(await api.call({ method: 'POST', url: '/v1/accounts/cu1/card-topups',
        key: world.keys.cu1, json: { amount: '9.00', reference: 'portal-1' } }))
        .toMatchObject({ status: 400, body: { code: 'invalid_card_amount' } });
      expect(fake.paymentsCreated).toBe(1);
      // A declined card answers 402 and posts nothing
      fake.behaviour = 'card_declined';
      expect(await api.call({ method: 'POST', url: '/v1/accounts/cu1/card-topups',
        key: world.keys.cu1, json: { amount: '1.00', reference: 'portal-2' } }))
        .toMatchObject({ status: 402, body: { code: 'card_declined' } });
      expect(await balance()).toBe('17.50');
      // Auto-refill settings: fractions of a cent are refused
      expect((await api.call({ method: 'PUT', url: '/v1/accounts/cu1/auto-refill',
        key: world.keys.cu1, json: { enabled: true, threshold: '5', amount: '20.001' } }))
        .body['code']).toBe('invalid_auto_refill');
      expect((await api.call({ method: 'PUT', url: '/v1/accounts/cu1/auto-refill',
        key: world.keys.cu1, json: { enabled: true, threshold: '5', amount: '20' } })).body)
        .toMatchObject({ enabled: true, state: 'idle', threshold: '5.00', amount: '20.00' });
    });
});
