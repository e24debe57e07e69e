import {
  assert,
  createChargingService,
  createLedgerService,
  chargingDefaults,
  ManualClock,
  type RateDeck,
  type RefillPolicy,
} from '@tollgate/core';
import Stripe from 'stripe';
import type { ChargingHarness, StoreKind } from '../charging/charging-harness.ts';
import { scenarioStartMs } from '../charging/charging-harness.ts';
import { openTempPostgresLedger } from '../storage/postgres-fixture.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';
import { engineOnDatabase } from '../../src/storage/engine/open-engine.ts';
import { type CardPaymentDeps } from '../../src/stripe/card-payments.ts';
import { createSecretBox } from '../../src/stripe/secret-box.ts';
import { postgresStripeStore, sqliteStripeStore } from '../../src/stripe/stripe-stores.ts';
import { handleStripeWebhook } from '../../src/stripe/stripe-webhook.ts';
import { FakeStripe } from './fake-stripe.ts';

export const testKeys = {
  secretKey: 'sk_test_tollgateFakeSecret0001',
  publishableKey: 'pk_test_tollgateFakePublic0001',
  webhookSecret: 'whsec_tollgateFakeSigning0001',
} as const;

export const testPolicy: RefillPolicy = { failuresMax: 3, backoffMs: 60_000,
  backoffMsMax: 600_000, claimStaleMs: 300_000 };

/** Charging over the engine, card payments over the same database, a local fake Stripe. */
export interface StripeHarness extends ChargingHarness {
  readonly deps: CardPaymentDeps;
  readonly fake: FakeStripe;
  /** Signs `object` as Stripe signs an event of `type` and hands it to the webhook. */
  deliver(type: string, object: unknown, eventId?: string): ReturnType<
    typeof handleStripeWebhook>;
}

let eventSequence = 0;

export async function openStripeHarness(kind: StoreKind): Promise<StripeHarness> {
  const handle = kind === 'sqlite' ? await openTempSqliteLedger()
    : await openTempPostgresLedger('stripe');
  const store = engineOnDatabase(handle.database);
  await store.start();
  const fake = new FakeStripe(testKeys.secretKey);
  await fake.start();
  const clock = new ManualClock(scenarioStartMs);
  const decks = new Map<string, RateDeck>();
  const ledger = createLedgerService({ store, clock });
  const charging = createChargingService({ store, clock,
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    settings: { ...chargingDefaults, sliceSeconds: 60 }, startedAtMs: scenarioStartMs });
  const stripeStore = kind === 'sqlite' ? sqliteStripeStore(handle.database as never)
    : postgresStripeStore(handle.database as never);
  const deps: CardPaymentDeps = { store: stripeStore, ledger, clock,
    secrets: createSecretBox('test-server-secret'), policy: testPolicy,
    connection: { host: '127.0.0.1', port: fake.port, protocol: 'http', timeoutMs: 2_000 } };
  const signer = new Stripe(testKeys.secretKey);
  const deliver: StripeHarness['deliver'] = (type, object, eventId) => {
    eventSequence += 1;
    const payload = JSON.stringify({ id: eventId ?? `evt_${process.pid}_${eventSequence}`,
      object: 'event', api_version: '2026-10-28.endive',
      created: Math.floor(clock.nowMs() / 1000), livemode: false, pending_webhooks: 1,
      request: { id: null, idempotency_key: null }, type, data: { object } });
    const signature = signer.webhooks.generateTestHeaderString({ payload,
      secret: testKeys.webhookSecret, timestamp: Math.floor(clock.nowMs() / 1000) });
    return handleStripeWebhook(deps, { rootAccountId: 'op', rawBody: payload, signature });
  };
  return { store, ledger, charging, clock, decks, deps, fake, deliver,
    close: async () => {
      await fake.stop();
      await store.idle();
      await handle.close();
    } };
}

export function must<T>(result: { ok: true; value: T } | { ok: false; message: string }): T {
  assert(result.ok, `expected success: ${result.ok ? '' : result.message}`);
  return result.value;
}
