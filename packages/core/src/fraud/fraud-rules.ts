import { formatMicrosTrimmed, micros } from '../kernel/money.ts';
import type { AccountActivity, ActivityProfile, LiveCall } from './account-activity.ts';
import { sumOver } from './rolling-counter.ts';
import type {
  CallVelocityRule,
  ConcurrentCallsRule,
  CostPerMinuteRule,
  DestinationAnomalyRule,
  FraudAction,
  FraudRuleId,
  RiskList,
  ShortCallBurstRule,
  SpendVelocityRule,
  UnusualHoursRule,
} from './fraud-types.ts';

/**
 * The rules: pure functions of an account's windows, its rule settings and now (conventions,
 * rule 3). Each returns a finding or null; the monitor turns findings into alerts and measures.
 */
export interface FraudFinding {
  readonly ruleId: FraudRuleId;
  readonly action: FraudAction;
  /** The prefix a block would cover, null when the rule names no destination. */
  readonly destination: string | null;
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
}

const minuteMs = 60_000;
const money = (amount: bigint) => formatMicrosTrimmed(micros(amount));

function finding(ruleId: FraudRuleId, action: FraudAction, destination: string | null,
  message: string, details: Record<string, string>): FraudFinding {
  return { ruleId, action, destination, message, details };
}

/** Spend in the last 10 minutes, hour and day, each against its bound. */
export function spendVelocityFinding(activity: AccountActivity, rule: SpendVelocityRule,
  nowMs: number, destination: string | null): FraudFinding | null {
  const windows: Array<[string, bigint | null, bigint]> = [
    ['10m', rule.tenMinutesMicrosMax, sumOver(activity.spendMinutes, nowMs, 10 * minuteMs)],
    ['1h', rule.hourMicrosMax, sumOver(activity.spendMinutes, nowMs, 60 * minuteMs)],
    ['24h', rule.dayMicrosMax, sumOver(activity.spendQuarters, nowMs, 1_440 * minuteMs)],
  ];
  for (const [window, max, spent] of windows) {
    if (max !== null && spent > max) {
      return finding('spend_velocity', rule.action, destination,
        `spent ${money(spent)} in ${window}, above ${money(max)}`,
        { window, spent: money(spent), limit: money(max) });
    }
  }
  return null;
}

/** Authorize attempts in the last minute (this one included). */
export function callVelocityFinding(activity: AccountActivity, rule: CallVelocityRule,
  nowMs: number, destination: string | null): FraudFinding | null {
  const attempts = sumOver(activity.attempts, nowMs, minuteMs);
  if (attempts <= BigInt(rule.attemptsPerMinuteMax)) return null;
  return finding('call_velocity', rule.action, destination,
    `${attempts} call attempts in a minute, above ${rule.attemptsPerMinuteMax}`,
    { attempts: String(attempts), limit: String(rule.attemptsPerMinuteMax) });
}

/** Live calls above the bound (counted after the new call was granted). */
export function concurrentCallsFinding(activity: AccountActivity, rule: ConcurrentCallsRule,
  destination: string | null): FraudFinding | null {
  const live = activity.live.size;
  if (live <= rule.callsMax) return null;
  return finding('concurrent_calls', rule.action, destination,
    `${live} concurrent calls, above ${rule.callsMax}`,
    { live_calls: String(live), limit: String(rule.callsMax) });
}

/** A risk list the call matched, once the account's attempts to it reach the list's threshold. */
export function riskListFinding(activity: AccountActivity, list: RiskList, prefix: string,
  nowMs: number): FraudFinding | null {
  const counter = activity.riskAttempts.get(list.id);
  const attempts = counter === undefined ? 0n : sumOver(counter, nowMs, list.windowMs);
  if (attempts < BigInt(list.callsThreshold)) return null;
  return finding('destination_risk', list.action, prefix,
    `${attempts} call attempts to ${prefix} of risk list "${list.name}"`,
    { risk_list_id: list.id, prefix, attempts: String(attempts),
      threshold: String(list.callsThreshold) });
}

/** The share of recent spend that went to destinations the account had not called before. */
export function destinationAnomalyFinding(activity: AccountActivity,
  rule: DestinationAnomalyRule, today: number, nowMs: number, destination: string | null):
  FraudFinding | null {
  const { firstDay } = activity.profile;
  if (firstDay === null || today - firstDay < rule.learningDays) return null;
  const newSpend = sumOver(activity.newSpendMinutes, nowMs, rule.windowMs);
  if (newSpend < rule.newSpendMicrosMin || newSpend === 0n) return null;
  const total = sumOver(activity.spendMinutes, nowMs, rule.windowMs);
  // Integer percent comparison: newSpend / total >= share% <=> newSpend * 100 >= share * total.
  if (newSpend * 100n < BigInt(rule.newSpendSharePercentMin) * total) return null;
  return finding('destination_anomaly', rule.action, destination,
    `${money(newSpend)} of ${money(total)} spent to destinations not called in ` +
    `${rule.historyDays} days`,
    { new_spend: money(newSpend), total_spend: money(total),
      share_percent_min: String(rule.newSpendSharePercentMin) });
}

/** Many short answered calls in the window, and a high share of them among all ended calls. */
export function shortCallBurstFinding(activity: AccountActivity, rule: ShortCallBurstRule,
  nowMs: number, destination: string | null): FraudFinding | null {
  const short = sumOver(activity.shortCalls, nowMs, rule.windowMs);
  if (short < BigInt(rule.shortCallsMin)) return null;
  const ended = sumOver(activity.endedCalls, nowMs, rule.windowMs);
  if (short * 100n < BigInt(rule.sharePercentMin) * ended) return null;
  return finding('short_call_burst', rule.action, destination,
    `${short} of ${ended} calls lasted at most ${rule.shortCallSecondsMax} s`,
    { short_calls: String(short), ended_calls: String(ended) });
}

/** The call's effective price per minute so far (cost * 60 / used seconds) above the ceiling. */
export function costPerMinuteFinding(call: LiveCall, rule: CostPerMinuteRule,
  destination: string | null): FraudFinding | null {
  if (call.usedSeconds < Math.max(1, rule.usedSecondsMin)) return null;
  const used = BigInt(call.usedSeconds);
  // cost * 60 / used > ceiling <=> cost * 60 > ceiling * used: no division, no rounding.
  if (call.costMicros * 60n <= rule.ceilingMicros * used) return null;
  const perMinute = (call.costMicros * 60n) / used;
  return finding('cost_per_minute', rule.action, destination,
    `call to ${call.callee} costs ${money(perMinute)} per minute, above ` +
    `${money(rule.ceilingMicros)}`,
    { session_id: call.sessionId, cost_per_minute: money(perMinute),
      ceiling: money(rule.ceilingMicros) });
}

/**
 * A call in a local hour the account never used, nor the hours either side of it (so a call at
 * 18:05 from an account that calls until 17:55 is usual), once its profile is old enough.
 */
export function unusualHoursFinding(profile: ActivityProfile, rule: UnusualHoursRule,
  call: { hour: number; day: number; destination: string | null }): FraudFinding | null {
  if (profile.firstDay === null || call.day - profile.firstDay < rule.learningDays) return null;
  for (const offset of [-1, 0, 1]) {
    const hour = (call.hour + offset + 24) % 24;
    const lastDay = profile.hourLastDay[hour]!;
    const days = profile.hourDays[hour]!;
    // Only days before today count: the first call of a new hour today is the unusual one.
    if ((lastDay < call.day ? days : days - 1) > 0) return null;
  }
  return finding('unusual_hours', rule.action, call.destination,
    `call at local hour ${call.hour}, never used in ${call.day - profile.firstDay} days`,
    { local_hour: String(call.hour) });
}
