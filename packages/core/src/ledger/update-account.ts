import { success } from '../kernel/result.ts';
import { placeUnder, sortedUniqueAccountIds, type Account, type AccountId } from './account.ts';
import { loadChain, resellerDepthOf, resellerSubtreeHeight } from './account-chain.ts';
import { checkAccountSettings, type AccountSettings } from './account-settings.ts';
import type { AccountOutcome } from './account-use-cases.ts';
import { checkAccountIdText } from './ledger-input.ts';
import { ledgerLimits } from './ledger-limits.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';
import { TransactionConflictError, type LedgerTransaction } from './ledger-store.ts';
import { inTransaction, type LedgerDeps } from './ledger-work.ts';

export interface UpdateAccountInput {
  readonly id: string;
  /** Fields to change; absent fields keep their value. Tier and currency never change. */
  readonly changes: Partial<AccountSettings>;
  /** Moves the account under another parent (checked for tier, depth and cycles). */
  readonly parentId?: string;
}

/**
 * Changes limits, deck, state (suspend, activate, close) or the parent. Closing needs every
 * child closed first. A move locks the account, its old parent and the new parent's whole chain,
 * and re-reads that chain under the locks: two concurrent moves that could close a cycle share a
 * lock, so the second sees the first and refuses.
 */
export async function updateAccount(
  deps: LedgerDeps,
  input: UpdateAccountInput,
): Promise<LedgerResult<AccountOutcome>> {
  const id = checkAccountIdText(input.id, 'id');
  if (!id.ok) return id;
  const newParentId = input.parentId === undefined ? null
    : checkAccountIdText(input.parentId, 'parent_id');
  if (newParentId !== null && !newParentId.ok) return newParentId;
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, async (tx): Promise<LedgerResult<AccountOutcome>> => {
    const current = await tx.findAccount(id.value);
    if (current === null) return ledgerProblem('account_not_found', `no account ${id.value}`);
    const moving = newParentId !== null && newParentId.value !== current.parentId;
    const placed = moving ? await lockForMove(tx, current, newParentId.value)
      : await lockAlone(tx, current);
    if (!placed.ok) return placed;
    const settings = checkAccountSettings({ ...placed.value, ...input.changes },
      placed.value.tier);
    if (!settings.ok) return settings;
    const next: Account = { ...placed.value, ...settings.value, updatedAtMs: nowMs };
    if (next.state === 'closed' && current.state !== 'closed') {
      const open = await tx.listChildren({ parentId: next.id, tier: null, afterId: null,
        openOnly: true, limit: 1 });
      if (open.length > 0) {
        return ledgerProblem('account_has_open_children', `close the children of ${next.id} first`,
          { accountId: next.id });
      }
    }
    await tx.updateAccount(next);
    return success({ account: next });
  });
}

async function lockAlone(tx: LedgerTransaction, current: Account): Promise<LedgerResult<Account>> {
  const [locked] = await tx.lockAccounts([current.id]);
  if (locked === undefined) return ledgerProblem('account_not_found', `no account ${current.id}`);
  return success(locked.account);
}

async function lockForMove(
  tx: LedgerTransaction,
  current: Account,
  newParentId: AccountId,
): Promise<LedgerResult<Account>> {
  const chainBefore = await loadChain(tx, newParentId);
  if (chainBefore === null) return ledgerProblem('parent_not_found', `no account ${newParentId}`);
  const lockIds = [current.id, ...chainBefore.map((account) => account.id)];
  if (current.parentId !== null) lockIds.push(current.parentId);
  const locked = await tx.lockAccounts(sortedUniqueAccountIds(lockIds));
  const self = locked.find((entry) => entry.account.id === current.id)?.account;
  if (self === undefined) return ledgerProblem('account_not_found', `no account ${current.id}`);
  const chain = await loadChain(tx, newParentId);
  const same = chain !== null && chain.length === chainBefore.length &&
    chain.every((account, index) => account.id === chainBefore[index]?.id);
  if (!same) throw new TransactionConflictError('the new parent moved while locking');
  if (chain.some((account) => account.id === self.id)) {
    return ledgerProblem('hierarchy_cycle', `${self.id} is an ancestor of ${newParentId}`,
      { accountId: self.id });
  }
  const [newParent] = chain;
  if (newParent === undefined) return ledgerProblem('parent_not_found', `no ${newParentId}`);
  const depth = placeUnder(self.tier, newParent, resellerDepthOf(chain));
  if (!depth.ok) return depth;
  if (self.tier === 'reseller') {
    const height = await resellerSubtreeHeight(tx, self.id);
    if (depth.value + height - 1 > ledgerLimits.resellerDepthMax) {
      return ledgerProblem('reseller_depth_exceeded',
        `moving ${self.id} would nest resellers deeper than ${ledgerLimits.resellerDepthMax}`,
        { accountId: self.id });
    }
  }
  return success({ ...self, parentId: newParent.id });
}
