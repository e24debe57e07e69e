import type { Micros } from '../kernel/money.ts';
import type { Problem, Success } from '../kernel/result.ts';

/** Every expected failure of the billing use cases, by stable code. */
export const billingCodes = [
  'invalid_billing_cycle',
  'invalid_billing_settings',
  'invalid_tax_profile',
  'invalid_payment',
  'invalid_period',
  'account_not_found',
  'account_not_invoiced',
  'tax_profile_not_found',
  'invoice_not_found',
  'period_not_ended',
  'period_already_closed',
  'payment_currency_mismatch',
  'payment_amount_not_positive',
  'payment_reference_reused',
  'invoice_not_voidable',
  'too_many_charges',
] as const;
export type BillingCode = (typeof billingCodes)[number];

export interface BillingProblem<Code extends BillingCode = BillingCode> extends Problem<Code> {
  readonly invoiceId?: string;
  readonly accountId?: string;
  readonly availableMicros?: Micros;
  readonly requestedMicros?: Micros;
}

export type BillingResult<T> = Success<T> | BillingProblem;

export function billingProblem<Code extends BillingCode>(
  code: Code,
  message: string,
  details: Omit<BillingProblem<Code>, 'ok' | 'code' | 'message'> = {},
): BillingProblem<Code> {
  return { ok: false, code, message, ...details };
}
