import type {
  AssuranceCode,
  BillingCode,
  DidCode,
  DidImportCode,
  PackageCode,
  ChargingCode,
  DeckImportCode,
  FraudCode,
  LedgerCode,
  MoneyParseCode,
  RoutingCode,
} from '@tollgate/core';
import type { AccessCode } from '../auth/access.ts';
import type { ApiKeyCode } from '../auth/api-keys.ts';
import type { DeckLimitCode } from '../decks/deck-limit-codes.ts';
import type { StripeCode } from '../stripe/stripe-codes.ts';
import type { SubscriberIdentityCode } from '../diameter/subscriber-identity-routes.ts';

/** Problems only the HTTP layer knows: transport, authentication, unknown routes. */
export const httpCodes = [
  'unauthorized',
  'not_found',
  'invalid_json',
  'body_too_large',
  'validation_failed',
  'unsupported_media_type',
  'bad_request',
  'internal_error',
  'service_unavailable',
  // GET /ready: this node cannot serve now (its storage does not answer).
  'not_ready',
  'time_bands_not_found',
  'api_key_not_found',
  // Several nodes on one database (cluster/): the tree's owner cannot take the call now.
  'owner_unavailable',
  'owner_moved',
  // Abuse limits (request-limits.ts): a budget of requests is spent; see Retry-After.
  'rate_limited',
  // POST /v1/exchange-rates: a rate that was in force before now cannot be set or replaced.
  'exchange_rate_history',
] as const;
export type HttpCode = (typeof httpCodes)[number];

/** Every code a client can receive. Stable: never renamed, never reused. */
export type ApiCode =
  | LedgerCode
  | ChargingCode
  | DeckImportCode
  | DeckLimitCode
  | MoneyParseCode
  | AccessCode
  | ApiKeyCode
  | FraudCode
  | RoutingCode
  | SubscriberIdentityCode
  | BillingCode
  | StripeCode
  | DidCode
  | DidImportCode
  | PackageCode
  | AssuranceCode
  | HttpCode;

type HttpStatus = 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503;

/**
 * The one table from code to HTTP status (conventions, rule 6). `satisfies` makes a code
 * without a row, or a row without a code, a compile error. Statuses: 400 malformed input,
 * 401 no valid key, 402 the account cannot pay, 403 refused (state, scope, no rate),
 * 404 unknown resource, 409 conflicts with what is stored (duplicates, sequence), 413/415
 * transport, 429 a rate limit, 500 a bug.
 */
export const httpStatusOfCode = {
  // Cluster: retry shortly, nothing was decided.
  owner_unavailable: 503,
  owner_moved: 503,
  // Ledger input.
  invalid_account_id: 400,
  invalid_reservation_id: 400,
  invalid_reference: 400,
  invalid_idempotency_key: 400,
  invalid_name: 400,
  invalid_currency: 400,
  invalid_time_zone: 400,
  invalid_limit: 400,
  invalid_tier: 400,
  invalid_mode: 400,
  invalid_state: 400,
  invalid_exchange_rate: 400,
  amount_not_positive: 400,
  amount_too_large: 400,
  amount_negative: 400,
  credit_limit_not_allowed: 400,
  unlimited_credit_not_allowed: 400,
  legs_empty: 400,
  legs_too_many: 400,
  legs_mismatch: 400,
  duplicate_leg_account: 400,
  invalid_payee: 400,
  invalid_expiry: 400,
  reservation_ttl_too_long: 400,
  // Ledger hierarchy.
  account_not_found: 404,
  parent_not_found: 404,
  account_exists: 409,
  parent_required: 400,
  root_has_parent: 400,
  parent_tier_not_allowed: 400,
  reseller_depth_exceeded: 400,
  hierarchy_cycle: 409,
  hierarchy_changed: 409,
  account_has_open_children: 409,
  currency_mismatch: 400,
  book_not_found: 404,
  // Funds: why an account cannot pay.
  insufficient_funds: 402,
  credit_limit_reached: 402,
  daily_limit_reached: 402,
  monthly_limit_reached: 402,
  account_suspended: 403,
  account_closed: 403,
  // Ledger state.
  reservation_exists: 409,
  reservation_not_found: 404,
  reservation_already_committed: 409,
  reservation_already_released: 409,
  reservation_already_expired: 409,
  reservation_expired: 409,
  commit_exceeds_reserved: 409,
  transfer_not_found: 404,
  transfer_not_refundable: 409,
  refund_exceeds_charge: 409,
  idempotency_key_reused: 409,
  exchange_rate_not_found: 403,
  // Charging refusals.
  no_rate: 403,
  no_route: 403,
  concurrent_calls_limit: 403,
  destination_blocked: 403,
  fraud_suspended: 403,
  rate_deck_not_found: 404,
  // Charging requests.
  invalid_session_id: 400,
  invalid_request_number: 400,
  invalid_number: 400,
  invalid_used_seconds: 400,
  invalid_requested_seconds: 400,
  used_seconds_decreased: 409,
  session_not_found: 404,
  session_exists: 409,
  session_closed: 409,
  request_out_of_order: 409,
  event_exists: 409,
  duration_too_long: 400,
  invalid_bundle: 400,
  // Deck and time-band import (with line and column).
  invalid_csv: 400,
  missing_header: 400,
  unknown_column: 400,
  duplicate_column: 400,
  missing_column: 400,
  wrong_field_count: 400,
  missing_value: 400,
  invalid_prefix: 400,
  value_too_long: 400,
  invalid_amount: 400,
  negative_amount: 400,
  amount_too_precise: 400,
  invalid_integer: 400,
  value_out_of_range: 400,
  invalid_instant: 400,
  invalid_effective_window: 400,
  unknown_time_band: 400,
  duplicate_rate: 400,
  too_many_rows: 400,
  empty_deck: 400,
  invalid_band_name: 400,
  invalid_band_days: 400,
  invalid_band_time: 400,
  too_many_band_lines: 400,
  empty_band_file: 400,
  invalid_decimals: 400,
  invalid_rounding: 400,
  invalid_zone: 400,
  // Deck upload limits (issue 14, finding 7).
  deck_quota_exceeded: 403,
  deck_import_busy: 503,
  // Fraud control (issue 8).
  invalid_fraud_config: 400,
  invalid_risk_list: 400,
  risk_list_not_found: 404,
  fraud_config_not_found: 404,
  fraud_measure_not_found: 404,
  fraud_measure_released: 409,
  fraud_disabled: 503,
  // Least-cost routing (issue 7).
  invalid_carrier: 400,
  carrier_not_found: 404,
  carrier_exists: 409,
  invalid_routing_policy: 400,
  invalid_route_rule: 400,
  invalid_expected_duration: 400,
  // Diameter subscriber identities (issue 5).
  invalid_subscriber_identity: 400,
  subscriber_identity_taken: 409,
  subscriber_identity_not_found: 404,
  // Billing (issue 17).
  invalid_billing_cycle: 400,
  invalid_billing_settings: 400,
  invalid_tax_profile: 400,
  invalid_payment: 400,
  invalid_period: 400,
  account_not_invoiced: 400,
  tax_profile_not_found: 404,
  invoice_not_found: 404,
  period_not_ended: 409,
  period_already_closed: 409,
  payment_currency_mismatch: 400,
  payment_amount_not_positive: 400,
  payment_reference_reused: 409,
  invoice_not_voidable: 409,
  too_many_charges: 409,
  // Card payments through Stripe (issue 18).
  invalid_stripe_settings: 400,
  stripe_not_configured: 409,
  stripe_unavailable: 503,
  stripe_request_failed: 502,
  card_not_on_file: 409,
  card_declined: 402,
  authentication_required: 402,
  invalid_card_amount: 400,
  invalid_auto_refill: 400,
  webhook_signature_invalid: 400,
  // Numbers (DIDs, issue 18).
  invalid_did: 400,
  invalid_did_import: 400,
  did_not_found: 404,
  did_exists: 409,
  did_not_available: 409,
  did_not_held: 409,
  did_assignee_not_child: 400,
  did_carrier_not_found: 404,
  did_not_assigned: 409,
  invalid_package: 400,
  package_exists: 409,
  package_not_found: 404,
  too_many_cdrs: 409,
  too_many_accounts: 409,
  invalid_carrier_file: 400,
  too_many_transfers: 409,
  too_many_live_sessions: 409,
  // Access.
  forbidden: 403,
  scope_required: 400,
  // API keys: a route outside the key's scope, a key wider or longer-lived than its maker.
  scope_insufficient: 403,
  invalid_key_expiry: 400,
  // HTTP.
  unauthorized: 401,
  not_found: 404,
  invalid_json: 400,
  body_too_large: 413,
  validation_failed: 400,
  unsupported_media_type: 415,
  bad_request: 400,
  internal_error: 500,
  service_unavailable: 503,
  not_ready: 503,
  exchange_rate_history: 409,
  time_bands_not_found: 404,
  api_key_not_found: 404,
  rate_limited: 429,
} as const satisfies Record<ApiCode, HttpStatus>;

export function httpStatusOf(code: ApiCode): HttpStatus {
  return httpStatusOfCode[code];
}

export const apiCodes = Object.keys(httpStatusOfCode) as ApiCode[];
