import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import {
  placeUnder,
  type Account,
  type AccountId,
  type AccountMode,
  type AccountState,
  type AccountTier,
} from './account.ts';
import { loadChain, resellerDepthOf } from './account-chain.ts';
import { checkAccountSettings, checkCurrency, isAccountTier } from './account-settings.ts';
import type { AccountSettings } from './account-settings.ts';
import { availableFunds, type AvailableFunds } from './available-funds.ts';
import { mainBook, mainBookId, revenueBook, worldBook, type BookBalance } from './book.ts';
import { checkAccountIdText } from './ledger-input.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerCode, type LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction } from './ledger-store.ts';
import { inTransaction, type LedgerDeps } from './ledger-work.ts';
import { spendWindowKeys } from './spend-window.ts';

export interface CreateAccountInput {
  readonly id: string;
  readonly tier: AccountTier;
  readonly parentId: string | null;
  readonly name: string;
  readonly currency: string;
  /** Default prepaid. */
  readonly mode?: AccountMode;
  /** Default: unlimited (null) for a super_admin, 0 for everyone else. */
  readonly creditLimitMicros?: Micros | null;
  readonly dailyLimitMicros?: Micros | null;
  readonly monthlyLimitMicros?: Micros | null;
  readonly concurrentCallsMax?: number | null;
  /** Default UTC. */
  readonly timeZone?: string;
  /** Default active. */
  readonly state?: AccountState;
  readonly rateDeckId?: string | null;
}

export interface AccountOutcome {
  readonly account: Account;
}

function settingsOf(input: CreateAccountInput): AccountSettings {
  return {
    name: input.name,
    mode: input.mode ?? 'prepaid',
    creditLimitMicros: input.creditLimitMicros !== undefined ? input.creditLimitMicros
      : input.tier === 'super_admin' ? null : micros(0n),
    dailyLimitMicros: input.dailyLimitMicros ?? null,
    monthlyLimitMicros: input.monthlyLimitMicros ?? null,
    concurrentCallsMax: input.concurrentCallsMax ?? null,
    timeZone: input.timeZone ?? 'UTC',
    state: input.state ?? 'active',
    rateDeckId: input.rateDeckId ?? null,
  };
}

/**
 * Creates an account under a parent of an allowed tier (a super_admin has none). Several roots
 * may exist: each super_admin is an operator with its own tree. The account gets its main book,
 * a revenue book in its own currency, and the world book of its currency exists from then on.
 */
export async function createAccount(
  deps: LedgerDeps,
  input: CreateAccountInput,
): Promise<LedgerResult<AccountOutcome>> {
  const id = checkAccountIdText(input.id, 'id');
  if (!id.ok) return id;
  if (!isAccountTier(input.tier)) return ledgerProblem('invalid_tier', `unknown tier`);
  const parentId = input.parentId === null ? null : checkAccountIdText(input.parentId, 'parent_id');
  if (parentId !== null && !parentId.ok) return parentId;
  const currency = checkCurrency(input.currency);
  if (!currency.ok) return currency;
  const settings = checkAccountSettings(settingsOf(input), input.tier);
  if (!settings.ok) return settings;
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, async (tx): Promise<LedgerResult<AccountOutcome>> => {
    let parent: Account | null = null;
    let parentDepth = 0;
    if (parentId !== null) {
      const [locked] = await tx.lockAccounts([parentId.value]);
      if (locked === undefined) {
        return ledgerProblem('parent_not_found', `no account ${parentId.value}`);
      }
      parent = locked.account;
      const chain = await loadChain(tx, parent.id);
      parentDepth = resellerDepthOf(chain ?? []);
    }
    if ((await tx.findAccount(id.value)) !== null) {
      return ledgerProblem('account_exists', `account ${id.value} exists`, { accountId: id.value });
    }
    const placed = placeUnder(input.tier, parent, parentDepth);
    if (!placed.ok) return placed;
    const account: Account = { ...settings.value, id: id.value, tier: input.tier,
      parentId: parent?.id ?? null, currency: currency.value, createdAtMs: nowMs,
      updatedAtMs: nowMs };
    await tx.insertAccount(account);
    await tx.ensureBooks([mainBook(account.id, account.currency),
      revenueBook(account.id, account.currency), worldBook(account.currency)]);
    return success({ account });
  });
}

export interface AccountView {
  readonly account: Account;
  readonly postedMicros: Micros;
  readonly pendingMicros: Micros;
  readonly spentTodayMicros: Micros;
  readonly spentMonthMicros: Micros;
  readonly funds: AvailableFunds;
  /** Revenue books, one per currency its children pay in. */
  readonly revenueBooks: readonly BookBalance[];
}

/** An account with its balances and available funds now. */
export async function getAccount(
  deps: LedgerDeps,
  accountId: string,
): Promise<LedgerResult<AccountView>> {
  const id = checkAccountIdText(accountId);
  if (!id.ok) return id;
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, async (tx) => readAccountView(tx, id.value, nowMs),
    { readOnly: true });
}

async function readAccountView(
  tx: LedgerTransaction,
  id: AccountId,
  nowMs: number,
): Promise<LedgerResult<AccountView>> {
  const account = await tx.findAccount(id);
  if (account === null) return ledgerProblem('account_not_found', `no account ${id}`);
  const books = await tx.findAccountBooks(id);
  const main = books.find((book) => book.id === mainBookId(id));
  if (main === undefined) return ledgerProblem('book_not_found', `account ${id} has no main book`);
  const { dayKey, monthKey } = spendWindowKeys(account.timeZone, nowMs);
  const windows = await tx.findSpendWindows([{ accountId: id, periodKey: dayKey },
    { accountId: id, periodKey: monthKey }]);
  const spent = (key: string): Micros =>
    windows.find((window) => window.periodKey === key)?.spentMicros ?? micros(0n);
  const fundsInput = { account, postedMicros: main.postedMicros, pendingMicros: main.pendingMicros,
    spentTodayMicros: spent(dayKey), spentMonthMicros: spent(monthKey) };
  return success({ ...fundsInput, funds: availableFunds(fundsInput),
    revenueBooks: books.filter((book) => book.kind === 'revenue') });
}

/** The account and all its ancestors, self first, root last. */
export async function getAccountChain(
  deps: LedgerDeps,
  accountId: string,
): Promise<LedgerResult<readonly Account[]>> {
  const id = checkAccountIdText(accountId);
  if (!id.ok) return id;
  return inTransaction(deps.store, async (tx) => {
    const chain = await loadChain(tx, id.value);
    if (chain === null) return ledgerProblem('account_not_found', `no account ${id.value}`);
    return success(chain);
  }, { readOnly: true });
}

export interface ChildrenPage {
  readonly accounts: readonly Account[];
  /** Pass as `afterId` for the next page; null on the last page. */
  readonly nextAfterId: AccountId | null;
}

export async function listChildren(
  deps: LedgerDeps,
  query: { parentId: string; afterId?: string; limit?: number },
): Promise<LedgerResult<ChildrenPage, LedgerCode>> {
  const parentId = checkAccountIdText(query.parentId, 'parent_id');
  if (!parentId.ok) return parentId;
  const afterId = query.afterId === undefined ? null : checkAccountIdText(query.afterId, 'after');
  if (afterId !== null && !afterId.ok) return afterId;
  const limit = Math.min(query.limit ?? ledgerLimits.childrenPageMax, ledgerLimits.childrenPageMax);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    return ledgerProblem('invalid_limit', 'a page holds at least one account');
  }
  return inTransaction(deps.store, async (tx): Promise<LedgerResult<ChildrenPage>> => {
    if ((await tx.findAccount(parentId.value)) === null) {
      return ledgerProblem('account_not_found', `no account ${parentId.value}`);
    }
    const accounts = await tx.listChildren({ parentId: parentId.value, tier: null,
      afterId: afterId?.value ?? null, openOnly: false, limit });
    const last = accounts.at(-1);
    return success({ accounts,
      nextAfterId: accounts.length === limit && last !== undefined ? last.id : null });
  }, { readOnly: true });
}
