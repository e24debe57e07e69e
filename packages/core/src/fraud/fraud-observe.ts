import type {
  AuthorizeInput,
  EventAnswer,
  EventInput,
  GrantAnswer,
  RefusalAnswer,
  TerminateAnswer,
} from '../charging/charging-types.ts';
import {
  knownDestination,
  learnCall,
  recordAttempt,
  recordEndedCall,
  recordRiskAttempt,
  recordSpend,
  type AccountActivity,
  type LiveCall,
} from './account-activity.ts';
import { destinationKeyOf } from './destination-key.ts';
import { applyFindings, type FindingContext } from './fraud-actions.ts';
import { fraudLimits } from './fraud-limits.ts';
import {
  callVelocityFinding,
  concurrentCallsFinding,
  costPerMinuteFinding,
  destinationAnomalyFinding,
  riskListFinding,
  shortCallBurstFinding,
  spendVelocityFinding,
  unusualHoursFinding,
  type FraudFinding,
} from './fraud-rules.ts';
import type { FraudConfig } from './fraud-types.ts';
import {
  activityOf,
  blockFor,
  boundedSet,
  chainInfoOf,
  configOf,
  localTimeOf,
  type ChainInfo,
  type MonitorState,
} from './monitor-state.ts';
import { riskMatches } from './risk-index.ts';

/** The destination of a call as the account's anomaly rule names them (country by default). */
export function destinationOf(config: FraudConfig, callee: string): string {
  const rule = config.destinationAnomaly;
  return rule === null ? destinationKeyOf(callee, 'country', 3)
    : destinationKeyOf(callee, rule.granularity, rule.prefixDigits);
}

function refusalFor(state: MonitorState, input: AuthorizeInput): RefusalAnswer | null {
  const measures = state.measures.get(input.accountId);
  if (measures === undefined) return null;
  const base = { sessionId: input.sessionId, requestNumber: 0, accountId: input.accountId };
  if (measures.suspension !== null) {
    return { ...base, status: 'fraud_suspended',
      message: `account ${input.accountId} is suspended by fraud control ` +
        `(${measures.suspension.ruleId}, measure ${measures.suspension.id})` };
  }
  const block = blockFor(measures, input.callee);
  if (block === null) return null;
  return { ...base, status: 'destination_blocked',
    message: `${block.prefix ?? ''} is blocked for ${input.accountId} by fraud control ` +
      `(${block.ruleId}, measure ${block.id})` };
}

/**
 * Before an authorize reaches charging: a suspended account or a blocked destination is refused
 * at once; otherwise the attempt is counted and the attempt rules run (velocity, risk lists,
 * hours), whose measures may refuse this very call. Null: let charging decide.
 */
export async function checkAuthorize(state: MonitorState, input: AuthorizeInput):
  Promise<RefusalAnswer | null> {
  const replayed = state.refusals.get(input.sessionId);
  if (replayed !== undefined) return replayed;
  if (state.sessions.has(input.sessionId)) return null;
  const nowMs = state.deps.clock.nowMs();
  const chain = await chainInfoOf(state, input.accountId, nowMs);
  // Unknown accounts and foreign scopes are charging's to answer; they are not attempts.
  if (chain === null) return null;
  if (input.scopeAccountId !== undefined && !chain.ids.includes(input.scopeAccountId)) return null;
  const already = refusalFor(state, input);
  if (already !== null) return remember(state, already);
  const config = configOf(state, chain);
  const activity = activityOf(state, input.accountId, nowMs);
  recordAttempt(activity, nowMs);
  const destination = destinationOf(config, input.callee);
  const findings: FraudFinding[] = [];
  if (config.callVelocity !== null) {
    const found = callVelocityFinding(activity, config.callVelocity, nowMs, destination);
    if (found !== null) findings.push(found);
  }
  if (config.riskLists) findings.push(...riskFindings(state, activity, input.callee, chain, nowMs));
  if (config.unusualHours !== null) {
    const local = localTimeOf(chain.timeZone, nowMs);
    const found = unusualHoursFinding(activity.profile, config.unusualHours,
      { ...local, destination });
    if (found !== null) findings.push(found);
  }
  if (findings.length === 0) return null;
  await applyFindings(state, { accountId: input.accountId, chain, config, nowMs }, findings);
  const refused = refusalFor(state, input);
  return refused === null ? null : remember(state, refused);
}

function riskFindings(state: MonitorState, activity: AccountActivity, callee: string,
  chain: ChainInfo, nowMs: number): FraudFinding[] {
  const findings: FraudFinding[] = [];
  for (const match of riskMatches(state.riskIndex, callee, chain.ids)) {
    recordRiskAttempt(activity, match.list.id, nowMs);
    const found = riskListFinding(activity, match.list, match.prefix, nowMs);
    if (found !== null) findings.push(found);
  }
  return findings;
}

function remember(state: MonitorState, refusal: RefusalAnswer): RefusalAnswer {
  boundedSet(state.refusals, refusal.sessionId, refusal, fraudLimits.refusalsRememberedMax);
  return refusal;
}

/** A granted authorize: the call is live, learnt in the profile, and counted for concurrency. */
export async function observeAuthorize(state: MonitorState, input: AuthorizeInput,
  answer: GrantAnswer | RefusalAnswer): Promise<void> {
  if (answer.status !== 'granted' || state.sessions.has(input.sessionId)) return;
  const nowMs = state.deps.clock.nowMs();
  const chain = await chainInfoOf(state, input.accountId, nowMs);
  if (chain === null) return;
  const config = configOf(state, chain);
  const activity = activityOf(state, input.accountId, nowMs);
  const call = startCall(state, activity, { sessionId: input.sessionId, callee: input.callee,
    startedAtMs: nowMs, chain, config, hangupAtMs: answer.hangupAtMs });
  if (call === null || config.concurrentCalls === null) return;
  const found = concurrentCallsFinding(activity, config.concurrentCalls, call.destination);
  if (found === null) return;
  await applyFindings(state, { accountId: input.accountId, chain, config, nowMs }, [found]);
}

/** Registers a live call (also used by the restart rebuild). Null when the bounds are full. */
export function startCall(state: MonitorState, activity: AccountActivity, call: {
  sessionId: string; callee: string; startedAtMs: number; chain: ChainInfo; config: FraudConfig;
  hangupAtMs: number;
}): LiveCall | null {
  if (activity.live.size >= fraudLimits.liveCallsPerAccountMax ||
    state.sessions.size >= fraudLimits.liveCallsMax) return null;
  const destination = destinationOf(call.config, call.callee);
  const local = localTimeOf(call.chain.timeZone, call.startedAtMs);
  const historyDays = call.config.destinationAnomaly?.historyDays ?? 30;
  const live: LiveCall = { sessionId: call.sessionId, callee: call.callee, destination,
    newDestination: !knownDestination(activity.profile, destination, local.day, historyDays),
    startedAtMs: call.startedAtMs, costMicros: 0n, usedSeconds: 0,
    hangupAtMs: call.hangupAtMs };
  learnCall(activity.profile, { destination, ...local });
  activity.live.set(call.sessionId, live);
  state.sessions.set(call.sessionId, activity.accountId);
  return live;
}

/** An update or terminate answer: what the call cost since the last one is spent now. */
export async function observeUsage(state: MonitorState, sessionId: string,
  answer: GrantAnswer | TerminateAnswer): Promise<void> {
  const accountId = state.sessions.get(sessionId);
  if (accountId === undefined) return;
  const nowMs = state.deps.clock.nowMs();
  const activity = activityOf(state, accountId, nowMs);
  const call = activity.live.get(sessionId);
  const chain = await chainInfoOf(state, accountId, nowMs);
  if (call === undefined || chain === null) return;
  const config = configOf(state, chain);
  const spent = answer.costMicros - call.costMicros;
  call.costMicros = answer.costMicros;
  call.usedSeconds = answer.usedSeconds;
  if (answer.status === 'granted') call.hangupAtMs = answer.hangupAtMs;
  recordSpend(activity, { atMs: nowMs, amountMicros: spent, newDestination: call.newDestination,
    nowMs });
  if (chain.postpaidCredit && spent > 0n) markCreditDirty(state, accountId);
  const today = localTimeOf(chain.timeZone, nowMs).day;
  const findings = spendFindings(activity, config, { nowMs, today }, call);
  if (answer.status === 'terminated') {
    activity.live.delete(sessionId);
    state.sessions.delete(sessionId);
    const short = config.shortCallBurst;
    recordEndedCall(activity, { atMs: nowMs, usedSeconds: answer.usedSeconds,
      shortCallSecondsMax: short?.shortCallSecondsMax ?? 0, nowMs });
    const found = short === null ? null
      : shortCallBurstFinding(activity, short, nowMs, call.destination);
    if (found !== null) findings.push(found);
  }
  if (findings.length === 0) return;
  await applyFindings(state, { accountId, chain, config, nowMs }, findings);
}

function markCreditDirty(state: MonitorState, accountId: string): void {
  if (state.creditDirty.size < fraudLimits.accountsTrackedMax) state.creditDirty.add(accountId);
}

function spendFindings(activity: AccountActivity, config: FraudConfig,
  at: { nowMs: number; today: number }, call: LiveCall | null): FraudFinding[] {
  const { nowMs, today } = at;
  const destination = call?.destination ?? null;
  const findings: Array<FraudFinding | null> = [
    config.spendVelocity === null ? null
      : spendVelocityFinding(activity, config.spendVelocity, nowMs, destination),
    config.destinationAnomaly === null ? null
      : destinationAnomalyFinding(activity, config.destinationAnomaly, today, nowMs,
        destination),
    config.costPerMinute === null || call === null ? null
      : costPerMinuteFinding(call, config.costPerMinute, destination),
  ];
  return findings.filter((found): found is FraudFinding => found !== null);
}

/** A one-shot event: spent at once, learnt like a call. Replays of an event id count once. */
export async function observeEvent(state: MonitorState, input: EventInput,
  answer: EventAnswer): Promise<void> {
  if (state.eventIds.has(input.eventId)) return;
  if (state.eventIds.size >= fraudLimits.refusalsRememberedMax) state.eventIds.clear();
  state.eventIds.add(input.eventId);
  const nowMs = state.deps.clock.nowMs();
  const chain = await chainInfoOf(state, input.accountId, nowMs);
  if (chain === null) return;
  const config = configOf(state, chain);
  const activity = activityOf(state, input.accountId, nowMs);
  const call = startCall(state, activity, { sessionId: `event:${input.eventId}`,
    callee: input.callee, startedAtMs: nowMs, chain, config, hangupAtMs: nowMs });
  if (call === null) return;
  activity.live.delete(call.sessionId);
  state.sessions.delete(call.sessionId);
  recordSpend(activity, { atMs: nowMs, amountMicros: answer.costMicros,
    newDestination: call.newDestination, nowMs });
  if (chain.postpaidCredit) markCreditDirty(state, input.accountId);
  const today = localTimeOf(chain.timeZone, nowMs).day;
  const findings = spendFindings(activity, config, { nowMs, today }, null);
  if (findings.length > 0) {
    const context: FindingContext = { accountId: input.accountId, chain, config, nowMs };
    await applyFindings(state, context, findings);
  }
}

/**
 * Forgets live calls whose last grant ended more than `graceMs` ago: the sweeper or a kill closed
 * them without an answer passing through here, and they must not count as concurrent forever.
 */
export function forgetStaleCalls(state: MonitorState, nowMs: number, graceMs: number): number {
  let forgotten = 0;
  for (const activity of state.activities.values()) {
    for (const [sessionId, call] of activity.live) {
      if (call.hangupAtMs + graceMs >= nowMs) continue;
      activity.live.delete(sessionId);
      state.sessions.delete(sessionId);
      forgotten += 1;
    }
  }
  return forgotten;
}
