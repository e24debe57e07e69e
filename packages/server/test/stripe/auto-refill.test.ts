import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { putAutoRefill, putStripeSettings, startCardSetup } from
  '../../src/stripe/card-payments.ts';
import { verifyWebhook, webhookHeaders } from '../../src/fraud/webhook-signature.ts';
import { createNoticeDispatcher } from '../../src/stripe/notice-dispatcher.ts';
import { createRefillScanner } from '../../src/stripe/refill-scanner.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { account, addDeck, balances, money, storeKinds } from '../charging/charging-harness.ts';
import { must, openStripeHarness, testKeys, testPolicy, type StripeHarness } from
  './stripe-harness.ts';

// Auto-refill end to end on both stores: the real SDK against a local server speaking
// Stripe's wire format, webhooks signed as Stripe signs them, a manual clock.
// Deck: 0.60 a minute, per minute. The customer 'cu' starts with 10.00, refills 20.00 below 5.00.
describe.each(storeKinds)('auto-refill through Stripe on %s', (kind) => {
  let harness: StripeHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function open(): Promise<void> {
    harness = await openStripeHarness(kind);
    addDeck(harness, 'retail', 'prefix,destination,rate,initial_increment_s,increment_s\n' +
      '44,United Kingdom,0.60,60,60\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid',
      creditLimit: null, deck: 'retail' });
    await account(harness, { id: 'cu', tier: 'customer', parentId: 'op', deck: 'retail',
      topup: '10' });
    must(await putStripeSettings(harness.deps, { rootAccountId: 'op', ...testKeys }));
    const chain = must(await harness.ledger.getAccountChain('cu'));
    const setup = must(await startCardSetup(harness.deps, chain));
    expect(setup.clientSecret).toMatch(/^seti_.+_secret_/);
    const customer = await harness.deps.store.findCustomer('cu');
    // The card is on file once Stripe's signed setup_intent.succeeded arrives
    expect(must(await harness.deliver('setup_intent.succeeded', { id: setup.setupIntentId,
      object: 'setup_intent', customer: customer!.customerId, payment_method: 'pm_card_visa',
      status: 'succeeded', usage: 'off_session', metadata: {} }))).toBe('handled');
    expect(await harness.deps.store.findCustomer('cu')).toMatchObject({ cardBrand: 'visa',
      cardLast4: '4242', paymentMethodId: 'pm_card_visa' });
    const cu = chain[0]!;
    must(await putAutoRefill(harness.deps, cu, { enabled: true,
      thresholdMicros: money('5'), amountMicros: money('20') }));
  }

  /** `count` calls of one minute each, all at once. */
  async function calls(prefix: string, count: number): Promise<void> {
    const startMs = harness.clock.nowMs();
    await Promise.all(Array.from({ length: count }, async (_unused, index) => {
      const sessionId = `${prefix}-${index}`;
      const granted = await harness.charging.authorize({ sessionId, requestNumber: 0,
        accountId: 'cu', caller: '15550001', callee: '442070000' });
      expect(granted).toMatchObject({ ok: true, value: { status: 'granted' } });
      const ended = await harness.charging.terminate({ sessionId, requestNumber: 1,
        usedSeconds: 60 });
      expect(ended.ok).toBe(true);
    }));
    expect(harness.clock.nowMs()).toBe(startMs);
  }

  const posted = async () => (await balances(harness, 'cu')).postedMicros;

  /**
   * Runs the notice dispatcher against a local receiver that answers 500 to the first
   * delivery and 200 after; returns what it received, each with its signature checked.
   */
  async function pushNotices() {
    const received: Array<{ body: unknown; verified: boolean }> = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        received.push({ body: JSON.parse(body) as unknown, verified: verifyWebhook({
          secret: 'notice-secret', body, nowMs: harness.clock.nowMs(), toleranceMs: 60_000,
          timestampHeader: String(request.headers[webhookHeaders.timestamp]),
          signatureHeader: String(request.headers[webhookHeaders.signature]) }) });
        response.writeHead(received.length === 1 ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const webhook = { url: `http://127.0.0.1:${port}/notices`, secret: 'notice-secret',
      attemptsMax: 5, backoffMs: 1_000, backoffMsMax: 10_000, timeoutMs: 2_000 };
    const notices = createNoticeDispatcher({ store: harness.deps.store, clock: harness.clock,
      webhook, batchMax: 10 });
    try {
      expect(await notices.runDue()).toBe(1);
      expect(await notices.runDue()).toBe(0);
      harness.clock.advanceMs(webhook.backoffMs);
      expect(await notices.runDue()).toBe(1);
      harness.clock.advanceMs(60_000);
      expect(await notices.runDue()).toBe(0);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
    return received;
  }

  it('concurrent calls crossing the threshold trigger exactly one refill, posted once',
    async () => {
      await open();
      const nodeA = createRefillScanner(harness.deps);
      const nodeB = createRefillScanner(harness.deps);
      // 12 calls (7.20) race with scans of two "nodes": 10.00 falls to 2.80
      await Promise.all([calls('a', 12), ...Array.from({ length: 6 }, (_u, index) =>
        (index % 2 === 0 ? nodeA : nodeB).scan())]);
      for (let round = 0; round < 3; round += 1) {
        await Promise.all([nodeA.scan(), nodeB.scan()]);
      }
      expect(await posted()).toBe(money('2.80'));
      // One claim won: one request reached Stripe, not two with the same key
      expect(harness.fake.intentRequests).toHaveLength(1);
      expect(harness.fake.paymentsCreated).toBe(1);
      const [intent] = [...harness.fake.intents.values()];
      expect(intent).toMatchObject({ amount: 2000, currency: 'usd', status: 'succeeded',
        metadata: { tollgate_purpose: 'refill', tollgate_account_id: 'cu' } });
      // Nothing is posted before the signed webhook
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'in_flight' });
      expect(must(await harness.deliver('payment_intent.succeeded', intent, 'evt_ok')))
        .toBe('handled');
      expect(await posted()).toBe(money('22.80'));
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'idle',
        failures: 0 });
      // A replay (same event), the same payment signed again under another event id, and a
      // late failure event after the success move nothing
      expect(must(await harness.deliver('payment_intent.succeeded', intent, 'evt_ok')))
        .toBe('replayed');
      expect(must(await harness.deliver('payment_intent.succeeded', intent)))
        .toBe('replayed');
      expect(must(await harness.deliver('payment_intent.payment_failed', { ...intent,
        status: 'requires_payment_method',
        last_payment_error: { code: 'card_declined' } }))).toBe('replayed');
      expect(await posted()).toBe(money('22.80'));
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'idle',
        failures: 0 });
      expect(await harness.deps.store.findPayment(intent!['id'] as string))
        .toMatchObject({ status: 'succeeded', purpose: 'refill' });
      // Funds above the threshold: no new refill
      await nodeA.scan();
      expect(harness.fake.paymentsCreated).toBe(1);
    });

  it('a failure the webhook reports backs off the attempt in flight; a stale one moves nothing',
    async () => {
      await open();
      const scanner = createRefillScanner(harness.deps);
      await calls('w', 9);
      await scanner.scan();
      const [first] = [...harness.fake.intents.values()];
      // Stripe reports the payment failed after all (an asynchronous decline)
      const failed = { ...first, status: 'requires_payment_method',
        last_payment_error: { code: 'card_declined' } };
      expect(must(await harness.deliver('payment_intent.payment_failed', failed)))
        .toBe('handled');
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'retry_wait',
        failures: 1 });
      harness.clock.advanceMs(testPolicy.backoffMs);
      await scanner.scan();
      expect(harness.fake.paymentsCreated).toBe(2);
      const inFlight = await harness.deps.store.findRefill('cu');
      expect(inFlight).toMatchObject({ state: 'in_flight', attempt: 2 });
      // The old attempt's events again, out of order: the new attempt is untouched
      for (const type of ['payment_intent.payment_failed', 'payment_intent.requires_action']) {
        await harness.deliver(type, failed);
      }
      expect(await harness.deps.store.findRefill('cu')).toEqual(inFlight);
      expect(await posted()).toBe(money('4.60'));
      const second = harness.fake.intents.get(inFlight!.paymentIntentId!);
      expect(must(await harness.deliver('payment_intent.succeeded', second))).toBe('handled');
      expect(await posted()).toBe(money('24.60'));
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'idle',
        failures: 0 });
    });

  it('a declined card is retried with backoff, then auto-refill switches off with an alert',
    async () => {
      await open();
      const scanner = createRefillScanner(harness.deps);
      harness.fake.behaviour = 'card_declined';
      await calls('d', 9);
      expect(await posted()).toBe(money('4.60'));
      await scanner.scan();
      expect(harness.fake.intentRequests).toHaveLength(1);
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'retry_wait',
        failures: 1, lastError: 'card_declined' });
      // Before the backoff: nothing is asked again
      harness.clock.advanceMs(testPolicy.backoffMs - 1);
      await scanner.scan();
      expect(harness.fake.intentRequests).toHaveLength(1);
      harness.clock.advanceMs(1);
      await scanner.scan();
      expect(harness.fake.intentRequests).toHaveLength(2);
      harness.clock.advanceMs(2 * testPolicy.backoffMs);
      await scanner.scan();
      expect(harness.fake.intentRequests).toHaveLength(3);
      // Each retry is a new attempt: a new idempotency key (Stripe would replay the decline)
      const keys = harness.fake.intentRequests.map((request) => request.idempotencyKey);
      expect(new Set(keys)).toEqual(new Set(['refill:cu:1.1', 'refill:cu:1.2',
        'refill:cu:1.3']));
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'disabled',
        enabled: false, failures: 3 });
      const notices = await harness.deps.store.listNotices('cu', 10);
      expect(notices.map((notice) => notice.kind)).toEqual(['refill_disabled',
        'refill_declined', 'refill_declined']);
      harness.clock.advanceMs(24 * 3_600_000);
      await scanner.scan();
      expect(harness.fake.intentRequests).toHaveLength(3);
      expect(await posted()).toBe(money('4.60'));
    });

  it('authentication_required notifies and is not retried blindly; saving re-arms',
    async () => {
      await open();
      const scanner = createRefillScanner(harness.deps);
      harness.fake.behaviour = 'authentication_required';
      await calls('s', 9);
      await scanner.scan();
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({
        state: 'requires_action', lastError: 'authentication_required' });
      expect((await harness.deps.store.listNotices('cu', 10)).map((notice) => notice.kind))
        .toEqual(['refill_requires_action']);
      // The notice is pushed, signed, to the payment webhook: a 500 first, retried after backoff
      const received = await pushNotices();
      expect(received).toHaveLength(2);
      expect(received.map((entry) => entry.verified)).toEqual([true, true]);
      expect(received[1]!.body).toMatchObject({ account_id: 'cu',
        kind: 'refill_requires_action' });
      for (let hour = 0; hour < 5; hour += 1) {
        harness.clock.advanceMs(3_600_000);
        await scanner.scan();
      }
      expect(harness.fake.intentRequests).toHaveLength(1);
      // The customer authenticated (or changed card) and the owner saves the settings again
      harness.fake.behaviour = 'succeed';
      must(await putAutoRefill(harness.deps, must(await harness.ledger.getAccount('cu')).account,
        { enabled: true, thresholdMicros: money('5'), amountMicros: money('20') }));
      await scanner.scan();
      expect(harness.fake.intentRequests).toHaveLength(2);
      expect(harness.fake.intentRequests[1]!.idempotencyKey).toBe('refill:cu:2.1');
    });

  it('with Stripe stopped, charging goes on; the refill retries the same attempt later',
    async () => {
      await open();
      const scanner = createRefillScanner(harness.deps);
      await harness.fake.stop();
      const startedAt = performance.now();
      await Promise.all([calls('o', 9), scanner.scan(), scanner.scan()]);
      await scanner.scan();
      const elapsedMs = performance.now() - startedAt;
      expect(await posted()).toBe(money('4.60'));
      // The scan found Stripe unreachable: not counted as a card failure, no notice
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'retry_wait',
        failures: 0, lastError: 'stripe_unreachable' });
      expect(await harness.deps.store.listNotices('cu', 10)).toEqual([]);
      // More calls while Stripe is down: all granted, all settled
      await calls('p', 3);
      expect(await posted()).toBe(money('2.80'));
      expect(elapsedMs).toBeLessThan(5_000);
      // A Stripe that hangs: the scan waits out its time-out while calls go on, not slower
      harness.fake.stalled = true;
      await harness.fake.start();
      harness.clock.advanceMs(testPolicy.backoffMs);
      const stuck = scanner.scan();
      const callsStartedAt = performance.now();
      await calls('q', 2);
      const callsMs = performance.now() - callsStartedAt;
      const stuckReport = await stuck;
      const scanMs = performance.now() - callsStartedAt;
      expect(stuckReport.attempted).toBe(1);
      expect(callsMs).toBeLessThan(harness.deps.connection.timeoutMs);
      expect(scanMs).toBeGreaterThanOrEqual(harness.deps.connection.timeoutMs - 50);
      expect(await posted()).toBe(money('1.60'));
      expect(await harness.deps.store.findRefill('cu')).toMatchObject({ state: 'retry_wait',
        failures: 0 });
      console.info(`stripe hanging: 2 calls charged in ${callsMs.toFixed(0)} ms while the ` +
        `refill scan waited ${scanMs.toFixed(0)} ms for its time-out`);
      await harness.fake.stop();
      harness.fake.stalled = false;
      await harness.fake.start();
      harness.clock.advanceMs(testPolicy.backoffMs);
      await scanner.scan();
      // Every try, the hung one included, was the same attempt: one key, one payment
      expect(new Set(harness.fake.intentRequests.map((request) => request.idempotencyKey)))
        .toEqual(new Set(['refill:cu:1.1']));
      expect(harness.fake.intentRequests.length).toBe(2);
      expect(harness.fake.paymentsCreated).toBe(1);
    });
});
