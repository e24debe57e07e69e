import {
  ledgerLimits,
  microsToMinorUnits,
  problem,
  rearmed,
  success,
  type Account,
  type AutoRefill,
  type Clock,
  type LedgerService,
  type Micros,
  type Result,
  type RefillPolicy,
} from '@tollgate/core';
import Stripe from 'stripe';
import type { SecretBox } from './secret-box.ts';
import type { StripeCode } from './stripe-codes.ts';
import {
  answerOfIntent,
  failureOf,
  intentMetadataKeys,
  stripeClient,
  type StripeConnection,
} from './stripe-gateway.ts';
import type { StripeCustomerRecord, StripeStore } from './stripe-store.ts';

export interface CardPaymentDeps {
  readonly store: StripeStore;
  readonly ledger: LedgerService;
  readonly clock: Clock;
  /** Seals the roots' Stripe secrets; null when the server has no secret to seal with. */
  readonly secrets: SecretBox | null;
  readonly connection: StripeConnection;
  readonly policy: RefillPolicy;
}

export type CardResult<T> = Result<T, StripeCode>;

export interface StripeSettingsInput {
  readonly rootAccountId: string;
  readonly secretKey: string;
  readonly publishableKey: string;
  readonly webhookSecret: string;
}

/** What the API shows of a root's settings: never a secret, not even part of one. */
export interface StripeSettingsView {
  readonly publishableKey: string;
  readonly secretKeySet: boolean;
  readonly webhookSecretSet: boolean;
  readonly updatedAtMs: number;
}

const keyPatterns = {
  secretKey: /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,250}$/,
  publishableKey: /^pk_(test|live)_[A-Za-z0-9]{8,250}$/,
  webhookSecret: /^whsec_[A-Za-z0-9+/=]{8,250}$/,
} as const;

export async function putStripeSettings(deps: CardPaymentDeps, input: StripeSettingsInput):
  Promise<CardResult<StripeSettingsView>> {
  if (deps.secrets === null) {
    return problem('stripe_not_configured', 'this server has no secret to seal Stripe keys');
  }
  for (const field of ['secretKey', 'publishableKey', 'webhookSecret'] as const) {
    if (!keyPatterns[field].test(input[field])) {
      // The value is never echoed: it may be a secret pasted in the wrong field.
      return problem('invalid_stripe_settings', `${field} does not look like a Stripe ` +
        `${field === 'webhookSecret' ? 'signing secret (whsec_...)' : 'key'}`,
      { column: field });
    }
  }
  if (input.secretKey.split('_')[1] !== input.publishableKey.split('_')[1]) {
    return problem('invalid_stripe_settings', 'the secret and publishable keys are of ' +
      'different modes (test and live)');
  }
  const updatedAtMs = deps.clock.nowMs();
  await deps.store.saveSettings({ rootAccountId: input.rootAccountId,
    secretKeySealed: deps.secrets.seal(input.secretKey),
    webhookSecretSealed: deps.secrets.seal(input.webhookSecret),
    publishableKey: input.publishableKey, updatedAtMs });
  return success({ publishableKey: input.publishableKey, secretKeySet: true,
    webhookSecretSet: true, updatedAtMs });
}

export async function stripeSettingsView(deps: CardPaymentDeps, rootAccountId: string):
  Promise<CardResult<StripeSettingsView>> {
  const stored = await deps.store.findSettings(rootAccountId);
  if (stored === null) return notConfigured(rootAccountId);
  return success({ publishableKey: stored.publishableKey, secretKeySet: true,
    webhookSecretSet: true, updatedAtMs: stored.updatedAtMs });
}

function notConfigured(rootAccountId: string) {
  return problem('stripe_not_configured', `the operator ${rootAccountId} has no Stripe keys`);
}

export interface RootStripe {
  readonly stripe: Stripe;
  readonly publishableKey: string;
  readonly webhookSecret: string;
}

/** The SDK client of a root, with its keys opened. */
export async function rootStripe(deps: CardPaymentDeps, rootAccountId: string):
  Promise<CardResult<RootStripe>> {
  const stored = await deps.store.findSettings(rootAccountId);
  if (stored === null || deps.secrets === null) return notConfigured(rootAccountId);
  const secretKey = deps.secrets.open(stored.secretKeySealed);
  const webhookSecret = deps.secrets.open(stored.webhookSecretSealed);
  if (secretKey === null || webhookSecret === null) {
    return problem('stripe_not_configured', `the Stripe keys of ${rootAccountId} were ` +
      'sealed with another server secret: save them again');
  }
  return success({ stripe: stripeClient(secretKey, deps.connection), webhookSecret,
    publishableKey: stored.publishableKey });
}

/** A Stripe call that failed, as a problem the API can answer (never the raw error). */
export function stripeProblem(error: unknown) {
  const failure = failureOf(error);
  if (failure.failure.kind === 'unavailable') {
    return problem('stripe_unavailable', 'Stripe did not answer; try again later');
  }
  if (failure.failure.kind === 'requires_action') {
    return problem('authentication_required', 'the bank asks the customer to authenticate');
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    return problem('card_declined', `the card was declined (${failure.failure.code})`);
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return problem('invalid_card_amount', 'this reference was used for another payment');
  }
  return problem('stripe_request_failed', `Stripe refused the request (${failure.failure.code})`);
}

/** The account's Stripe customer, made on first use (idempotent by the account id). */
export async function ensureCustomer(deps: CardPaymentDeps, chain: readonly Account[],
  root: RootStripe): Promise<StripeCustomerRecord> {
  const account = chain[0]!;
  const found = await deps.store.findCustomer(account.id);
  if (found !== null) return found;
  const customer = await root.stripe.customers.create({ name: account.name,
    metadata: { [intentMetadataKeys.accountId]: account.id } },
  { idempotencyKey: `customer:${account.id}` });
  return deps.store.saveCustomer({ accountId: account.id, rootAccountId: chain.at(-1)!.id,
    customerId: customer.id, paymentMethodId: null, cardBrand: null, cardLast4: null },
  deps.clock.nowMs());
}

export interface CardSetup {
  readonly setupIntentId: string;
  readonly clientSecret: string;
  readonly publishableKey: string;
}

/**
 * A SetupIntent for the card the portal collects with Stripe.js (usage off_session: auto-refill
 * charges it later without the customer). The card is stored when Stripe's signed
 * `setup_intent.succeeded` arrives, not on the portal's word.
 */
export async function startCardSetup(deps: CardPaymentDeps, chain: readonly Account[]):
  Promise<CardResult<CardSetup>> {
  const root = await rootStripe(deps, chain.at(-1)!.id);
  if (!root.ok) return root;
  try {
    const customer = await ensureCustomer(deps, chain, root.value);
    const intent = await root.value.stripe.setupIntents.create({
      customer: customer.customerId, usage: 'off_session', allowed_payment_method_types: ['card'],
      metadata: { [intentMetadataKeys.accountId]: chain[0]!.id } });
    if (intent.client_secret === null) {
      return problem('stripe_request_failed', 'Stripe gave no client secret');
    }
    return success({ setupIntentId: intent.id, clientSecret: intent.client_secret,
      publishableKey: root.value.publishableKey });
  } catch (error) {
    return stripeProblem(error);
  }
}

export interface CardTopUp {
  readonly paymentIntentId: string;
  readonly status: string;
  /** For Stripe.js when the bank asks the customer (status requires_action). */
  readonly clientSecret: string | null;
}

/**
 * A one-off top-up from the card on file, the customer present (on-session). The money is
 * posted when the signed `payment_intent.succeeded` arrives; the reference makes the request
 * idempotent at Stripe (a retry is the same payment).
 */
export async function cardTopUp(deps: CardPaymentDeps, chain: readonly Account[],
  input: { amountMicros: Micros; reference: string }): Promise<CardResult<CardTopUp>> {
  const account = chain[0]!;
  const minorUnits = checkCardAmount(input.amountMicros, account.currency);
  if (!minorUnits.ok) return minorUnits;
  const root = await rootStripe(deps, chain.at(-1)!.id);
  if (!root.ok) return root;
  const customer = await deps.store.findCustomer(account.id);
  if (customer?.paymentMethodId == null) {
    return problem('card_not_on_file', `account ${account.id} has no card on file`);
  }
  try {
    const intent = await root.value.stripe.paymentIntents.create({
      amount: Number(minorUnits.value), currency: account.currency.toLowerCase(),
      customer: customer.customerId, payment_method: customer.paymentMethodId, confirm: true,
      allowed_payment_method_types: ['card'],
      metadata: { [intentMetadataKeys.accountId]: account.id,
        [intentMetadataKeys.purpose]: 'topup' } },
    { idempotencyKey: `card-topup:${account.id}:${input.reference}` });
    await deps.store.recordPayment({ paymentIntentId: intent.id, accountId: account.id,
      rootAccountId: chain.at(-1)!.id, purpose: 'topup', amountMicros: input.amountMicros,
      currency: account.currency, status: 'pending', createdAtMs: deps.clock.nowMs() });
    const answer = answerOfIntent(intent);
    if (!answer.ok && answer.failure.kind === 'declined') {
      return problem('card_declined', `the card was declined (${answer.failure.code})`);
    }
    return success({ paymentIntentId: intent.id, status: intent.status,
      clientSecret: intent.status === 'requires_action' ? intent.client_secret : null });
  } catch (error) {
    return stripeProblem(error);
  }
}

/** An amount a card can be charged: positive, bounded, whole minor units. */
export function checkCardAmount(amountMicros: Micros, currency: string):
  CardResult<bigint> {
  const minorUnits = microsToMinorUnits(amountMicros, currency);
  if (amountMicros <= 0n || amountMicros > ledgerLimits.amountMicrosMax || minorUnits === null) {
    return problem('invalid_card_amount', `a card payment is a positive whole number of ` +
      `${currency} minor units, at most the ledger's bound`);
  }
  return success(minorUnits);
}

export interface AutoRefillInput {
  readonly enabled: boolean;
  readonly thresholdMicros: Micros;
  readonly amountMicros: Micros;
}

/**
 * Saves an account's auto-refill. Saving re-arms a refill that waits for the customer (SCA)
 * or switched itself off; an attempt in flight is kept (its webhook settles it).
 */
export async function putAutoRefill(deps: CardPaymentDeps, account: Account,
  input: AutoRefillInput): Promise<CardResult<AutoRefill>> {
  const amount = checkCardAmount(input.amountMicros, account.currency);
  if (!amount.ok) return problem('invalid_auto_refill', amount.message);
  if (input.thresholdMicros < 0n || input.thresholdMicros > ledgerLimits.amountMicrosMax) {
    return problem('invalid_auto_refill', 'the threshold is between 0 and the ledger\'s bound');
  }
  if (account.creditLimitMicros === null) {
    return problem('invalid_auto_refill', 'an account without a credit limit never runs out');
  }
  if (input.enabled && (await deps.store.findCustomer(account.id))?.paymentMethodId == null) {
    return problem('card_not_on_file', `account ${account.id} has no card on file`);
  }
  const nowMs = deps.clock.nowMs();
  // Compare and set against the scanner and the webhook: a claim made meanwhile is kept.
  for (let round = 0; round < refillSaveRoundsMax; round += 1) {
    const before = await deps.store.findRefill(account.id);
    if (before === null) {
      const created = rearmed({ accountId: account.id, ...input, state: 'disabled',
        triggerSeq: 0, attempt: 0, failures: 0, nextAttemptAtMs: 0, paymentIntentId: null,
        lastError: null, updatedAtMs: nowMs }, input, nowMs);
      await deps.store.putRefill(created);
      return success(created);
    }
    const next = rearmed(before, input, nowMs);
    if (await deps.store.swapRefill(before, next)) return success(next);
  }
  return problem('stripe_unavailable', 'the refill is changing now; try again');
}

/** Saves that lose a compare-and-set race are read again this many times at most. */
const refillSaveRoundsMax = 5;
