import { fraudLimits } from './fraud-limits.ts';
import { addTo, rollingCounter, type RollingCounter } from './rolling-counter.ts';

const secondMs = 1_000;
const minuteMs = 60_000;
const quarterMs = 15 * minuteMs;
export const hoursPerDay = 24;

/** A live call as the monitor sees it: what it has cost so far and where it goes. */
export interface LiveCall {
  readonly sessionId: string;
  readonly callee: string;
  /** Country code or prefix, as the anomaly rule names destinations. */
  readonly destination: string;
  /** True when the destination was not called in the previous `historyDays` days. */
  readonly newDestination: boolean;
  readonly startedAtMs: number;
  costMicros: bigint;
  usedSeconds: number;
  /** When the switch must hang up by itself (last grant): past it, the call is gone. */
  hangupAtMs: number;
}

/** When a destination was last called: local day numbers (days since the epoch, local). */
export interface DestinationSeen {
  lastDay: number;
  /** The last day before `lastDay` on which it was called, or -1. */
  previousDay: number;
}

/**
 * The rolling windows of one account (short-lived, rebuilt from the last day of CDRs and the live
 * sessions on restart) and its profile (long-lived: destinations and active hours, kept in
 * snapshots). Mutated only by the record functions below; the rules read it.
 */
export interface AccountActivity {
  readonly accountId: string;
  lastActiveMs: number;
  readonly live: Map<string, LiveCall>;
  /** Authorize attempts, 5-second buckets over a minute. */
  readonly attempts: RollingCounter;
  /** Spend in micros (account currency): 1-minute buckets over an hour, 15-minute over a day. */
  readonly spendMinutes: RollingCounter;
  readonly spendQuarters: RollingCounter;
  /** Spend to destinations new to the account, 1-minute buckets over an hour. */
  readonly newSpendMinutes: RollingCounter;
  /** Answered calls that ended, and the short ones among them, 1-minute buckets over an hour. */
  readonly endedCalls: RollingCounter;
  readonly shortCalls: RollingCounter;
  /** Attempts to each risk list's prefixes, 1-minute buckets over an hour. */
  readonly riskAttempts: Map<string, RollingCounter>;
  readonly profile: ActivityProfile;
}

/** What the account usually does: the part of the state that outlives a day. */
export interface ActivityProfile {
  readonly destinations: Map<string, DestinationSeen>;
  /** Per local hour: on how many distinct days the account called in it, and the last one. */
  readonly hourDays: number[];
  readonly hourLastDay: number[];
  /** The first local day the account was seen; null before its first call. */
  firstDay: number | null;
  dirty: boolean;
}

export function emptyProfile(): ActivityProfile {
  return { destinations: new Map(), hourDays: new Array<number>(hoursPerDay).fill(0),
    hourLastDay: new Array<number>(hoursPerDay).fill(-1), firstDay: null, dirty: false };
}

export function newActivity(accountId: string, nowMs: number,
  profile: ActivityProfile = emptyProfile()): AccountActivity {
  return {
    accountId, lastActiveMs: nowMs, live: new Map(),
    attempts: rollingCounter(5 * secondMs, 12),
    spendMinutes: rollingCounter(minuteMs, 60),
    spendQuarters: rollingCounter(quarterMs, 96),
    newSpendMinutes: rollingCounter(minuteMs, 60),
    endedCalls: rollingCounter(minuteMs, 60),
    shortCalls: rollingCounter(minuteMs, 60),
    riskAttempts: new Map(),
    profile,
  };
}

export function recordAttempt(activity: AccountActivity, nowMs: number): void {
  activity.lastActiveMs = nowMs;
  addTo(activity.attempts, nowMs, 1n, nowMs);
}

export function recordRiskAttempt(activity: AccountActivity, listId: string, nowMs: number) {
  let counter = activity.riskAttempts.get(listId);
  if (counter === undefined) {
    if (activity.riskAttempts.size >= fraudLimits.riskListsMax) activity.riskAttempts.clear();
    counter = rollingCounter(minuteMs, 60);
    activity.riskAttempts.set(listId, counter);
  }
  addTo(counter, nowMs, 1n, nowMs);
}

/** Money the account spent at `atMs` (an update's commit, a terminate, an event, a CDR). */
export function recordSpend(activity: AccountActivity, spend: {
  atMs: number; amountMicros: bigint; newDestination: boolean; nowMs: number;
}): void {
  if (spend.amountMicros <= 0n) return;
  addTo(activity.spendMinutes, spend.atMs, spend.amountMicros, spend.nowMs);
  addTo(activity.spendQuarters, spend.atMs, spend.amountMicros, spend.nowMs);
  if (spend.newDestination) {
    addTo(activity.newSpendMinutes, spend.atMs, spend.amountMicros, spend.nowMs);
  }
}

/** An answered call ended after `usedSeconds`; short ones feed the burst rule. */
export function recordEndedCall(activity: AccountActivity, ended: {
  atMs: number; usedSeconds: number; shortCallSecondsMax: number; nowMs: number;
}): void {
  if (ended.usedSeconds <= 0) return;
  addTo(activity.endedCalls, ended.atMs, 1n, ended.nowMs);
  if (ended.usedSeconds <= ended.shortCallSecondsMax) {
    addTo(activity.shortCalls, ended.atMs, 1n, ended.nowMs);
  }
}

/** True when the destination was called on a day in [today - historyDays, today). */
export function knownDestination(profile: ActivityProfile, destination: string, today: number,
  historyDays: number): boolean {
  const seen = profile.destinations.get(destination);
  if (seen === undefined) return false;
  const earliest = today - historyDays;
  if (seen.lastDay < today) return seen.lastDay >= earliest;
  return seen.previousDay >= earliest;
}

/** Learns that the account called `destination` at local hour `hour` of local day `day`. */
export function learnCall(profile: ActivityProfile, call: {
  destination: string; day: number; hour: number;
}): void {
  const { destinations } = profile;
  const seen = destinations.get(call.destination);
  if (seen === undefined) {
    if (destinations.size >= fraudLimits.destinationsPerAccountMax) dropOldest(destinations);
    destinations.set(call.destination, { lastDay: call.day, previousDay: -1 });
    profile.dirty = true;
  } else if (call.day > seen.lastDay) {
    seen.previousDay = seen.lastDay;
    seen.lastDay = call.day;
    profile.dirty = true;
  }
  if (call.day > profile.hourLastDay[call.hour]!) {
    profile.hourLastDay[call.hour] = call.day;
    profile.hourDays[call.hour] = profile.hourDays[call.hour]! + 1;
    profile.dirty = true;
  }
  if (profile.firstDay === null || call.day < profile.firstDay) {
    profile.firstDay = call.day;
    profile.dirty = true;
  }
}

function dropOldest(destinations: Map<string, DestinationSeen>): void {
  let oldestKey: string | null = null;
  let oldestDay = Number.POSITIVE_INFINITY;
  for (const [key, seen] of destinations) {
    if (seen.lastDay < oldestDay) {
      oldestDay = seen.lastDay;
      oldestKey = key;
    }
  }
  if (oldestKey !== null) destinations.delete(oldestKey);
}
