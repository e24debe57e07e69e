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
  /** The root of the key's tree; null for the operator key, which has no tree. */
  rootOf(principal: Principal): Promise<string | null>;
  /**
   * A deck may price an account or a carrier of the tree under `rootAccountId` when the
   * operator uploaded it (no owner) or an account of that tree owns it: never another tree's
   * private price list, whoever asks.
   */
  deckUsableInTree(deck: DeckSummary, rootAccountId: string): Promise<boolean>;
}

/** The one answer for an account the key may not see and for one that does not exist. */
export function accountNotFound(accountId: string) {
  return problem('account_not_found', `no account ${accountId}`);
}

/**
 * Tenant isolation. Every check walks the target's chain up to its root with
 * `getAccountChain` (bounded by the ledger's `accountChainDepthMax`), so a moved account is
 * judged by where it is now. Another tenant's account answers exactly like a missing one
 * (`account_not_found`, same message): tenants are hostile, and a different answer would let
 * them map their neighbours' ids.
 */
export function createAccess(ledger: LedgerService): Access {
  const account: Access['account'] = async (principal, accountId, reach) => {
    const chain = await ledger.getAccountChain(accountId);
    if (!chain.ok) return chain;
    if (principal.kind === 'operator') return chain;
    const position = chain.value.findIndex((member) => member.id === principal.accountId);
    const allowed = reach === 'subtree' ? position >= 0 : position > 0;
    // The key's own account is known to it: that refusal may say why. Anything outside the
    // key's tree answers exactly as a missing account would, so ids cannot be probed.
    if (position === 0 && !allowed) {
      return problem('forbidden', 'a key cannot do this to its own account');
    }
    if (!allowed) return accountNotFound(accountId);
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
    rootOf: async (principal) => {
      if (principal.kind === 'operator') return null;
      const chain = await ledger.getAccountChain(principal.accountId);
      return chain.ok ? chain.value.at(-1)?.id ?? null : null;
    },
    deckUsableInTree: async (deck, rootAccountId) => {
      if (deck.ownerAccountId === null) return true;
      const chain = await ledger.getAccountChain(deck.ownerAccountId);
      return chain.ok && chain.value.at(-1)?.id === rootAccountId;
    },
  };
}

export type AccessProblem = Problem<AccessCode | LedgerCode>;
