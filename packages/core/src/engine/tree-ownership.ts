import type { Account } from '../ledger/account.ts';

/**
 * Which account trees (a root and everything under it) this engine owns. One engine owns each
 * tree; a request for another tree is not decided here but handed to its owner.
 */
export interface TreeOwnership {
  owns(rootId: string): boolean;
}

export const ownsEveryTree: TreeOwnership = { owns: () => true };

/** Thrown when a request touches a tree another engine owns: nothing was decided or written. */
export class NotOwnedHere extends Error {
  override readonly name = 'NotOwnedHere';
  readonly rootId: string;

  constructor(rootId: string) {
    super(`account tree ${rootId} is owned by another node`);
    this.rootId = rootId;
  }
}

/** Chains are short (root > admin > resellers > customer); a longer walk is a cycle. */
export const treeDepthMax = 64;

/** The root of each account, from a full list of accounts (their parents are in it). */
export function rootsOf(accounts: readonly Account[]): Map<string, string> {
  const byId = new Map(accounts.map((account) => [account.id as string, account]));
  const roots = new Map<string, string>();
  const rootOf = (id: string): string => {
    const known = roots.get(id);
    if (known !== undefined) return known;
    let current = byId.get(id);
    for (let depth = 0; current !== undefined && depth < treeDepthMax; depth += 1) {
      if (current.parentId === null) break;
      const parentRoot = roots.get(current.parentId);
      if (parentRoot !== undefined) {
        roots.set(id, parentRoot);
        return parentRoot;
      }
      current = byId.get(current.parentId);
    }
    const root = current?.id ?? id;
    roots.set(id, root);
    return root;
  };
  for (const account of accounts) rootOf(account.id);
  return roots;
}
