import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { sortedUniqueAccountIds, type Account, type AccountId } from './account.ts';
import { checkFunds, type FundsInput } from './available-funds.ts';
import { revenueBook, worldBook, type Book, type BookBalance } from './book.ts';
import {
  checkAccountCurrency,
  checkAccountIdText,
  checkPositiveAmount,
} from './ledger-input.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerProblem, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction, LockedAccount } from './ledger-store.ts';
import { spendKey, spendWindowKeys, type SpendWindow } from './spend-window.ts';

/**
 * One level of a chain charge: `accountId` pays `amountMicros` (in its own currency, stated by
 * the caller as a check) to its parent's revenue book, or to the world when it is the root.
 * The caller names the parent it rated for; if the hierarchy changed since, nothing happens.
 */
export interface ChainLegInput {
  readonly accountId: string;
  readonly parentId: string | null;
  readonly currency: string;
  readonly amountMicros: Micros;
  /**
   * Only on a root leg (parentId null): the account paid instead of the world, e.g. the
   * carrier a call was routed to. Its revenue book in the payer's currency is credited.
   */
  readonly payeeAccountId?: string | null;
}

export interface ResolvedLeg {
  readonly index: number;
  readonly account: Account;
  readonly main: BookBalance;
  readonly creditBook: Book;
  readonly creditAccountId: AccountId | null;
  /** A revenue book in a currency other than its owner's: created on first use. */
  readonly creditBookForeign: boolean;
  readonly amountMicros: Micros;
}

/** Shape checks that need no storage: ids, amounts, count, no account twice. */
export function checkLegInputs(legs: readonly ChainLegInput[]): LedgerProblem | null {
  if (legs.length === 0) return ledgerProblem('legs_empty', 'a chain charge has one leg or more');
  if (legs.length > ledgerLimits.reservationLegsMax) {
    return ledgerProblem('legs_too_many', `at most ${ledgerLimits.reservationLegsMax} legs`);
  }
  const seen = new Set<string>();
  for (const [index, leg] of legs.entries()) {
    const id = checkAccountIdText(leg.accountId);
    if (!id.ok) return { ...id, legIndex: index };
    if (leg.parentId !== null) {
      const parent = checkAccountIdText(leg.parentId, 'parent_id');
      if (!parent.ok) return { ...parent, legIndex: index };
    }
    const amount = checkPositiveAmount(leg.amountMicros);
    if (amount !== null) return { ...amount, legIndex: index, accountId: id.value };
    const payee = leg.payeeAccountId ?? null;
    if (payee !== null) {
      if (leg.parentId !== null) {
        return ledgerProblem('invalid_payee', 'only a root leg may name a payee',
          { legIndex: index });
      }
      const payeeId = checkAccountIdText(payee, 'payee_account_id');
      if (!payeeId.ok) return { ...payeeId, legIndex: index };
      if (legs.some((other) => other.accountId === payee)) {
        return ledgerProblem('invalid_payee', `payee ${payee} also pays in this charge`,
          { legIndex: index });
      }
    }
    if (seen.has(leg.accountId)) {
      return ledgerProblem('duplicate_leg_account', `account ${leg.accountId} appears twice`,
        { accountId: id.value, legIndex: index });
    }
    seen.add(leg.accountId);
  }
  return null;
}

/** Every account a chain charge changes: the payers and the parents they pay. */
export function legLockIds(legs: readonly ChainLegInput[]): AccountId[] {
  const ids: AccountId[] = [];
  for (const leg of legs) {
    ids.push(leg.accountId as AccountId);
    if (leg.parentId !== null) ids.push(leg.parentId as AccountId);
    if (leg.payeeAccountId != null) ids.push(leg.payeeAccountId as AccountId);
  }
  return sortedUniqueAccountIds(ids);
}

/** Matches locked accounts to legs: existence, parent, currency; picks each credit book. */
export function resolveLegs(
  legs: readonly ChainLegInput[],
  locked: readonly LockedAccount[],
): LedgerResult<ResolvedLeg[]> {
  const byId = new Map(locked.map((entry) => [entry.account.id as string, entry]));
  const resolved: ResolvedLeg[] = [];
  for (const [index, leg] of legs.entries()) {
    const entry = byId.get(leg.accountId);
    if (entry === undefined) {
      return ledgerProblem('account_not_found', `no account ${leg.accountId}`, { legIndex: index });
    }
    const { account } = entry;
    if (account.parentId !== leg.parentId) {
      return ledgerProblem('hierarchy_changed', `the parent of ${account.id} is ` +
        `${account.parentId ?? 'none'}, not ${leg.parentId ?? 'none'}`,
        { accountId: account.id, legIndex: index });
    }
    const parent = account.parentId === null ? null : byId.get(account.parentId);
    if (parent === undefined) {
      return ledgerProblem('account_not_found', `no account ${leg.parentId ?? ''}`,
        { legIndex: index });
    }
    const currency = checkAccountCurrency(account, leg.currency);
    if (currency !== null) return { ...currency, legIndex: index };
    const payeeId = parent === null ? leg.payeeAccountId ?? null : null;
    const payee = payeeId === null ? null : byId.get(payeeId);
    if (payee === undefined) {
      return ledgerProblem('account_not_found', `no account ${payeeId ?? ''}`,
        { legIndex: index });
    }
    const creditor = parent ?? payee;
    const creditBook = creditor === null ? worldBook(account.currency)
      : revenueBook(creditor.account.id, account.currency);
    resolved.push({ index, account, main: entry.main, creditBook,
      creditAccountId: creditor?.account.id ?? null, amountMicros: leg.amountMicros,
      creditBookForeign: creditor !== null && creditor.account.currency !== account.currency });
  }
  return success(resolved);
}

/**
 * The spend windows (today, this month) of some accounts, read once under their locks for one
 * instant. A request that checks funds more than once under the same locks (a grant, then the
 * hold it makes) passes this on instead of reading the same rows again.
 */
export interface SpendRead {
  /** The instant whose day and month were read: the request's `nowMs`. */
  readonly atMs: number;
  /** The accounts read (those without a daily or monthly limit have no window to read). */
  readonly accountIds: ReadonlySet<string>;
  /** Spent micros by `spendKey`; a window never written is absent (nothing spent). */
  readonly spentMicros: ReadonlyMap<string, Micros>;
}

/** Spend of today and this month for each account that has a daily or monthly limit. */
export async function loadSpend(
  tx: LedgerTransaction,
  accounts: readonly Account[],
  nowMs: number,
): Promise<SpendRead> {
  const keys = [];
  for (const account of accounts) {
    if (account.dailyLimitMicros === null && account.monthlyLimitMicros === null) continue;
    const { dayKey, monthKey } = spendWindowKeys(account.timeZone, nowMs);
    keys.push({ accountId: account.id, periodKey: dayKey },
      { accountId: account.id, periodKey: monthKey });
  }
  const windows = keys.length === 0 ? [] : await tx.findSpendWindows(keys);
  return { atMs: nowMs, accountIds: new Set(accounts.map((account) => account.id)),
    spentMicros: new Map(windows.map((window) => [spendKey(window), window.spentMicros])) };
}

/**
 * The funds input of an account, from its locked main book and its loaded spend. The spend
 * must have been read for this account at this instant: another day's windows, or none, would
 * silently lift its limits.
 */
export function fundsInputOf(
  account: Account,
  main: BookBalance,
  spend: SpendRead,
  nowMs: number,
): FundsInput {
  assert(spend.atMs === nowMs, 'spend windows are read for the instant they are checked at');
  assert(spend.accountIds.has(account.id), 'the spend of every checked account was read');
  const { dayKey, monthKey } = spendWindowKeys(account.timeZone, nowMs);
  const spent = (periodKey: string): Micros =>
    spend.spentMicros.get(spendKey({ accountId: account.id, periodKey })) ?? micros(0n);
  return { account, postedMicros: main.postedMicros, pendingMicros: main.pendingMicros,
    spentTodayMicros: spent(dayKey), spentMonthMicros: spent(monthKey) };
}

/** The first leg, in leg order, whose account cannot pay its amount; null when all can. */
export function checkLegsFunds(
  legs: readonly ResolvedLeg[],
  spend: SpendRead,
  nowMs: number,
): LedgerProblem | null {
  for (const leg of legs) {
    const refused = checkFunds(fundsInputOf(leg.account, leg.main, spend, nowMs),
      leg.amountMicros, leg.index);
    if (refused !== null) return refused;
  }
  return null;
}

/** Spend to add for posted charges: the day and the month of each paying account. */
export function spendOf(
  charges: ReadonlyArray<{ account: Account; amountMicros: Micros }>,
  nowMs: number,
): SpendWindow[] {
  const windows: SpendWindow[] = [];
  for (const { account, amountMicros } of charges) {
    assert(amountMicros >= 0n, 'spend only grows');
    if (amountMicros === 0n) continue;
    const { dayKey, monthKey } = spendWindowKeys(account.timeZone, nowMs);
    windows.push({ accountId: account.id, periodKey: dayKey, spentMicros: amountMicros },
      { accountId: account.id, periodKey: monthKey, spentMicros: amountMicros });
  }
  return windows;
}

/** Revenue books in a currency other than their owner's are created on first use. */
export function foreignCreditBooks(legs: readonly ResolvedLeg[]): Book[] {
  return legs.filter((leg) => leg.creditBookForeign).map((leg) => leg.creditBook);
}
