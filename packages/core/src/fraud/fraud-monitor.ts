import type {
  AuthorizeInput,
  EventAnswer,
  EventInput,
  GrantAnswer,
  RefusalAnswer,
  TerminateAnswer,
} from '../charging/charging-types.ts';
import { problem, success, type Result } from '../kernel/result.ts';
import { checkCreditLimits } from './credit-alerts.ts';
import { checkFraudConfig, checkRiskList, resolveFraudConfig } from './fraud-config.ts';
import { expiredMeasures, releaseMeasure } from './fraud-actions.ts';
import { fraudLimits } from './fraud-limits.ts';
import {
  checkAuthorize,
  forgetStaleCalls,
  observeAuthorize,
  observeEvent,
  observeUsage,
} from './fraud-observe.ts';
import type { FraudHistory } from './fraud-ports.ts';
import { rebuildMonitor, type RebuildReport } from './fraud-rebuild.ts';
import type { FraudCode, FraudConfig, FraudMeasure, RiskList } from './fraud-types.ts';
import {
  chainInfoOf,
  newMonitorState,
  survive,
  type FraudMonitorDeps,
  type MonitorState,
} from './monitor-state.ts';
import { profileToJson } from './profile-snapshot.ts';
import { riskIndexOf } from './risk-index.ts';

export interface EffectiveConfig {
  /** The account's own config, or null when it inherits. */
  readonly own: FraudConfig | null;
  readonly effective: FraudConfig;
  /** Whose config is in force: the account, an ancestor, or null for the default. */
  readonly fromAccountId: string | null;
}

/**
 * Real-time fraud control (issue 8): per-account windows in memory, fed by the answers of the
 * charging service and checked before every authorize (see `withFraudControl`).
 */
export interface FraudMonitor {
  /** Loads configs, lists, measures and profiles, and replays the last day when given history. */
  start(history: FraudHistory | null): Promise<RebuildReport>;
  checkAuthorize(input: AuthorizeInput): Promise<RefusalAnswer | null>;
  observeAuthorize(input: AuthorizeInput, answer: GrantAnswer | RefusalAnswer): Promise<void>;
  observeUsage(sessionId: string, answer: GrantAnswer | TerminateAnswer): Promise<void>;
  observeEvent(input: EventInput, answer: EventAnswer): Promise<void>;
  /** Cool-down expiries, credit-limit checks and profile snapshots; call it every second or so. */
  tick(): Promise<void>;
  /** Writes every changed profile (at shutdown), after the background work in flight. */
  snapshot(): Promise<number>;
  getConfig(accountId: string): Promise<Result<EffectiveConfig, FraudCode | 'account_not_found'>>;
  setConfig(accountId: string, config: FraudConfig): Promise<Result<FraudConfig, FraudCode>>;
  deleteConfig(accountId: string): Promise<Result<true, FraudCode>>;
  riskLists(): RiskList[];
  putRiskList(list: RiskList): Promise<Result<RiskList, FraudCode | 'account_not_found'>>;
  deleteRiskList(id: string): Promise<Result<true, FraudCode>>;
  release(measureId: string): Promise<Result<FraudMeasure, FraudCode>>;
  /** Blocks and suspension in force for an account (from memory). */
  activeMeasures(accountId: string): FraudMeasure[];
}

export function createFraudMonitor(deps: FraudMonitorDeps): FraudMonitor {
  const state = newMonitorState(deps);
  const now = () => deps.clock.nowMs();
  return {
    start: (history) => rebuildMonitor(state, history),
    checkAuthorize: (input) => checkAuthorize(state, input),
    observeAuthorize: (input, answer) => observeAuthorize(state, input, answer),
    observeUsage: (sessionId, answer) => observeUsage(state, sessionId, answer),
    observeEvent: (input, answer) => observeEvent(state, input, answer),
    tick: () => tick(state),
    snapshot: async () => {
      await Promise.all([...state.refreshing.values(), ...state.background]);
      return snapshot(state, Number.MAX_SAFE_INTEGER);
    },
    getConfig: async (accountId) => {
      const chain = await chainInfoOf(state, accountId, now());
      if (chain === null) return problem('account_not_found', `no account ${accountId}`);
      const resolved = resolveFraudConfig(chain.ids, state.configs);
      return success({ own: state.configs.get(accountId) ?? null,
        effective: resolved.config, fromAccountId: resolved.fromAccountId });
    },
    setConfig: async (accountId, config) => {
      const checked = checkFraudConfig(config);
      if (!checked.ok) return checked;
      if (!state.configs.has(accountId) && state.configs.size >= fraudLimits.configsMax) {
        return problem('invalid_fraud_config', `at most ${fraudLimits.configsMax} configs`);
      }
      await deps.store.saveConfig(accountId, config, now());
      state.configs.set(accountId, config);
      return success(config);
    },
    deleteConfig: async (accountId) => {
      state.configs.delete(accountId);
      if (!(await deps.store.deleteConfig(accountId))) {
        return problem('fraud_config_not_found', `account ${accountId} has no own fraud config`);
      }
      return success(true);
    },
    riskLists: () => [...state.riskLists.values()],
    putRiskList: (list) => putRiskList(state, list),
    deleteRiskList: async (id) => {
      if (!(await deps.store.deleteRiskList(id))) {
        return problem('risk_list_not_found', `no risk list ${id}`);
      }
      state.riskLists.delete(id);
      state.riskIndex = riskIndexOf(state.riskLists.values());
      return success(true);
    },
    release: (measureId) => releaseById(state, measureId),
    activeMeasures: (accountId) => {
      const entry = state.measures.get(accountId);
      if (entry === undefined) return [];
      return [...(entry.suspension === null ? [] : [entry.suspension]), ...entry.blocks.values()];
    },
  };
}

async function putRiskList(state: MonitorState, list: RiskList):
  Promise<Result<RiskList, FraudCode | 'account_not_found'>> {
  const checked = checkRiskList(list);
  if (!checked.ok) return checked;
  // An owner that does not exist is the caller's mistake, answered as such; stored, it broke
  // the table's reference to accounts and the operator got a 500 (found by the HTTP fuzz).
  const owner = list.ownerAccountId;
  if (owner !== null && await chainInfoOf(state, owner, state.deps.clock.nowMs()) === null) {
    return problem('account_not_found', `no account ${owner} to own risk list ${list.id}`);
  }
  if (!state.riskLists.has(list.id) && state.riskLists.size >= fraudLimits.riskListsMax) {
    return problem('invalid_risk_list', `at most ${fraudLimits.riskListsMax} risk lists`);
  }
  await state.deps.store.saveRiskList(list);
  state.riskLists.set(list.id, list);
  state.riskIndex = riskIndexOf(state.riskLists.values());
  return success(list);
}

async function releaseById(state: MonitorState, measureId: string):
  Promise<Result<FraudMeasure, FraudCode>> {
  const measure = await state.deps.store.findMeasure(measureId);
  if (measure === null) return problem('fraud_measure_not_found', `no measure ${measureId}`);
  if (measure.releasedAtMs !== null) {
    return problem('fraud_measure_released', `measure ${measureId} was released already`);
  }
  const released = await releaseMeasure(state, measure, 'manual', state.deps.clock.nowMs());
  if (released === null) {
    return problem('fraud_measure_released', `measure ${measureId} was released already`);
  }
  return success(released);
}

/**
 * A live call silent this long past its hang-up time is gone (swept or killed elsewhere); the
 * sweeper itself waits a grace period (30 s by default) and closes in batches, hence the margin.
 */
const staleCallGraceMs = 10 * 60_000;

async function tick(state: MonitorState): Promise<void> {
  const nowMs = state.deps.clock.nowMs();
  for (const measure of expiredMeasures(state, nowMs)) {
    await survive(state, async () => {
      await releaseMeasure(state, measure, 'cool_down', nowMs);
    });
  }
  await checkCreditLimits(state, nowMs);
  if (nowMs - state.lastSnapshotMs >= state.settings.snapshotIntervalMs) {
    state.lastSnapshotMs = nowMs;
    forgetStaleCalls(state, nowMs, staleCallGraceMs);
    await survive(state, async () => {
      await snapshot(state, fraudLimits.snapshotsPerTickMax);
    });
  }
}

/** Writes up to `max` changed profiles, in batches of `snapshotsPerTickMax`; returns how many. */
async function snapshot(state: MonitorState, max: number): Promise<number> {
  const savedAtMs = state.deps.clock.nowMs();
  let written = 0;
  let batch: Array<{ accountId: string; profileJson: string; savedAtMs: number }> = [];
  for (const activity of state.activities.values()) {
    if (written + batch.length >= max) break;
    if (!activity.profile.dirty) continue;
    activity.profile.dirty = false;
    batch.push({ accountId: activity.accountId, profileJson: profileToJson(activity.profile),
      savedAtMs });
    if (batch.length >= fraudLimits.snapshotsPerTickMax) {
      await state.deps.store.saveProfiles(batch);
      written += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await state.deps.store.saveProfiles(batch);
  return written + batch.length;
}
