import { assert } from '../kernel/assert.ts';
import type { Account, AccountId } from './account.ts';
import { ledgerLimits } from './ledger-limits.ts';
import type { LedgerTransaction } from './ledger-store.ts';

/**
 * The account and its ancestors up to the root, self first. Walked iteratively and bounded by
 * accountChainDepthMax; a cycle or an over-deep chain in storage is a bug, so it is asserted.
 * Null when the account does not exist.
 */
export async function loadChain(
  tx: LedgerTransaction,
  accountId: AccountId,
): Promise<Account[] | null> {
  const chain: Account[] = [];
  const seen = new Set<AccountId>();
  let nextId: AccountId | null = accountId;
  for (let level = 0; nextId !== null; level += 1) {
    assert(level < ledgerLimits.accountChainDepthMax, 'a chain is bounded by its depth limit');
    assert(!seen.has(nextId), 'the hierarchy has no cycle');
    seen.add(nextId);
    const account: Account | null = await tx.findAccount(nextId);
    if (account === null) {
      assert(level === 0, 'a parent link always names an existing account');
      return null;
    }
    chain.push(account);
    nextId = account.parentId;
  }
  return chain;
}

/** Resellers in a chain: the reseller depth of its first account. */
export function resellerDepthOf(chain: readonly Account[]): number {
  return chain.filter((account) => account.tier === 'reseller').length;
}

/**
 * Levels of resellers in the subtree of a reseller, itself counted: 1 when it has no reseller
 * children. Breadth-first and bounded by subtreeAccountsMax (an internal bound: asserted).
 */
export async function resellerSubtreeHeight(
  tx: LedgerTransaction,
  rootId: AccountId,
): Promise<number> {
  let level: AccountId[] = [rootId];
  let height = 0;
  let visited = 0;
  while (level.length > 0) {
    height += 1;
    assert(height <= ledgerLimits.accountChainDepthMax, 'reseller subtrees are bounded in depth');
    const next: AccountId[] = [];
    for (const parentId of level) {
      let afterId: AccountId | null = null;
      for (let page = 0; ; page += 1) {
        assert(page * ledgerLimits.childrenPageMax <= ledgerLimits.subtreeAccountsMax, 'bounded');
        const children = await tx.listChildren({ parentId, tier: 'reseller', afterId,
          openOnly: false, limit: ledgerLimits.childrenPageMax });
        visited += children.length;
        assert(visited <= ledgerLimits.subtreeAccountsMax, 'subtrees are bounded in size');
        next.push(...children.map((child) => child.id));
        const last = children.at(-1);
        if (last === undefined || children.length < ledgerLimits.childrenPageMax) break;
        afterId = last.id;
      }
    }
    level = next;
  }
  return height;
}
