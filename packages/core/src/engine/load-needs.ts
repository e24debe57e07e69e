import { spendKey } from '../ledger/spend-window.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import { ratePairKey, type EngineNeeds, type EngineState } from './engine-state.ts';
import type { EngineStorage } from './engine-storage.ts';

/**
 * Loads what a decision lacked and adds it to memory. Runs outside the decision queue, so other
 * decisions go on meanwhile; a key they made known in the meantime is left as they made it
 * (memory is never older than storage for a key it knows).
 */
export async function loadNeeds(
  storage: EngineStorage,
  state: EngineState,
  needs: EngineNeeds,
  transferIdBlock: number,
): Promise<void> {
  await Promise.all([
    loadAccounts(storage, state, needs.accounts ?? []),
    loadKeyed(needs.sessions ?? [], (id) => state.sessions.has(id),
      (ids) => storage.loadSessions(ids), (session) => session.sessionId,
      (id, session) => (session === null ? state.sessions.set(id, null)
        : state.putSession(session))),
    loadKeyed(needs.reservations ?? [], (id) => state.reservations.has(id),
      (ids) => storage.loadReservations(ids), (reservation) => reservation.id,
      (id, reservation) => state.reservations.set(id, reservation)),
    loadKeyed(needs.spend ?? [], (key) => state.spend.has(spendKey(key)),
      (keys) => storage.loadSpendWindows(keys), spendKey,
      (key, window) => state.spend.set(spendKey(key), window?.spentMicros ?? null), spendKey),
    loadKeyed(needs.outcomes ?? [], (key) => state.outcomes.has(key),
      (keys) => storage.loadOutcomes(keys), (outcome) => outcome.key,
      (key, outcome) => state.outcomes.set(key, outcome)),
    loadBundles(storage, state, needs),
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
 * An account memory does not know is absent, unless another writer created it: the snapshot
 * holds every account this engine owns, and only the owner creates accounts in its trees.
 */
async function loadAccounts(storage: EngineStorage, state: EngineState,
  ids: readonly string[]): Promise<void> {
  const unknown = ids.filter((id) => !state.accounts.has(id));
  if (unknown.length === 0) return;
  const found = await storage.loadAccounts(unknown);
  if (found.length > 0) {
    throw new Error(`accounts ${found.map((account) => account.id).join(', ')} were ` +
      'created by another writer of this database: one engine owns each account tree');
  }
  for (const id of unknown) if (!state.accounts.has(id)) state.accounts.set(id, null);
}

async function loadBundles(storage: EngineStorage, state: EngineState,
  needs: EngineNeeds): Promise<void> {
  const accountIds = (needs.bundleAccounts ?? []).filter((id) => !state.bundleAccounts.has(id));
  const bundleIds = (needs.bundleIds ?? []).filter((id) => !state.bundles.has(id));
  if (accountIds.length === 0 && bundleIds.length === 0) return;
  const found = await storage.loadBundles({ accountIds, bundleIds });
  for (const bundle of found) if (!state.bundles.has(bundle.id)) state.bundles.set(bundle.id, bundle);
  for (const id of bundleIds) if (!state.bundles.has(id)) state.bundles.set(id, null);
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
