import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';

/**
 * Account ids are chosen by the caller (like TigerBeetle's client-generated ids), so a retried
 * create cannot make two accounts. Only ASCII letters, digits and `_.-`: ids are sorted by code
 * unit for the global lock order, and SQL sorts them the same way with the "C" collation.
 */
export type AccountId = string & { readonly __brand: 'account_id' };

export const accountTiers = ['super_admin', 'admin', 'reseller', 'customer'] as const;
export type AccountTier = (typeof accountTiers)[number];

export const accountModes = ['prepaid', 'postpaid'] as const;
export type AccountMode = (typeof accountModes)[number];

export const accountStates = ['active', 'suspended', 'closed'] as const;
export type AccountState = (typeof accountStates)[number];

export interface Account {
  readonly id: AccountId;
  readonly tier: AccountTier;
  /** null only for a super_admin: the root of its tree. */
  readonly parentId: AccountId | null;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly mode: AccountMode;
  /** How far below zero the main book may go. 0 for prepaid; null (unlimited): root only. */
  readonly creditLimitMicros: Micros | null;
  /** Spend caps per local calendar day and month of `timeZone`; null means no cap. */
  readonly dailyLimitMicros: Micros | null;
  readonly monthlyLimitMicros: Micros | null;
  /** Stored here, enforced by the charging layer. */
  readonly concurrentCallsMax: number | null;
  readonly timeZone: string;
  readonly state: AccountState;
  /** The rate deck its parent sells it. */
  readonly rateDeckId: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/**
 * An id as chosen, or an id chosen under the namespace of the account whose key made it:
 * `<that account>~<id>`, so `<root>~<id>` from a root's key and `<root>~<admin>~<id>` from its
 * admin's (server/http/routes/account-routes.ts). Two operators, or two sibling resellers, may
 * each have an `alice`, and neither can take, block or detect the other's.
 */
const idPattern = /^(?:[A-Za-z0-9_.-]+~)*[A-Za-z0-9_.-]+$/;
const chosenIdPattern = /^[A-Za-z0-9_.-]+$/;

/** The separator between a namespace (an account's id) and an id chosen in it. */
export const accountNamespaceSeparator = '~';

/** True for an id as a caller chooses it: no namespace. */
export function isChosenAccountId(text: string): boolean {
  return text.length > 0 && text.length <= ledgerLimits.idLengthMax &&
    chosenIdPattern.test(text);
}

/**
 * Ids Tollgate gives its own accounts (a carrier's accrual account) start with `_`. Tenants
 * choose the other ids, so no tenant can create, and thereby take over, one of these.
 */
export const internalAccountIdPrefix = '_';

export function isInternalAccountId(id: string): boolean {
  return id.startsWith(internalAccountIdPrefix);
}

export function isAccountId(text: string): text is AccountId {
  return text.length > 0 && text.length <= ledgerLimits.accountIdLengthMax &&
    idPattern.test(text);
}

export function parseAccountId(text: string): LedgerResult<AccountId, 'invalid_account_id'> {
  if (!isAccountId(text)) {
    const max = ledgerLimits.idLengthMax;
    return ledgerProblem('invalid_account_id', `"${text.slice(0, 80)}" is not an account id ` +
      `(1-${max} of A-Z a-z 0-9 _ . -, or <namespace>~<id>)`);
  }
  return success(text);
}

/** The lock order of the whole system: every transaction locks accounts sorted this way. */
export function compareAccountIds(a: AccountId, b: AccountId): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function sortedUniqueAccountIds(ids: Iterable<AccountId>): AccountId[] {
  return [...new Set(ids)].sort(compareAccountIds);
}

/** Which tiers may be the parent of each tier (charging.md, "Accounts and the hierarchy"). */
const parentTiers: Record<AccountTier, readonly AccountTier[]> = {
  super_admin: [],
  admin: ['super_admin'],
  reseller: ['admin', 'reseller'],
  customer: ['super_admin', 'admin', 'reseller'],
};

/**
 * The reseller depth an account of `tier` would have under `parent`, or a problem when it cannot
 * go there. `parentResellerDepth` counts the resellers in the parent's chain, itself included.
 */
export function placeUnder(
  tier: AccountTier,
  parent: Account | null,
  parentResellerDepth: number,
): LedgerResult<number, 'root_has_parent' | 'parent_required' | 'parent_tier_not_allowed' |
  'reseller_depth_exceeded' | 'account_closed'> {
  if (tier === 'super_admin') {
    if (parent !== null) return ledgerProblem('root_has_parent', 'a super_admin has no parent');
    return success(0);
  }
  if (parent === null) return ledgerProblem('parent_required', `a ${tier} needs a parent`);
  if (!parentTiers[tier].includes(parent.tier)) {
    // Says where the account may go, not only where it may not (issue 21).
    return ledgerProblem('parent_tier_not_allowed', `a ${tier} goes under a ` +
      `${parentTiers[tier].join(' or ')}, not under a ${parent.tier}`, { accountId: parent.id });
  }
  if (parent.state === 'closed') {
    return ledgerProblem('account_closed', `parent ${parent.id} is closed`,
      { accountId: parent.id });
  }
  const depth = tier === 'reseller' ? parentResellerDepth + 1 : parentResellerDepth;
  if (depth > ledgerLimits.resellerDepthMax) {
    return ledgerProblem('reseller_depth_exceeded',
      `resellers nest at most ${ledgerLimits.resellerDepthMax} deep`, { accountId: parent.id });
  }
  return success(depth);
}
