import {
  afterFailure,
  afterSuccess,
  minorUnitsToMicros,
  problem,
  refillIdempotencyKey,
  success,
  type RefillFailure,
} from '@tollgate/core';
import Stripe from 'stripe';
import { rootStripe, type CardPaymentDeps, type CardResult } from './card-payments.ts';
import { intentMetadataKeys } from './stripe-gateway.ts';

/** What a verified event did: `replayed` and `ignored` moved nothing. */
export type WebhookOutcome = 'handled' | 'replayed' | 'ignored';

/** Seconds a signed event stays acceptable (Stripe's own default tolerance). */
export const webhookToleranceSeconds = 300;

/**
 * `POST /v1/stripe/webhook/<root>`: the body is verified with the root's signing secret by the
 * SDK (`Stripe-Signature`, HMAC of timestamp and body, at most `webhookToleranceSeconds` old on
 * our clock). A root without keys and a bad signature answer alike. Every effect is idempotent
 * on its own (the top-up by the payment intent's id, the refill by compare-and-set, the
 * payment's status never leaves `succeeded`), so a replay or an event out of order moves
 * nothing twice; events already handled are skipped early.
 */
export async function handleStripeWebhook(deps: CardPaymentDeps, input: {
  rootAccountId: string; rawBody: string; signature: string | undefined;
}): Promise<CardResult<WebhookOutcome>> {
  const invalid = problem('webhook_signature_invalid', 'the Stripe signature does not verify');
  const root = await rootStripe(deps, input.rootAccountId);
  if (!root.ok || input.signature === undefined) return invalid;
  let event: Stripe.Event;
  try {
    event = root.value.stripe.webhooks.constructEvent(input.rawBody, input.signature,
      root.value.webhookSecret, webhookToleranceSeconds, undefined, deps.clock.nowMs());
  } catch {
    return invalid;
  }
  if (await deps.store.eventSeen(input.rootAccountId, event.id)) return success('replayed');
  const outcome = await applyEvent(deps, input.rootAccountId, event, root.value.stripe);
  if (outcome.ok) {
    await deps.store.noteEvent(input.rootAccountId, event.id, event.type, deps.clock.nowMs());
  }
  return outcome;
}

async function applyEvent(deps: CardPaymentDeps, rootAccountId: string, event: Stripe.Event,
  stripe: Stripe): Promise<CardResult<WebhookOutcome>> {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return intentSucceeded(deps, rootAccountId, event.data.object);
    case 'payment_intent.payment_failed':
    case 'payment_intent.requires_action':
      return intentFailed(deps, rootAccountId, event.data.object);
    case 'setup_intent.succeeded':
      return cardSaved(deps, rootAccountId, event.data.object, stripe);
    default:
      return success('ignored');
  }
}

/** The account a payment intent is for, when it is one of this root's accounts. */
async function accountOfIntent(deps: CardPaymentDeps, rootAccountId: string,
  intent: Stripe.PaymentIntent) {
  const accountId = intent.metadata[intentMetadataKeys.accountId];
  if (accountId === undefined) return null;
  const chain = await deps.ledger.getAccountChain(accountId);
  if (!chain.ok || chain.value.at(-1)?.id !== rootAccountId) return null;
  return chain.value[0]!;
}

async function intentSucceeded(deps: CardPaymentDeps, rootAccountId: string,
  intent: Stripe.PaymentIntent): Promise<CardResult<WebhookOutcome>> {
  const account = await accountOfIntent(deps, rootAccountId, intent);
  if (account === null || intent.currency.toUpperCase() !== account.currency) {
    return success('ignored');
  }
  const nowMs = deps.clock.nowMs();
  const amountMicros = minorUnitsToMicros(BigInt(intent.amount_received), account.currency);
  const purpose = intent.metadata[intentMetadataKeys.purpose] === 'refill' ? 'refill' : 'topup';
  await deps.store.recordPayment({ paymentIntentId: intent.id, accountId: account.id,
    rootAccountId, purpose, amountMicros, currency: account.currency, status: 'pending',
    createdAtMs: nowMs });
  if (amountMicros > 0n) {
    const posted = await deps.ledger.topup({ accountId: account.id, currency: account.currency,
      amountMicros, reference: intent.id, idempotencyKey: `stripe:${intent.id}` });
    // A refused top-up (the account closed) is answered 500: Stripe retries, an operator looks.
    if (!posted.ok) throw new Error(`posting ${intent.id}: ${posted.code}`);
  }
  const moved = await deps.store.settlePayment(intent.id, 'succeeded', nowMs);
  if (purpose === 'refill') await settleRefill(deps, account.id, intent, null);
  return success(moved ? 'handled' : 'replayed');
}

async function intentFailed(deps: CardPaymentDeps, rootAccountId: string,
  intent: Stripe.PaymentIntent): Promise<CardResult<WebhookOutcome>> {
  const account = await accountOfIntent(deps, rootAccountId, intent);
  if (account === null) return success('ignored');
  // A payment that succeeded stays succeeded: a late failure event moves nothing.
  const moved = await deps.store.settlePayment(intent.id, 'failed', deps.clock.nowMs());
  if (intent.metadata[intentMetadataKeys.purpose] === 'refill') {
    const code = intent.last_payment_error?.code ?? 'payment_failed';
    const sca = intent.status === 'requires_action' || code === 'authentication_required';
    await settleRefill(deps, account.id, intent, { kind: sca ? 'requires_action' : 'declined',
      code });
  }
  return success(moved ? 'handled' : 'replayed');
}

/**
 * Moves the account's refill when the event is about its attempt in flight (or the one
 * waiting for the customer, for a success after SCA). Anything else (an older attempt, an
 * event already applied) matches nothing and moves nothing.
 */
async function settleRefill(deps: CardPaymentDeps, accountId: string,
  intent: Stripe.PaymentIntent, failure: RefillFailure | null): Promise<void> {
  const refill = await deps.store.findRefill(accountId);
  if (refill === null) return;
  const attemptKey = intent.metadata[intentMetadataKeys.attemptKey];
  const ours = refill.paymentIntentId === intent.id ||
    (refill.paymentIntentId === null && attemptKey !== undefined &&
      attemptKey === refillIdempotencyKey(refill));
  const open = refill.state === 'in_flight' ||
    (failure === null && refill.state === 'requires_action');
  if (!ours || !open) return;
  const nowMs = deps.clock.nowMs();
  if (failure === null) {
    await deps.store.swapRefill(refill, { ...afterSuccess(refill, nowMs),
      paymentIntentId: intent.id });
    return;
  }
  const next = afterFailure(refill, failure, deps.policy, nowMs);
  if (await deps.store.swapRefill(refill, { ...next.refill, paymentIntentId: intent.id }) &&
    next.notice !== null) {
    await deps.store.addNotice({ accountId, kind: next.notice, paymentIntentId: intent.id,
      detail: failure.code, createdAtMs: nowMs });
  }
}

/** A card saved through a SetupIntent: its brand and last 4 digits, for the owner's eyes. */
async function cardSaved(deps: CardPaymentDeps, rootAccountId: string,
  setup: Stripe.SetupIntent, stripe: Stripe): Promise<CardResult<WebhookOutcome>> {
  const customerId = typeof setup.customer === 'string' ? setup.customer : setup.customer?.id;
  const methodId = typeof setup.payment_method === 'string' ? setup.payment_method
    : setup.payment_method?.id;
  if (customerId === undefined || methodId === undefined) return success('ignored');
  const customer = await deps.store.findCustomerByStripeId(rootAccountId, customerId);
  if (customer === null) return success('ignored');
  let method: Stripe.PaymentMethod;
  try {
    method = await stripe.paymentMethods.retrieve(methodId);
  } catch {
    // Answered 503: Stripe sends the event again later.
    return problem('stripe_unavailable', 'Stripe did not answer for the card');
  }
  await deps.store.saveCard(customer.accountId, { paymentMethodId: method.id,
    brand: method.card?.brand ?? method.type, last4: method.card?.last4 ?? '' },
  deps.clock.nowMs());
  return success('handled');
}
