import { Type } from 'typebox';
import { AccountIdText, Instant, Money } from '../http/schemas/common-schemas.ts';

const KeyText = Type.String({ minLength: 1, maxLength: 300 });

export const StripeSettingsBody = Type.Object({
  secret_key: { ...KeyText, description: 'sk_test_... / sk_live_... (or a restricted rk_ key)' },
  publishable_key: { ...KeyText, description: 'pk_test_... / pk_live_..., for Stripe.js' },
  webhook_secret: { ...KeyText, description: 'The endpoint\'s signing secret, whsec_...' },
}, { additionalProperties: false });

export const StripeSettingsView = Type.Object({
  account_id: AccountIdText,
  publishable_key: Type.String(),
  secret_key_set: Type.Boolean({ description: 'Secrets are never returned' }),
  webhook_secret_set: Type.Boolean(),
  webhook_path: Type.String({ description: 'Where to point the Stripe webhook endpoint' }),
  updated_at: Instant,
});

export const CardSetupView = Type.Object({
  setup_intent_id: Type.String(),
  client_secret: Type.String({ description: 'For Stripe.js confirmCardSetup in the portal' }),
  publishable_key: Type.String(),
});

export const CardView = Type.Object({
  account_id: AccountIdText,
  brand: Type.String(),
  last4: Type.String(),
});

export const CardTopUpBody = Type.Object({
  amount: Money,
  reference: Type.String({ minLength: 1, maxLength: 200,
    description: 'Makes the request idempotent: a retry is the same payment' }),
}, { additionalProperties: false });

export const CardTopUpView = Type.Object({
  payment_intent_id: Type.String(),
  status: Type.String({ description: 'Stripe\'s status; the money is posted on its webhook' }),
  client_secret: Type.Union([Type.String(), Type.Null()], {
    description: 'Set when the bank asks the customer (requires_action), for Stripe.js' }),
});

export const AutoRefillBody = Type.Object({
  enabled: Type.Boolean(),
  threshold: { ...Money, description: 'A refill starts below these available funds' },
  amount: { ...Money, description: 'Charged to the card per refill (whole cents)' },
}, { additionalProperties: false });

export const AutoRefillView = Type.Object({
  account_id: AccountIdText,
  enabled: Type.Boolean(),
  threshold: Money,
  amount: Money,
  state: Type.String({ description: 'idle, in_flight, retry_wait, requires_action, disabled' }),
  failures: Type.Integer({ description: 'Consecutive failed attempts' }),
  next_attempt_at: Type.Union([Instant, Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
});

export const PaymentNoticeList = Type.Object({
  notices: Type.Array(Type.Object({
    id: Type.Integer(),
    account_id: AccountIdText,
    kind: Type.String({ description: 'refill_declined, refill_requires_action, ' +
      'refill_disabled' }),
    payment_intent_id: Type.Union([Type.String(), Type.Null()]),
    detail: Type.String(),
    created_at: Instant,
  })),
});

export const WebhookParams = Type.Object({ root_id: AccountIdText });
export const WebhookAnswer = Type.Object({
  received: Type.Literal(true),
  outcome: Type.String({ description: 'handled, replayed or ignored' }),
});
