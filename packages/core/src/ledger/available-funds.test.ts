import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import type { Account, AccountId } from './account.ts';
import { availableFunds, checkFunds } from './available-funds.ts';
import type { CurrencyCode } from '../kernel/currency.ts';

const base: Account = {
  id: 'c1' as AccountId, tier: 'customer', parentId: 'r1' as AccountId, name: 'c',
  currency: 'USD' as CurrencyCode, mode: 'prepaid', creditLimitMicros: micros(0n),
  dailyLimitMicros: null, monthlyLimitMicros: null, concurrentCallsMax: null, timeZone: 'UTC',
  state: 'active', rateDeckId: null, createdAtMs: 0, updatedAtMs: 0,
};

interface FundsCase {
  readonly name: string;
  readonly account: Partial<Account>;
  readonly posted: bigint;
  readonly pending: bigint;
  readonly today?: bigint;
  readonly month?: bigint;
  readonly expect: [bigint | null, string | null, string];
}

// Each row: given an account and its balances, then the available amount, the binding
// constraint and the refusal code.
const cases: readonly FundsCase[] = [
  { name: 'prepaid balance', account: {}, posted: 100n, pending: 30n,
    expect: [70n, 'balance', 'insufficient_funds'] },
  { name: 'prepaid below zero floors at 0', account: {}, posted: -5n, pending: 0n,
    expect: [0n, 'balance', 'insufficient_funds'] },
  { name: 'postpaid credit', account: { mode: 'postpaid', creditLimitMicros: micros(50n) },
    posted: -20n, pending: 10n, expect: [20n, 'balance', 'credit_limit_reached'] },
  { name: 'daily cap binds', account: { dailyLimitMicros: micros(40n) }, posted: 100n,
    pending: 10n, today: 25n, expect: [5n, 'daily_limit', 'daily_limit_reached'] },
  { name: 'monthly cap binds', account: { dailyLimitMicros: micros(40n),
    monthlyLimitMicros: micros(60n) }, posted: 100n, pending: 0n, today: 10n, month: 55n,
    expect: [5n, 'monthly_limit', 'monthly_limit_reached'] },
  { name: 'tie goes to the balance', account: { dailyLimitMicros: micros(10n) }, posted: 10n,
    pending: 0n, expect: [10n, 'balance', 'insufficient_funds'] },
  { name: 'suspended has nothing', account: { state: 'suspended' }, posted: 100n, pending: 0n,
    expect: [0n, 'state', 'account_suspended'] },
  { name: 'closed has nothing', account: { state: 'closed' }, posted: 100n, pending: 0n,
    expect: [0n, 'state', 'account_closed'] },
  { name: 'unlimited root', account: { tier: 'super_admin', creditLimitMicros: null },
    posted: -1_000n, pending: 5n, expect: [null, null, 'insufficient_funds'] },
];

describe('availableFunds', () => {
  for (const row of cases) {
    it(row.name, () => {
      const funds = availableFunds({ account: { ...base, ...row.account },
        postedMicros: micros(row.posted), pendingMicros: micros(row.pending),
        spentTodayMicros: micros(row.today ?? 0n), spentMonthMicros: micros(row.month ?? 0n) });
      expect([funds.availableMicros, funds.constraint, funds.refusalCode]).toEqual(row.expect);
    });
  }

  it('refuses a request above the available amount, naming the account', () => {
    const input = { account: base, postedMicros: micros(100n), pendingMicros: micros(0n),
      spentTodayMicros: micros(0n), spentMonthMicros: micros(0n) };
    expect(checkFunds(input, micros(100n), 0)).toBeNull();
    expect(checkFunds(input, micros(101n), 2)).toMatchObject({ code: 'insufficient_funds',
      accountId: 'c1', legIndex: 2, availableMicros: 100n, requestedMicros: 101n });
    const suspended = { ...input, account: { ...base, state: 'suspended' as const } };
    expect(checkFunds(suspended, micros(0n), 0)?.code).toBe('account_suspended');
  });
});
