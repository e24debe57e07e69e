import { randomInt } from 'node:crypto';
import {
  type CallOutcome,
  defaultExpectedDurationS,
  emptyQualityState,
  recordOutcome,
  viewQuality,
  type Carrier,
  type Clock,
  type QualityEvent,
  type QualityKeyState,
  type QualitySettings,
  type QualityView,
  type RateDeck,
  type RouteIndex,
  type RouteRule,
  type RoutingPolicy,
  type RoutingProvider,
  type RoutingView,
  routeIndexBuilder,
} from '@tollgate/core';
import type { CarrierStore } from './carrier-store.ts';

export interface RoutingCatalogOptions {
  readonly store: CarrierStore;
  readonly clock: Clock;
  readonly quality: QualitySettings;
  /** Configuration changed on another node is seen after at most this long. */
  readonly refreshMs: number;
  readonly log: (event: QualityLogEvent) => void;
}

export type QualityLogEvent = QualityEvent & { carrierId: string; prefix: string };

/** Quality keys (carrier x prefix) kept at most: the least recently fed go first. */
const qualityKeysMax = 100_000;
/** Merged route indexes kept (one per operator and set of decks); the oldest goes first. */
const routeIndexesMax = 16;
/** Prefixes added to an index per event-loop turn while it builds in the background. */
const routeIndexStepPrefixes = 20_000;

interface Snapshot {
  readonly loadedAtMs: number;
  readonly carriersByRoot: ReadonlyMap<string, readonly Carrier[]>;
  readonly carriersById: ReadonlyMap<string, Carrier>;
  readonly policies: ReadonlyMap<string, RoutingPolicy>;
  readonly rulesByAccount: ReadonlyMap<string, readonly RouteRule[]>;
}

export interface RoutingCatalog extends RoutingProvider {
  /** Drops the cached configuration: the next view reloads it (after a write on this node). */
  invalidate(): void;
  /** A call was routed to the carrier now (its calls-per-second count). */
  recordAttempt(carrierId: string): void;
  /** A routed call ended; feeds the carrier's quality for the prefix. */
  recordOutcome(carrierId: string, prefix: string, outcome: CallOutcome): void;
  qualityOf(carrierId: string): Array<QualityView & { prefix: string }>;
}

/**
 * The routing configuration of every operator, held in memory (a few hundred carriers and their
 * route plans at most) and reloaded every `refreshMs`; and the live counters of this node:
 * quality windows per carrier and prefix, calls per second per carrier. Several nodes each
 * count their own calls per second, so a cluster admits up to nodes x the maximum.
 */
/**
 * Merged route indexes (core `route-index.ts`) by the identity of their decks. An index is built
 * in the background, a slice per event-loop turn, so the first decisions after a change price
 * each deck on their own instead of stalling every call for the build.
 */
function routeIndexCache() {
  const deckIds = new WeakMap<RateDeck, number>();
  let nextDeckId = 1;
  const entries = new Map<string, { index: RouteIndex | null }>();
  // The core hands the same array while the decks are the same: found without a key.
  const byArray = new WeakMap<readonly RateDeck[],
    { key: string; entry: { index: RouteIndex | null } }>();
  const idOf = (deck: RateDeck) => {
    let id = deckIds.get(deck);
    if (id === undefined) {
      id = nextDeckId;
      nextDeckId += 1;
      deckIds.set(deck, id);
    }
    return id;
  };
  return {
    indexFor(decks: readonly RateDeck[], expectedS: number): RouteIndex | null {
      // Authorize always asks for the default; other durations (route listings) rate directly.
      if (expectedS !== defaultExpectedDurationS) return null;
      const known = byArray.get(decks);
      // An entry evicted since is not trusted: it may have stopped building.
      if (known !== undefined && entries.get(known.key) === known.entry) return known.entry.index;
      const key = decks.map(idOf).join(',');
      const found = entries.get(key);
      if (found !== undefined) {
        byArray.set(decks, { key, entry: found });
        return found.index;
      }
      if (entries.size >= routeIndexesMax) entries.delete(entries.keys().next().value!);
      const entry: { index: RouteIndex | null } = { index: null };
      entries.set(key, entry);
      byArray.set(decks, { key, entry });
      const builder = routeIndexBuilder(decks, expectedS);
      const step = () => {
        if (entries.get(key) !== entry) return;
        if (builder.step(routeIndexStepPrefixes)) entry.index = builder.result();
        else setImmediate(step);
      };
      setImmediate(step);
      return null;
    },
  };
}

export function createRoutingCatalog(options: RoutingCatalogOptions): RoutingCatalog {
  const { store, clock } = options;
  let snapshot: Snapshot | null = null;
  let loading: Promise<Snapshot> | null = null;
  const quality = new Map<string, QualityKeyState>();
  // Carriers with any quality window: the others are answered without building a key.
  const withQuality = new Set<string>();
  const perSecond = new Map<string, { second: number; count: number }>();

  async function load(): Promise<Snapshot> {
    const [carriers, policies, rules] = await Promise.all([store.listCarriers(),
      store.listPolicies(), store.listRules()]);
    const carriersByRoot = new Map<string, Carrier[]>();
    for (const carrier of carriers) {
      const list = carriersByRoot.get(carrier.rootAccountId) ?? [];
      list.push(carrier);
      carriersByRoot.set(carrier.rootAccountId, list);
    }
    const rulesByAccount = new Map<string, RouteRule[]>();
    for (const rule of rules) {
      const list = rulesByAccount.get(rule.accountId) ?? [];
      list.push(rule);
      rulesByAccount.set(rule.accountId, list);
    }
    return { loadedAtMs: clock.nowMs(), carriersByRoot, rulesByAccount,
      carriersById: new Map(carriers.map((carrier) => [carrier.id, carrier])),
      policies: new Map(policies.map((policy) => [policy.accountId, policy])) };
  }

  async function current(): Promise<Snapshot> {
    const fresh = snapshot !== null && clock.nowMs() - snapshot.loadedAtMs < options.refreshMs;
    if (fresh) return snapshot!;
    loading ??= load().then((loaded) => {
      snapshot = loaded;
      return loaded;
    }).finally(() => {
      loading = null;
    });
    return loading;
  }

  const keyOf = (carrierId: string, prefix: string) => `${carrierId}\u0000${prefix}`;
  const routeIndexes = routeIndexCache();

  function viewOf(loaded: Snapshot): RoutingView {
    return {
      carriersOf: (rootAccountId) => loaded.carriersByRoot.get(rootAccountId) ?? [],
      policiesOf: (accountIds) => accountIds.flatMap((id) => loaded.policies.get(id) ?? []),
      rulesOf: (accountIds) => accountIds.flatMap((id) => loaded.rulesByAccount.get(id) ?? []),
      quality: (carrierId, prefix, nowMs) => {
        if (!withQuality.has(carrierId)) return null;
        const state = quality.get(keyOf(carrierId, prefix));
        return state === undefined ? null : viewQuality(state, options.quality, nowMs);
      },
      callsPerSecondFull: (carrierId, nowMs) => {
        const carrier = loaded.carriersById.get(carrierId);
        if (carrier?.callsPerSecondMax == null) return false;
        const counter = perSecond.get(carrierId);
        return counter !== undefined && counter.second === Math.floor(nowMs / 1000) &&
          counter.count >= carrier.callsPerSecondMax;
      },
      routeIndex: routeIndexes.indexFor,
    };
  }

  return {
    view: async () => viewOf(await current()),
    ticket: () => randomInt(0, 2 ** 32 - 1),
    invalidate: () => {
      snapshot = null;
    },
    recordAttempt: (carrierId) => {
      const second = Math.floor(clock.nowMs() / 1000);
      const counter = perSecond.get(carrierId);
      if (counter === undefined || counter.second !== second) {
        perSecond.set(carrierId, { second, count: 1 });
      } else {
        counter.count += 1;
      }
    },
    recordOutcome: (carrierId, prefix, outcome) => {
      const key = keyOf(carrierId, prefix);
      let state = quality.get(key);
      if (state === undefined) {
        if (quality.size >= qualityKeysMax) quality.delete(quality.keys().next().value!);
        state = emptyQualityState();
      } else {
        quality.delete(key);
      }
      // Re-inserted so that the map's order is least recently fed first.
      quality.set(key, state);
      withQuality.add(carrierId);
      for (const event of recordOutcome(state, options.quality, outcome, clock.nowMs())) {
        options.log({ ...event, carrierId, prefix });
      }
    },
    qualityOf: (carrierId) => {
      const nowMs = clock.nowMs();
      const views: Array<QualityView & { prefix: string }> = [];
      for (const [key, state] of quality) {
        const [id, prefix] = key.split('\u0000');
        if (id === carrierId) {
          views.push({ ...viewQuality(state, options.quality, nowMs), prefix: prefix! });
        }
      }
      return views;
    },
  };
}
