import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import type { Account, AccountId } from './account.ts';
import { isAccountId } from './account.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerProblem, type LedgerResult } from './ledger-problem.ts';

/** Checks of request fields shared by the use cases. Each returns null when the field is fine. */

export function checkAccountIdText(
  text: string,
  column = 'account_id',
): LedgerResult<AccountId, 'invalid_account_id'> {
  if (!isAccountId(text)) {
    return ledgerProblem('invalid_account_id', `"${text.slice(0, 80)}" is not an account id`,
      { column });
  }
  return success(text);
}

export function checkReference(text: string): LedgerProblem<'invalid_reference'> | null {
  if (text.length === 0 || text.length > ledgerLimits.referenceLengthMax) {
    return ledgerProblem('invalid_reference',
      `a reference has 1-${ledgerLimits.referenceLengthMax} characters`, { column: 'reference' });
  }
  return null;
}

export function checkIdempotencyKey(text: string): LedgerProblem<'invalid_idempotency_key'> | null {
  if (text.length === 0 || text.length > ledgerLimits.idempotencyKeyLengthMax) {
    return ledgerProblem('invalid_idempotency_key',
      `an idempotency key has 1-${ledgerLimits.idempotencyKeyLengthMax} characters`,
      { column: 'idempotency_key' });
  }
  return null;
}

export function checkReservationId(text: string): LedgerProblem<'invalid_reservation_id'> | null {
  if (text.length === 0 || text.length > ledgerLimits.referenceLengthMax) {
    return ledgerProblem('invalid_reservation_id',
      `a reservation id has 1-${ledgerLimits.referenceLengthMax} characters`,
      { column: 'reservation_id' });
  }
  return null;
}

/** A money amount that must move something: positive and within the sanity bound. */
export function checkPositiveAmount(
  amountMicros: Micros,
  column = 'amount',
): LedgerProblem<'amount_not_positive' | 'amount_too_large'> | null {
  if (typeof amountMicros !== 'bigint' || amountMicros <= 0n) {
    return ledgerProblem('amount_not_positive', `${column} must be positive`, { column });
  }
  if (amountMicros > ledgerLimits.amountMicrosMax) {
    return ledgerProblem('amount_too_large', `${column} is beyond the sanity bound`, { column });
  }
  return null;
}

export function checkAccountCurrency(
  account: Account,
  currency: string,
): LedgerProblem<'currency_mismatch'> | null {
  if (account.currency !== (currency as CurrencyCode)) {
    return ledgerProblem('currency_mismatch',
      `account ${account.id} keeps ${account.currency}, not ${currency}`,
      { accountId: account.id, column: 'currency' });
  }
  return null;
}
