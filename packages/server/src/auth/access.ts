import {
  problem,
  success,
  type Account,
  type LedgerCode,
  type LedgerService,
  type Problem,
  type Result,
} from '@tollgate/core';
import type { DeckSummary } from '../decks/deck-store.ts';
import type { Principal } from './api-keys.ts';

export const accessCodes = ['forbidden', 'scope_required'] as const;
export type AccessCode = (typeof accessCodes)[number];

/**
 * How far a key reaches from its account. `subtree`: the account itself and everything below
 * (read it, place its calls, make it keys). `descendants`: strictly below (top up, suspend,
 * change limits): an account never raises its own credit limit or credits itself.
 */
export type Reach = 'subtree' | 'descendants';

export interface Access {
  /** The target's chain (self first, root last) when the principal may act on it. */
  account(principal: Principal, accountId: string, reach: Reach):
    Promise<Result<readonly Account[], AccessCode | LedgerCode>>;
  /** The account whose subtree a listing covers: the one asked for, or the key's own. */
  listingScope(principal: Principal, accountId: string | undefined):
    Promise<Result<string, AccessCode | LedgerCode>>;
  /** An upload is visible to the operator and to keys at or above its owner. */
  ownsUpload(principal: Principal, ownerAccountId: string | null): Promise<boolean>;
  /** A deck is also visible to the account it is sold to (its own price list). */
  deckVisible(principal: Principal, deck: DeckSummary): Promise<boolean>;
  /** Decks are owned by the account of the key that uploaded them; the operator owns none. */
  ownerOf(principal: Principal): string | null;
}

/**
 * Tenant isolation. Every check walks the target's chain up to its root with
 * `getAccountChain` (bounded by the ledger's `accountChainDepthMax`), so a moved account is
 * judged by where it is now. Another tenant's account answers `forbidden`: account ids are
 * chosen by their creators and are not secrets, so a clear answer beats a feigned 404.
 */
export function createAccess(ledger: LedgerService): Access {
  const account: Access['account'] = async (principal, accountId, reach) => {
    const chain = await ledger.getAccountChain(accountId);
    if (!chain.ok) return chain;
    if (principal.kind === 'operator') return chain;
    const position = chain.value.findIndex((member) => member.id === principal.accountId);
    const allowed = reach === 'subtree' ? position >= 0 : position > 0;
    if (!allowed) {
      const detail = position === 0 ? 'a key cannot do this to its own account'
        : `account ${accountId} is outside the key's scope`;
      return problem('forbidden', detail);
    }
    return chain;
  };
  const ownsUpload: Access['ownsUpload'] = async (principal, ownerAccountId) => {
    if (principal.kind === 'operator') return true;
    if (ownerAccountId === null) return false;
    if (ownerAccountId === principal.accountId) return true;
    return (await account(principal, ownerAccountId, 'subtree')).ok;
  };
  return {
    account,
    listingScope: async (principal, accountId) => {
      if (accountId === undefined) {
        if (principal.kind === 'operator') {
          return problem('scope_required', 'the operator key names the tree: add ?account_id=');
        }
        return success(principal.accountId);
      }
      const chain = await account(principal, accountId, 'subtree');
      return chain.ok ? success(accountId) : chain;
    },
    ownsUpload,
    deckVisible: async (principal, deck) => {
      if (await ownsUpload(principal, deck.ownerAccountId)) return true;
      if (principal.kind === 'operator') return true;
      const self = await ledger.getAccountChain(principal.accountId);
      return self.ok && self.value[0]?.rateDeckId === deck.id;
    },
    ownerOf: (principal) => principal.kind === 'operator' ? null : principal.accountId,
  };
}

export type AccessProblem = Problem<AccessCode | LedgerCode>;
