import type { Micros } from '../kernel/money.ts';
import type { Problem, Success } from '../kernel/result.ts';
import type { AccountId } from './account.ts';

/** Input that is malformed, independent of what is stored. */
export const ledgerInputCodes = [
  'invalid_account_id',
  'invalid_reservation_id',
  'invalid_reference',
  'invalid_idempotency_key',
  'invalid_name',
  'invalid_currency',
  'invalid_time_zone',
  'invalid_limit',
  'invalid_tier',
  'invalid_mode',
  'invalid_state',
  'invalid_exchange_rate',
  'amount_not_positive',
  'amount_too_large',
  'amount_negative',
  'credit_limit_not_allowed',
  'unlimited_credit_not_allowed',
  'legs_empty',
  'legs_too_many',
  'legs_mismatch',
  'duplicate_leg_account',
  'invalid_payee',
  'invalid_expiry',
  'reservation_ttl_too_long',
] as const;

/** Problems with the hierarchy of accounts. */
export const ledgerHierarchyCodes = [
  'account_not_found',
  'parent_not_found',
  'account_exists',
  'parent_required',
  'root_has_parent',
  'parent_tier_not_allowed',
  'reseller_depth_exceeded',
  'hierarchy_cycle',
  'hierarchy_changed',
  'account_has_open_children',
  'currency_mismatch',
  'book_not_found',
] as const;

/** Why an account cannot pay: the binding constraint of its available funds. */
export const fundsCodes = [
  'insufficient_funds',
  'credit_limit_reached',
  'daily_limit_reached',
  'monthly_limit_reached',
  'account_suspended',
  'account_closed',
] as const;

/** Problems with reservations, transfers and idempotency. */
export const ledgerStateCodes = [
  'reservation_exists',
  'reservation_not_found',
  'reservation_already_committed',
  'reservation_already_released',
  'reservation_already_expired',
  'reservation_expired',
  'commit_exceeds_reserved',
  'transfer_not_found',
  'transfer_not_refundable',
  'refund_exceeds_charge',
  'idempotency_key_reused',
  'exchange_rate_not_found',
] as const;

export type LedgerInputCode = (typeof ledgerInputCodes)[number];
export type LedgerHierarchyCode = (typeof ledgerHierarchyCodes)[number];
export type FundsCode = (typeof fundsCodes)[number];
export type LedgerStateCode = (typeof ledgerStateCodes)[number];
export type LedgerCode = LedgerInputCode | LedgerHierarchyCode | FundsCode | LedgerStateCode;

export const ledgerCodes: readonly LedgerCode[] = [
  ...ledgerInputCodes,
  ...ledgerHierarchyCodes,
  ...fundsCodes,
  ...ledgerStateCodes,
];

/**
 * A ledger problem may name the account at fault and, for a refusal for lack of funds, what the
 * account could still pay: the charging layer turns that into a precise answer to the switch.
 */
export interface LedgerProblem<Code extends LedgerCode = LedgerCode> extends Problem<Code> {
  readonly accountId?: AccountId;
  readonly legIndex?: number;
  readonly availableMicros?: Micros;
  readonly requestedMicros?: Micros;
}

export type LedgerResult<T, Code extends LedgerCode = LedgerCode> =
  | Success<T>
  | LedgerProblem<Code>;

export interface LedgerProblemDetails {
  readonly accountId?: AccountId;
  readonly legIndex?: number;
  readonly availableMicros?: Micros;
  readonly requestedMicros?: Micros;
  readonly column?: string;
}

export function ledgerProblem<Code extends LedgerCode>(
  code: Code,
  message: string,
  details: LedgerProblemDetails = {},
): LedgerProblem<Code> {
  return { ok: false, code, message, ...details };
}
