import { spendKey } from '../ledger/spend-window.ts';
import { reservationIdOf } from '../charging/session-state.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import {
  ratePairKey,
  type AbsentKey,
  type EngineNeeds,
  type EngineState,
} from './engine-state.ts';
import type { EngineStorage } from './engine-storage.ts';
import { NotOwnedHere, treeDepthMax, type TreeOwnership } from './tree-ownership.ts';

/** Memory lacked an account of a tree this engine owns: it is out of date and must reload. */
export class EngineMemoryStale extends Error {
  override readonly name = 'EngineMemoryStale';
}

/**
 * Loads what a decision lacked and adds it to memory. Runs outside the decision queue, so other
 * decisions go on meanwhile; a key they made known in the meantime is left as they made it
 * (memory is never older than storage for a key it knows). Adds to `absent` the ids found
 * nowhere, for the asking decision only (see AbsentKey).
 */
export async function loadNeeds(
  storage: EngineStorage,
  state: EngineState,
  ownership: TreeOwnership,
  needs: EngineNeeds,
  transferIdBlock: number,
  absent: Set<AbsentKey>,
): Promise<void> {
  const foreign = (accounts: readonly ForeignCandidate[]) =>
    checkForeign(storage, state, ownership, accounts);
  // A session memory lacks is a new call's (or a closed one's), and the next thing its decision
  // asks for is the session's reservation, whose id follows from the session's: both are
  // loaded now, or the decision would fault, be undone and run once more for it.
  const reservationIds = [...new Set([...needs.reservations ?? [],
    ...(needs.sessions ?? []).map(reservationIdOf)])];
  await Promise.all([
    loadAccounts(storage, state, foreign, needs.accounts ?? [], absent),
    loadKeyed(needs.sessions ?? [], (id) => state.sessions.has(id),
      async (ids) => {
        const sessions = await storage.loadSessions(ids);
        for (const session of sessions) {
          try {
            await foreign([{ id: session.accountId }]);
          } catch (error) {
            if (error instanceof NotOwnedHere) {
              state.noteForeignSession(session.sessionId, error.rootId);
            }
            throw error;
          }
        }
        return sessions;
      }, (session) => session.sessionId,
      (id, session) => (session === null ? absent.add(`session:${id}`)
        : state.putSession(session))),
    loadKeyed(reservationIds, (id) => state.reservations.has(id),
      async (ids) => {
        const reservations = await storage.loadReservations(ids);
        await foreign(reservations.flatMap((reservation) =>
          reservation.legs.map((leg) => ({ id: leg.accountId }))));
        return reservations;
      }, (reservation) => reservation.id,
      (id, reservation) => (reservation === null ? absent.add(`reservation:${id}`)
        : state.reservations.set(id, reservation))),
    loadKeyed(needs.spend ?? [], (key) => state.spend.has(spendKey(key)),
      (keys) => storage.loadSpendWindows(keys), spendKey,
      (key, window) => state.spend.set(spendKey(key), window?.spentMicros ?? null), spendKey),
    loadKeyed(needs.outcomes ?? [], (key) => state.outcomes.has(key),
      (keys) => storage.loadOutcomes(keys), (outcome) => outcome.key,
      (key, outcome) => (outcome === null ? absent.add(`outcome:${key}`)
        : state.outcomes.set(key, outcome))),
    loadBundles(storage, state, needs, absent),
    loadRates(storage, state, needs),
    topUpTransferIds(storage, state, needs.transferIds ?? 0, transferIdBlock),
  ]);
}

/** Loads the unknown keys and records each one, found or known to be absent (null). */
async function loadKeyed<K, V>(
  keys: readonly K[],
  known: (key: K) => boolean,
  load: (keys: K[]) => Promise<V[]>,
  keyOfValue: (value: V) => string,
  remember: (key: K, value: V | null) => unknown,
  keyText: (key: K) => string = String,
): Promise<void> {
  const unknown = keys.filter((key) => !known(key));
  if (unknown.length === 0) return;
  const found = new Map((await load(unknown)).map((value) => [keyOfValue(value), value]));
  for (const key of unknown) {
    if (!known(key)) remember(key, found.get(keyText(key)) ?? null);
  }
}

/**
 * Stored data of accounts memory does not hold belongs to another engine's tree (NotOwnedHere,
 * the request goes to that tree's owner), or, if this engine owns the tree, memory is out of
 * date (a tree it just took over): the snapshot holds every account of the trees it owns.
 */
async function checkForeign(storage: EngineStorage, state: EngineState,
  ownership: TreeOwnership, accounts: readonly ForeignCandidate[]): Promise<void> {
  for (const { id, parentId } of accounts) {
    if (state.accounts.has(id)) continue;
    const chain = await storedChainOf(storage, state, id, parentId);
    const rootId = chain.at(-1)!;
    if (!ownership.owns(rootId)) {
      for (const member of chain) state.foreignRoots.set(member, rootId);
      throw new NotOwnedHere(rootId);
    }
    throw new EngineMemoryStale(`account ${id} of an owned tree is not in memory`);
  }
}

/** A stored account, and its parent when it was read already (undefined: not read yet). */
interface ForeignCandidate {
  readonly id: string;
  readonly parentId?: string | null;
}

/** A stored account and its ancestors up to the root (or to one already known as foreign). */
async function storedChainOf(storage: EngineStorage, state: EngineState, accountId: string,
  parentId: string | null | undefined): Promise<string[]> {
  const chain = [accountId];
  if (parentId === null) return chain;
  if (parentId !== undefined) chain.push(parentId);
  for (let depth = 0; depth < treeDepthMax; depth += 1) {
    const id = chain.at(-1)!;
    const knownRoot = state.foreignRoots.get(id);
    if (knownRoot !== undefined) return knownRoot === id ? chain : [...chain, knownRoot];
    const [account] = await storage.loadAccounts([id]);
    if (account === undefined || account.parentId === null) return chain;
    chain.push(account.parentId);
  }
  throw new Error(`account ${accountId} has more than ${treeDepthMax} ancestors`);
}

/**
 * An account memory does not know is absent, unless it is stored: then it belongs to a tree
 * another engine owns (see checkForeign).
 */
async function loadAccounts(storage: EngineStorage, state: EngineState,
  foreign: (accounts: readonly ForeignCandidate[]) => Promise<void>, ids: readonly string[],
  absent: Set<AbsentKey>): Promise<void> {
  const unknown = ids.filter((id) => !state.accounts.has(id));
  if (unknown.length === 0) return;
  const found = await storage.loadAccounts(unknown);
  await foreign(found.map((account) => ({ id: account.id, parentId: account.parentId })));
  for (const id of unknown) if (!state.accounts.has(id)) absent.add(`account:${id}`);
}

async function loadBundles(storage: EngineStorage, state: EngineState,
  needs: EngineNeeds, absent: Set<AbsentKey>): Promise<void> {
  const accountIds = (needs.bundleAccounts ?? []).filter((id) => !state.bundleAccounts.has(id));
  const bundleIds = (needs.bundleIds ?? []).filter((id) => !state.bundles.has(id));
  if (accountIds.length === 0 && bundleIds.length === 0) return;
  const found = await storage.loadBundles({ accountIds, bundleIds });
  for (const bundle of found) {
    if (!state.bundles.has(bundle.id)) state.bundles.set(bundle.id, bundle);
  }
  for (const id of bundleIds) if (!state.bundles.has(id)) absent.add(`bundle:${id}`);
  for (const id of accountIds) state.bundleAccounts.add(id);
}

async function loadRates(storage: EngineStorage, state: EngineState,
  needs: EngineNeeds): Promise<void> {
  const pairs = (needs.ratePairs ?? []).filter((pair) => !state.rates.has(ratePairKey(pair)));
  if (pairs.length === 0) return;
  const found = await storage.loadExchangeRates(pairs);
  const byPair = new Map<string, ExchangeRate[]>();
  for (const rate of found) {
    const key = ratePairKey(rate);
    byPair.set(key, [...(byPair.get(key) ?? []), rate]);
  }
  for (const pair of pairs) {
    const key = ratePairKey(pair);
    if (!state.rates.has(key)) state.rates.set(key, byPair.get(key) ?? []);
  }
}

async function topUpTransferIds(storage: EngineStorage, state: EngineState, needed: number,
  block: number): Promise<void> {
  if (state.transferIds.length >= needed) return;
  const ids = await storage.allocateTransferIds(Math.max(needed, block));
  state.transferIds.push(...ids);
  state.transferIds.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
