/** The stable codes of card payments' expected failures (HTTP statuses in error-mapping.ts). */
export const stripeCodes = [
  'invalid_stripe_settings',
  'stripe_not_configured',
  'stripe_unavailable',
  'stripe_request_failed',
  'card_not_on_file',
  'card_declined',
  'authentication_required',
  'invalid_card_amount',
  'invalid_auto_refill',
  'webhook_signature_invalid',
] as const;
export type StripeCode = (typeof stripeCodes)[number];
