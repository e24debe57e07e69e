import type { Clock } from '../kernel/clock.ts';
import { dayMs, zoneOffsetMs } from '../kernel/time-zone.ts';
import { newActivity, type AccountActivity } from './account-activity.ts';
import { resolveFraudConfig } from './fraud-config.ts';
import { fraudLimits } from './fraud-limits.ts';
import type { AlertSink, FraudAccounts, FraudHooks, FraudStore } from './fraud-ports.ts';
import type { FraudConfig, FraudMeasure, RiskList } from './fraud-types.ts';
import { riskIndexOf, type RiskIndex } from './risk-index.ts';
import type { RefusalAnswer } from '../charging/charging-types.ts';

const hourMs = 3_600_000;

export interface FraudSettings {
  /** How often changed profiles are written (the part of the state that outlives a day). */
  readonly snapshotIntervalMs: number;
}

export const fraudSettingsDefault: FraudSettings = { snapshotIntervalMs: 60_000 };

export interface FraudMonitorDeps {
  readonly clock: Clock;
  readonly store: FraudStore;
  readonly accounts: FraudAccounts;
  readonly sink: AlertSink;
  readonly hooks?: Partial<FraudHooks>;
  /** A new unique id that sorts after every earlier one (the alert and measure ids). */
  readonly newId: (prefix: string) => string;
  readonly settings?: FraudSettings;
}

/** The chain of an account as the monitor needs it, cached for `chainCacheTtlMs`. */
export interface ChainInfo {
  readonly ids: readonly string[];
  readonly rootId: string;
  readonly scopePath: string;
  readonly timeZone: string;
  /** Postpaid with a positive credit limit: credit-limit alerts apply. */
  readonly postpaidCredit: boolean;
  readonly loadedAtMs: number;
}

/** An account's blocks and suspension in force. */
export interface AccountMeasures {
  suspension: FraudMeasure | null;
  readonly blocks: Map<string, FraudMeasure>;
}

/** Everything the monitor keeps in memory; every map is bounded by a named limit. */
export interface MonitorState {
  readonly deps: FraudMonitorDeps;
  readonly hooks: FraudHooks;
  readonly settings: FraudSettings;
  readonly configs: Map<string, FraudConfig>;
  readonly riskLists: Map<string, RiskList>;
  riskIndex: RiskIndex;
  readonly measures: Map<string, AccountMeasures>;
  readonly activities: Map<string, AccountActivity>;
  /** Live session id -> account id, for updates and terminates (their answers name no account). */
  readonly sessions: Map<string, string>;
  readonly chains: Map<string, ChainInfo>;
  /** Accounts whose chain is being read again in the background. */
  readonly refreshing: Map<string, Promise<void>>;
  /** Hooks still running (ending a suspended account's calls); awaited before closing. */
  readonly background: Set<Promise<void>>;
  readonly lastAlertMs: Map<string, number>;
  readonly refusals: Map<string, RefusalAnswer>;
  /** Accounts being suspended right now: a second finding must not suspend twice. */
  readonly suspending: Set<string>;
  readonly creditDirty: Set<string>;
  readonly eventIds: Set<string>;
  lastSnapshotMs: number;
}

export function newMonitorState(deps: FraudMonitorDeps): MonitorState {
  const onError = deps.hooks?.onError ?? (() => undefined);
  return {
    deps,
    hooks: { onAccountSuspended: deps.hooks?.onAccountSuspended ?? (async () => undefined),
      onError },
    settings: deps.settings ?? fraudSettingsDefault,
    configs: new Map(), riskLists: new Map(), riskIndex: riskIndexOf([]), measures: new Map(),
    activities: new Map(), sessions: new Map(), chains: new Map(), refreshing: new Map(),
    background: new Set(),
    lastAlertMs: new Map(),
    refusals: new Map(), suspending: new Set(), creditDirty: new Set(), eventIds: new Set(),
    lastSnapshotMs: deps.clock.nowMs(),
  };
}

/** Alert suppression and dedupe keys remembered. */
export const alertKeysMax = 200_000;

/** Inserts into a bounded map, dropping the oldest entry first when it is full. */
export function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

export function activityOf(state: MonitorState, accountId: string, nowMs: number) {
  let activity = state.activities.get(accountId);
  if (activity === undefined) {
    activity = newActivity(accountId, nowMs);
    boundedSet(state.activities, accountId, activity, fraudLimits.accountsTrackedMax);
  }
  return activity;
}

/**
 * The chain from cache, or read through the ledger; null when there is no such account. A
 * cached chain past `chainRefreshAfterMs` is still used while one background read refreshes it.
 */
export async function chainInfoOf(state: MonitorState, accountId: string, nowMs: number):
  Promise<ChainInfo | null> {
  const cached = state.chains.get(accountId);
  if (cached !== undefined && nowMs < cached.loadedAtMs + fraudLimits.chainRefreshAfterMs) {
    return cached;
  }
  if (cached !== undefined && nowMs < cached.loadedAtMs + fraudLimits.chainStaleMsMax) {
    if (!state.refreshing.has(accountId)) {
      const refresh = loadChainInfo(state, accountId, nowMs).then(() => undefined,
        (error: unknown) => state.hooks.onError(error))
        .finally(() => state.refreshing.delete(accountId));
      state.refreshing.set(accountId, refresh);
    }
    return cached;
  }
  return loadChainInfo(state, accountId, nowMs);
}

async function loadChainInfo(state: MonitorState, accountId: string, nowMs: number):
  Promise<ChainInfo | null> {
  const chain = await state.deps.accounts.chainOf(accountId);
  if (chain === null || chain.length === 0) {
    state.chains.delete(accountId);
    return null;
  }
  const ids = chain.map((account) => account.id as string);
  const self = chain[0]!;
  const info: ChainInfo = { ids, rootId: ids[ids.length - 1]!,
    scopePath: `/${[...ids].reverse().join('/')}/`, timeZone: self.timeZone,
    postpaidCredit: self.mode === 'postpaid' && self.creditLimitMicros !== null &&
      self.creditLimitMicros > 0n,
    loadedAtMs: nowMs };
  boundedSet(state.chains, accountId, info, fraudLimits.chainsCachedMax);
  return info;
}

export function configOf(state: MonitorState, chain: ChainInfo): FraudConfig {
  return resolveFraudConfig(chain.ids, state.configs).config;
}

/** Local day number and hour of an instant in the account's zone. */
export function localTimeOf(zone: string, atMs: number): { day: number; hour: number } {
  const localMs = atMs + zoneOffsetMs(zone, atMs);
  const day = Math.floor(localMs / dayMs);
  return { day, hour: Math.floor((localMs - day * dayMs) / hourMs) };
}

export function measuresOf(state: MonitorState, accountId: string): AccountMeasures {
  let entry = state.measures.get(accountId);
  if (entry === undefined) {
    entry = { suspension: null, blocks: new Map() };
    state.measures.set(accountId, entry);
  }
  return entry;
}

/** The block covering a number (its longest blocked prefix), if any. */
export function blockFor(measures: AccountMeasures | undefined, callee: string):
  FraudMeasure | null {
  if (measures === undefined || measures.blocks.size === 0) return null;
  const digits = Math.min(callee.length, fraudLimits.prefixDigitsMax);
  for (let length = digits; length >= 1; length -= 1) {
    const block = measures.blocks.get(callee.slice(0, length));
    if (block !== undefined) return block;
  }
  return null;
}

export function rememberMeasure(state: MonitorState, measure: FraudMeasure): void {
  const entry = measuresOf(state, measure.accountId);
  if (measure.kind === 'suspend') entry.suspension = measure;
  else if (measure.prefix !== null) entry.blocks.set(measure.prefix, measure);
}

export function forgetMeasure(state: MonitorState, measure: FraudMeasure): void {
  const entry = state.measures.get(measure.accountId);
  if (entry === undefined) return;
  if (measure.kind === 'suspend' && entry.suspension?.id === measure.id) entry.suspension = null;
  if (measure.prefix !== null && entry.blocks.get(measure.prefix)?.id === measure.id) {
    entry.blocks.delete(measure.prefix);
  }
  if (entry.suspension === null && entry.blocks.size === 0) {
    state.measures.delete(measure.accountId);
  }
}

/** Runs storage or delivery work whose failure must not fail the call; assertions still throw. */
export async function survive(state: MonitorState, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Error && error.name === 'AssertionError') throw error;
    state.hooks.onError(error);
  }
}
