import type { Cdr } from '../charging/charging-types.ts';
import { assert } from '../kernel/assert.ts';
import { newActivity, recordEndedCall, recordSpend } from './account-activity.ts';
import { fraudLimits } from './fraud-limits.ts';
import { startCall } from './fraud-observe.ts';
import type { FraudHistory } from './fraud-ports.ts';
import {
  activityOf,
  boundedSet,
  chainInfoOf,
  configOf,
  rememberMeasure,
  type MonitorState,
} from './monitor-state.ts';
import { profileFromJson } from './profile-snapshot.ts';
import { riskIndexOf } from './risk-index.ts';

const dayMs = 86_400_000;

export interface RebuildReport {
  readonly configs: number;
  readonly riskLists: number;
  readonly measures: number;
  readonly profiles: number;
  readonly cdrs: number;
  readonly liveSessions: number;
}

/**
 * Rebuilds the monitor after a restart. Configs, risk lists and measures in force come from
 * their tables. The windows (at most a day long) are replayed from the last day of CDRs, the
 * truth of what was spent, and the live calls from the live sessions: exact, and bounded by a
 * day of traffic. The profiles (destinations over up to a year, active hours) would need months
 * of CDRs, so they come from snapshots written every `snapshotIntervalMs`; what a crash loses of
 * them is re-learnt from the replayed day (learning is idempotent per day). Rules do not fire
 * during the replay: history is not news.
 */
export async function rebuildMonitor(state: MonitorState, history: FraudHistory | null):
  Promise<RebuildReport> {
  const { store } = state.deps;
  let configs = 0;
  for (let after = '', page = 0; page < fraudLimits.configsMax; page += 1) {
    const rows = await store.listConfigs(after, fraudLimits.rebuildPageSize);
    for (const row of rows) state.configs.set(row.accountId, row.config);
    configs += rows.length;
    if (rows.length < fraudLimits.rebuildPageSize) break;
    after = rows[rows.length - 1]!.accountId;
  }
  const lists = await store.listRiskLists();
  for (const list of lists) state.riskLists.set(list.id, list);
  state.riskIndex = riskIndexOf(state.riskLists.values());
  const measures = await store.listMeasures({ scopeAccountId: null, activeOnly: true,
    limit: fraudLimits.measuresActiveMax });
  for (const measure of measures) rememberMeasure(state, measure);
  const profiles = await loadProfiles(state);
  const replayed = history === null ? { cdrs: 0, liveSessions: 0 }
    : await replayHistory(state, history);
  return { configs, riskLists: lists.length, measures: measures.length, profiles, ...replayed };
}

async function loadProfiles(state: MonitorState): Promise<number> {
  const nowMs = state.deps.clock.nowMs();
  let count = 0;
  let after = '';
  for (let page = 0; count < fraudLimits.accountsTrackedMax; page += 1) {
    assert(page <= fraudLimits.accountsTrackedMax, 'profile pages are bounded');
    const rows = await state.deps.store.listProfiles(after, fraudLimits.rebuildPageSize);
    for (const row of rows) {
      boundedSet(state.activities, row.accountId,
        newActivity(row.accountId, nowMs, profileFromJson(row.profileJson)),
        fraudLimits.accountsTrackedMax);
    }
    count += rows.length;
    if (rows.length < fraudLimits.rebuildPageSize) break;
    after = rows[rows.length - 1]!.accountId;
  }
  return count;
}

async function replayHistory(state: MonitorState, history: FraudHistory) {
  const nowMs = state.deps.clock.nowMs();
  const pageSize = fraudLimits.rebuildPageSize;
  let cdrs = 0;
  for (let after: Cdr | null = null; cdrs < fraudLimits.rebuildCdrsMax;) {
    const page = await history.cdrsEndedSince(nowMs - dayMs, after, pageSize);
    for (const cdr of page) {
      const chain = await chainInfoOf(state, cdr.accountId, nowMs);
      if (chain === null) continue;
      const config = configOf(state, chain);
      const activity = activityOf(state, cdr.accountId, nowMs);
      const call = startCall(state, activity, { sessionId: `cdr:${cdr.id}`, callee: cdr.callee,
        startedAtMs: cdr.startedAtMs, chain, config, hangupAtMs: cdr.endedAtMs });
      if (call === null) continue;
      activity.live.delete(call.sessionId);
      state.sessions.delete(call.sessionId);
      recordSpend(activity, { atMs: cdr.endedAtMs, amountMicros: cdr.costMicros,
        newDestination: call.newDestination, nowMs });
      if (cdr.disposition !== 'event') {
        recordEndedCall(activity, { atMs: cdr.endedAtMs, usedSeconds: cdr.usedSeconds,
          shortCallSecondsMax: config.shortCallBurst?.shortCallSecondsMax ?? 0, nowMs });
      }
    }
    cdrs += page.length;
    if (page.length < pageSize) break;
    after = page[page.length - 1]!;
  }
  return { cdrs, liveSessions: await replayLiveSessions(state, history, nowMs) };
}

async function replayLiveSessions(state: MonitorState, history: FraudHistory, nowMs: number) {
  let count = 0;
  for (let after: string | null = null; count < fraudLimits.rebuildLiveSessionsMax;) {
    const page = await history.liveSessions(after, fraudLimits.rebuildPageSize);
    for (const session of page) {
      const chain = await chainInfoOf(state, session.accountId, nowMs);
      if (chain === null) continue;
      // Cost so far is 0 here on purpose: a live call is in no CDR yet, so its first update
      // after the restart counts everything it has cost.
      startCall(state, activityOf(state, session.accountId, nowMs), {
        sessionId: session.sessionId, callee: session.callee, startedAtMs: session.startedAtMs,
        chain, config: configOf(state, chain), hangupAtMs: session.hangupAtMs });
    }
    count += page.length;
    if (page.length < fraudLimits.rebuildPageSize) break;
    after = page[page.length - 1]!.sessionId;
  }
  return count;
}
