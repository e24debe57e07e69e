import { success } from '../kernel/result.ts';
import { checkCurrency } from './account-settings.ts';
import {
  parseExchangeRate,
  unitRate,
  type ExchangeRate,
  type RationalRate,
} from './exchange-rate.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';
import { inTransaction, type LedgerDeps } from './ledger-work.ts';

export interface ExchangeRateInput {
  readonly fromCurrency: string;
  readonly toCurrency: string;
  /** Units of `toCurrency` per unit of `fromCurrency`, a decimal string: "1.0845". */
  readonly rate: string;
  readonly validFromMs: number;
}

/** Records a rate from an instant on; the same pair and instant again replaces it. */
export async function setExchangeRate(
  deps: LedgerDeps,
  input: ExchangeRateInput,
): Promise<LedgerResult<ExchangeRate>> {
  const from = checkCurrency(input.fromCurrency);
  if (!from.ok) return from;
  const to = checkCurrency(input.toCurrency);
  if (!to.ok) return to;
  if (from.value === to.value) {
    return ledgerProblem('invalid_exchange_rate', 'a currency converts to itself at 1');
  }
  const parsed = parseExchangeRate(input.rate);
  if (!parsed.ok) return parsed;
  if (!Number.isSafeInteger(input.validFromMs)) {
    return ledgerProblem('invalid_exchange_rate', 'valid_from is an instant in milliseconds');
  }
  const rate: ExchangeRate = { fromCurrency: from.value, toCurrency: to.value, rate: input.rate,
    validFromMs: input.validFromMs };
  return inTransaction(deps.store, async (tx) => {
    await tx.saveExchangeRate(rate);
    return success(rate);
  });
}

export interface RateInForce {
  readonly rate: ExchangeRate | null;
  readonly rational: RationalRate;
}

/** The rate of a pair at an instant; a currency to itself is 1 without a table entry. */
export async function getExchangeRate(
  deps: LedgerDeps,
  query: { fromCurrency: string; toCurrency: string; atMs: number },
): Promise<LedgerResult<RateInForce>> {
  const from = checkCurrency(query.fromCurrency);
  if (!from.ok) return from;
  const to = checkCurrency(query.toCurrency);
  if (!to.ok) return to;
  if (from.value === to.value) return success({ rate: null, rational: unitRate });
  return inTransaction(deps.store, async (tx): Promise<LedgerResult<RateInForce>> => {
    const rate = await tx.findExchangeRate({ fromCurrency: from.value, toCurrency: to.value,
      atMs: query.atMs });
    if (rate === null) {
      return ledgerProblem('exchange_rate_not_found',
        `no ${from.value} to ${to.value} rate at ${query.atMs}`);
    }
    const rational = parseExchangeRate(rate.rate);
    if (!rational.ok) return rational;
    return success({ rate, rational: rational.value });
  }, { readOnly: true });
}
