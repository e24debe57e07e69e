import { parseCurrency, type CurrencyCode } from '../kernel/currency.ts';
import { success } from '../kernel/result.ts';
import { isValidTimeZone } from '../kernel/time-zone.ts';
import {
  accountModes,
  accountStates,
  accountTiers,
  type Account,
  type AccountTier,
} from './account.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerProblem, type LedgerResult } from './ledger-problem.ts';

/** The fields of an account an operator may change after creation (not id, tier, currency). */
export type AccountSettings = Pick<Account, 'name' | 'mode' | 'creditLimitMicros' |
  'dailyLimitMicros' | 'monthlyLimitMicros' | 'concurrentCallsMax' | 'timeZone' | 'state' |
  'rateDeckId'>;

export type SettingsCode =
  | 'invalid_name'
  | 'invalid_mode'
  | 'invalid_state'
  | 'invalid_limit'
  | 'invalid_time_zone'
  | 'amount_too_large'
  | 'credit_limit_not_allowed'
  | 'unlimited_credit_not_allowed';

export function isAccountTier(text: string): text is AccountTier {
  return (accountTiers as readonly string[]).includes(text);
}

export function checkCurrency(text: string): LedgerResult<CurrencyCode, 'invalid_currency'> {
  const parsed = parseCurrency(text);
  if (!parsed.ok) return ledgerProblem('invalid_currency', parsed.message, { column: 'currency' });
  return parsed;
}

/** Validates settings as a whole: the limits depend on the tier and the mode. */
export function checkAccountSettings(
  settings: AccountSettings,
  tier: AccountTier,
): LedgerResult<AccountSettings, SettingsCode> {
  const { name, mode, state, timeZone, rateDeckId, concurrentCallsMax } = settings;
  if (name.length === 0 || name.length > ledgerLimits.nameLengthMax) {
    return ledgerProblem('invalid_name', `a name has 1-${ledgerLimits.nameLengthMax} characters`,
      { column: 'name' });
  }
  if (!(accountModes as readonly string[]).includes(mode)) {
    return ledgerProblem('invalid_mode', `mode "${mode}" is not prepaid or postpaid`);
  }
  if (!(accountStates as readonly string[]).includes(state)) {
    return ledgerProblem('invalid_state', `state "${state}" is not active, suspended or closed`);
  }
  if (!isValidTimeZone(timeZone)) {
    return ledgerProblem('invalid_time_zone', `"${timeZone}" is not an IANA time zone`,
      { column: 'time_zone' });
  }
  if (rateDeckId !== null && (rateDeckId.length === 0 ||
    rateDeckId.length > ledgerLimits.idLengthMax)) {
    return ledgerProblem('invalid_limit', 'a rate deck id has 1-64 characters',
      { column: 'rate_deck_id' });
  }
  if (concurrentCallsMax !== null && !(Number.isSafeInteger(concurrentCallsMax) &&
    concurrentCallsMax >= 0 && concurrentCallsMax <= ledgerLimits.concurrentCallsMaxLimit)) {
    return ledgerProblem('invalid_limit', 'concurrent_calls_max is a whole number in range',
      { column: 'concurrent_calls_max' });
  }
  const limits = checkMoneyLimits(settings, tier);
  if (limits !== null) return limits;
  return success(settings);
}

function checkMoneyLimits(
  settings: AccountSettings,
  tier: AccountTier,
): LedgerProblem<SettingsCode> | null {
  const named = [
    ['credit_limit', settings.creditLimitMicros],
    ['daily_limit', settings.dailyLimitMicros],
    ['monthly_limit', settings.monthlyLimitMicros],
  ] as const;
  for (const [column, value] of named) {
    if (value === null) continue;
    if (value < 0n) return ledgerProblem('invalid_limit', `${column} is negative`, { column });
    if (value > ledgerLimits.amountMicrosMax) {
      return ledgerProblem('amount_too_large', `${column} is beyond the sanity bound`, { column });
    }
  }
  if (settings.creditLimitMicros === null && tier !== 'super_admin') {
    return ledgerProblem('unlimited_credit_not_allowed',
      'only a super_admin may have an unlimited credit limit', { column: 'credit_limit' });
  }
  if (settings.mode === 'prepaid' && settings.creditLimitMicros !== null &&
    settings.creditLimitMicros !== 0n) {
    return ledgerProblem('credit_limit_not_allowed', 'a prepaid account has no credit limit',
      { column: 'credit_limit' });
  }
  return null;
}
