import { problem, success, type Result } from './result.ts';

/** ISO 4217 alphabetic code: three upper-case letters. */
export type CurrencyCode = string & { readonly __brand: 'currency' };

export function parseCurrency(text: string): Result<CurrencyCode, 'invalid_currency'> {
  if (!/^[A-Z]{3}$/.test(text)) {
    return problem('invalid_currency', `"${text}" is not an ISO 4217 code such as USD`);
  }
  return success(text as CurrencyCode);
}
