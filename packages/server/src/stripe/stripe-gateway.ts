import type { RefillFailure } from '@tollgate/core';
import Stripe from 'stripe';

/**
 * Where the SDK sends its requests: Stripe itself by default; a test points it at a local
 * server that speaks Stripe's wire format (host, port, protocol are the SDK's own options).
 */
export interface StripeConnection {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  readonly timeoutMs: number;
}

export const stripeConnectionDefault: StripeConnection = {
  host: 'api.stripe.com', port: 443, protocol: 'https', timeoutMs: 10_000,
};

/**
 * One SDK client per use. No network retries inside the SDK: a refill attempt that did not
 * get an answer is retried by the scanner with the same idempotency key, on its own schedule,
 * so a processor outage never holds anything for long.
 */
export function stripeClient(secretKey: string, connection: StripeConnection): Stripe {
  return new Stripe(secretKey, { host: connection.host, port: connection.port,
    protocol: connection.protocol, timeout: connection.timeoutMs, maxNetworkRetries: 0,
    telemetry: false });
}

/** The outcome of asking Stripe for a payment: a payment intent, or why not. */
export type IntentAnswer =
  | { readonly ok: true; readonly intent: Stripe.PaymentIntent }
  | { readonly ok: false; readonly failure: RefillFailure; readonly intentId: string | null;
    readonly message: string };

/** A Stripe error as a refill failure: card errors are the card's, the rest the processor's. */
export function failureOf(error: unknown): IntentAnswer & { ok: false } {
  if (error instanceof Stripe.errors.StripeError) {
    const code = error instanceof Stripe.errors.StripeConnectionError ? 'stripe_unreachable'
      : error.code ?? error.type;
    const intentId = error.payment_intent?.id ?? null;
    if (error instanceof Stripe.errors.StripeCardError) {
      const sca = code === 'authentication_required' ||
        error.payment_intent?.status === 'requires_action';
      return { ok: false, intentId, message: error.message,
        failure: { kind: sca ? 'requires_action' : 'declined', code } };
    }
    const outage = error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError;
    return { ok: false, intentId, message: error.message,
      failure: { kind: outage ? 'unavailable' : 'declined', code } };
  }
  return { ok: false, intentId: null, message: String(error),
    failure: { kind: 'unavailable', code: 'stripe_unreachable' } };
}

/** A created intent that did not go through is a failure too (a 200 with a bad status). */
export function answerOfIntent(intent: Stripe.PaymentIntent): IntentAnswer {
  if (intent.status === 'requires_action') {
    return { ok: false, intentId: intent.id, message: 'the bank asks the customer',
      failure: { kind: 'requires_action', code: 'authentication_required' } };
  }
  if (intent.status === 'requires_payment_method' || intent.status === 'canceled') {
    const code = intent.last_payment_error?.code ?? 'payment_failed';
    return { ok: false, intentId: intent.id, message: `payment ${intent.status}`,
      failure: { kind: code === 'authentication_required' ? 'requires_action' : 'declined',
        code } };
  }
  return { ok: true, intent };
}

/** Metadata Tollgate puts on every payment intent: what the webhook posts it to. */
export const intentMetadataKeys = {
  accountId: 'tollgate_account_id',
  purpose: 'tollgate_purpose',
  attemptKey: 'tollgate_attempt_key',
} as const;
