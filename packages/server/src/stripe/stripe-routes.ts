import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AutoRefill } from '@tollgate/core';
import { principalOf } from '../http/auth-hook.ts';
import type { AppServices } from '../http/app-services.ts';
import { formatMoney, parseMoney } from '../http/convert.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import type { TypeBoxApp } from '../http/routes/route-types.ts';
import { IdParams, withProblems } from '../http/schemas/common-schemas.ts';
import {
  cardTopUp,
  putAutoRefill,
  putStripeSettings,
  startCardSetup,
  stripeSettingsView,
  type CardPaymentDeps,
  type StripeSettingsView as SettingsView,
} from './card-payments.ts';
import { toApiNotice } from './notice-dispatcher.ts';
import {
  AutoRefillBody,
  AutoRefillView,
  CardSetupView,
  CardTopUpBody,
  CardTopUpView,
  CardView,
  PaymentNoticeList,
  StripeSettingsBody,
  StripeSettingsView,
} from './stripe-schemas.ts';

const tags = ['payments'];
const noticesListedMax = 100;

export function cardPaymentsOf(services: AppServices): CardPaymentDeps {
  if (services.cardPayments === undefined) {
    throw httpProblem('service_unavailable', 'card payments are not configured on this node');
  }
  return services.cardPayments;
}

const toIso = (ms: number) => new Date(ms).toISOString();

/**
 * Card payments (issue 18). Stripe keys belong to a root: only the operator key and the
 * root's own keys reach them (a root is above every other key). The card, card top-ups,
 * auto-refill and its notices are the account's: its own keys and the keys above reach them,
 * anything else answers like a missing account.
 */
export const stripeRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  registerSettings(app, services);
  registerCard(app, services);
  registerAutoRefill(app, services);
};

/** The root the key may set Stripe keys for: the account must be a root and reachable. */
async function reachableRoot(services: AppServices, request: Parameters<typeof principalOf>[0],
  id: string): Promise<string> {
  const chain = unwrap(await services.access.account(principalOf(request), id, 'subtree'));
  if (chain.length !== 1) {
    throw httpProblem('invalid_stripe_settings', 'Stripe keys belong to a root account');
  }
  return id;
}

function settingsView(id: string, view: SettingsView) {
  return { account_id: id, publishable_key: view.publishableKey,
    secret_key_set: view.secretKeySet, webhook_secret_set: view.webhookSecretSet,
    webhook_path: `/v1/stripe/webhook/${encodeURIComponent(id)}`,
    updated_at: toIso(view.updatedAtMs) };
}

function registerSettings(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/accounts/:id/stripe-settings', {
    schema: { operationId: 'getStripeSettings', tags, summary: 'A root\'s Stripe keys, ' +
      'secrets never shown', params: IdParams,
    response: withProblems({ 200: StripeSettingsView }) },
  }, async (request) => {
    const id = await reachableRoot(services, request, request.params.id);
    return settingsView(id, unwrap(await stripeSettingsView(cardPaymentsOf(services), id)));
  });
  app.put('/v1/accounts/:id/stripe-settings', {
    schema: { operationId: 'putStripeSettings', tags, summary: 'Set a root\'s Stripe keys ' +
      '(operator or the root\'s own keys)', params: IdParams, body: StripeSettingsBody,
    response: withProblems({ 200: StripeSettingsView }) },
  }, async (request) => {
    const id = await reachableRoot(services, request, request.params.id);
    const { body } = request;
    return settingsView(id, unwrap(await putStripeSettings(cardPaymentsOf(services), {
      rootAccountId: id, secretKey: body.secret_key, publishableKey: body.publishable_key,
      webhookSecret: body.webhook_secret })));
  });
}

function registerCard(app: TypeBoxApp, services: AppServices): void {
  app.post('/v1/accounts/:id/card-setup', {
    schema: { operationId: 'startCardSetup', tags, summary: 'A SetupIntent to put a card on ' +
      'file with Stripe.js', params: IdParams, response: withProblems({ 200: CardSetupView }) },
  }, async (request) => {
    const chain = unwrap(await services.access.account(principalOf(request),
      request.params.id, 'subtree'));
    const setup = unwrap(await startCardSetup(cardPaymentsOf(services), chain));
    return { setup_intent_id: setup.setupIntentId, client_secret: setup.clientSecret,
      publishable_key: setup.publishableKey };
  });
  app.get('/v1/accounts/:id/card', {
    schema: { operationId: 'getCard', tags, summary: 'The card on file: brand and last 4 ' +
      'digits', params: IdParams, response: withProblems({ 200: CardView }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await services.access.account(principalOf(request), id, 'subtree'));
    const customer = await cardPaymentsOf(services).store.findCustomer(id);
    if (customer?.cardLast4 == null || customer.cardBrand === null) {
      throw httpProblem('card_not_on_file', `account ${id} has no card on file`);
    }
    return { account_id: id, brand: customer.cardBrand, last4: customer.cardLast4 };
  });
  app.post('/v1/accounts/:id/card-topups', {
    schema: { operationId: 'cardTopUp', tags, summary: 'Top up from the card on file; ' +
      'posted when Stripe confirms', params: IdParams, body: CardTopUpBody,
    response: withProblems({ 200: CardTopUpView }) },
  }, async (request) => {
    const chain = unwrap(await services.access.account(principalOf(request),
      request.params.id, 'subtree'));
    const amountMicros = unwrap(parseMoney(request.body.amount, 'amount'));
    const paid = unwrap(await cardTopUp(cardPaymentsOf(services), chain,
      { amountMicros, reference: request.body.reference }));
    return { payment_intent_id: paid.paymentIntentId, status: paid.status,
      client_secret: paid.clientSecret };
  });
}

function refillView(refill: AutoRefill) {
  return { account_id: refill.accountId, enabled: refill.enabled,
    threshold: formatMoney(refill.thresholdMicros), amount: formatMoney(refill.amountMicros),
    state: refill.state, failures: refill.failures,
    next_attempt_at: refill.state === 'retry_wait' ? toIso(refill.nextAttemptAtMs) : null,
    last_error: refill.lastError };
}

function registerAutoRefill(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/accounts/:id/auto-refill', {
    schema: { operationId: 'getAutoRefill', tags, summary: 'Auto-refill settings and state',
      params: IdParams, response: withProblems({ 200: AutoRefillView }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await services.access.account(principalOf(request), id, 'subtree'));
    const refill = await cardPaymentsOf(services).store.findRefill(id);
    // Never set: shown switched off, with zero amounts.
    return refill === null ? { account_id: id, enabled: false, threshold: '0', amount: '0',
      state: 'disabled', failures: 0, next_attempt_at: null, last_error: null }
      : refillView(refill);
  });
  app.put('/v1/accounts/:id/auto-refill', {
    schema: { operationId: 'putAutoRefill', tags, summary: 'Set auto-refill (saving again ' +
      're-arms it)', params: IdParams, body: AutoRefillBody,
    response: withProblems({ 200: AutoRefillView }) },
  }, async (request) => {
    const [account] = unwrap(await services.access.account(principalOf(request),
      request.params.id, 'subtree'));
    const { body } = request;
    const saved = unwrap(await putAutoRefill(cardPaymentsOf(services), account!, {
      enabled: body.enabled, thresholdMicros: unwrap(parseMoney(body.threshold, 'threshold')),
      amountMicros: unwrap(parseMoney(body.amount, 'amount')) }));
    return refillView(saved);
  });
  app.get('/v1/accounts/:id/payment-notices', {
    schema: { operationId: 'listPaymentNotices', tags, summary: 'Refill failures, SCA and ' +
      'switch-offs, newest first', params: IdParams,
    response: withProblems({ 200: PaymentNoticeList }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await services.access.account(principalOf(request), id, 'subtree'));
    const notices = await cardPaymentsOf(services).store.listNotices(id, noticesListedMax);
    return { notices: notices.map(toApiNotice) };
  });
}
