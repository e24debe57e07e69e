import { problem, success, type Result } from '../kernel/result.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { fraudLimits } from './fraud-limits.ts';
import {
  defaultFraudConfig,
  destinationGranularities,
  fraudActions,
  type FraudConfig,
  type RiskList,
} from './fraud-types.ts';

type ConfigResult<T> = Result<T, 'invalid_fraud_config'>;
const hourMs = 3_600_000;

function bad(message: string, column: string): ConfigResult<never> {
  return problem('invalid_fraud_config', message, { column });
}

function wholeIn(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

function moneyOk(value: Micros | null): boolean {
  return value === null || value >= 0n;
}

/** Checks every bound of a config: what is stored is what the rules can evaluate. */
export function checkFraudConfig(config: FraudConfig): ConfigResult<FraudConfig> {
  for (const [name, rule] of Object.entries(config)) {
    if (rule !== null && typeof rule === 'object' && 'action' in rule &&
      !fraudActions.includes(rule.action as never)) return bad('unknown action', name);
  }
  const spend = config.spendVelocity;
  if (spend !== null && !(moneyOk(spend.tenMinutesMicrosMax) && moneyOk(spend.hourMicrosMax) &&
    moneyOk(spend.dayMicrosMax))) return bad('spend bounds are not negative', 'spend_velocity');
  if (config.callVelocity !== null && !wholeIn(config.callVelocity.attemptsPerMinuteMax, 1,
    1_000_000)) return bad('attempts per minute: 1 to 1000000', 'call_velocity');
  if (config.concurrentCalls !== null && !wholeIn(config.concurrentCalls.callsMax, 1,
    fraudLimits.liveCallsPerAccountMax)) return bad('calls max out of range', 'concurrent_calls');
  const anomaly = config.destinationAnomaly;
  if (anomaly !== null && !(wholeIn(anomaly.historyDays, 1, fraudLimits.historyDaysMax) &&
    wholeIn(anomaly.windowMs, 60_000, hourMs) && wholeIn(anomaly.newSpendSharePercentMin, 1, 100)
    && anomaly.newSpendMicrosMin >= 0n && wholeIn(anomaly.prefixDigits, 1, 15) &&
    wholeIn(anomaly.learningDays, 0, fraudLimits.historyDaysMax) &&
    destinationGranularities.includes(anomaly.granularity))) {
    return bad('history 1-365 days, window 1-60 min, share 1-100 %', 'destination_anomaly');
  }
  const short = config.shortCallBurst;
  if (short !== null && !(wholeIn(short.shortCallSecondsMax, 1, 3_600) &&
    wholeIn(short.windowMs, 60_000, hourMs) && wholeIn(short.shortCallsMin, 1, 1_000_000) &&
    wholeIn(short.sharePercentMin, 0, 100))) {
    return bad('short call 1-3600 s, window 1-60 min, share 0-100 %', 'short_call_burst');
  }
  const cost = config.costPerMinute;
  if (cost !== null && !(cost.ceilingMicros > 0n && wholeIn(cost.usedSecondsMin, 0, 86_400))) {
    return bad('the ceiling is positive', 'cost_per_minute');
  }
  if (config.unusualHours !== null && !wholeIn(config.unusualHours.learningDays, 1, 365)) {
    return bad('learning days 1-365', 'unusual_hours');
  }
  const credit = config.creditLimit;
  if (credit !== null && (credit.thresholdsPercent.length > fraudLimits.creditThresholdsMax ||
    !credit.thresholdsPercent.every((value) => wholeIn(value, 1, 100)))) {
    return bad(`at most ${fraudLimits.creditThresholdsMax} thresholds of 1-100 %`, 'credit_limit');
  }
  if (!wholeIn(config.coolDownMs, 0, fraudLimits.coolDownMsMax)) {
    return bad('cool-down 0 to 30 days', 'cool_down_ms');
  }
  if (!wholeIn(config.alertRepeatMs, 0, fraudLimits.coolDownMsMax)) {
    return bad('alert repeat 0 to 30 days', 'alert_repeat_ms');
  }
  return success(config);
}

/**
 * The config in force for an account: its own, else its nearest ancestor's (chain ordered from
 * the account up to the root), else the default. A whole config wins, never a field-wise merge.
 */
export function resolveFraudConfig(chainIds: readonly string[],
  configs: ReadonlyMap<string, FraudConfig>):
  { config: FraudConfig; fromAccountId: string | null } {
  for (const id of chainIds) {
    const config = configs.get(id);
    if (config !== undefined) return { config, fromAccountId: id };
  }
  return { config: defaultFraudConfig, fromAccountId: null };
}

const moneyPaths = [['spendVelocity', 'tenMinutesMicrosMax'], ['spendVelocity', 'hourMicrosMax'],
  ['spendVelocity', 'dayMicrosMax'], ['destinationAnomaly', 'newSpendMicrosMin'],
  ['costPerMinute', 'ceilingMicros']] as const;

/** Storage form: JSON with micros as decimal strings (JSON has no bigint). */
export function fraudConfigToJson(config: FraudConfig): string {
  return JSON.stringify(config, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value);
}

export function fraudConfigFromJson(text: string): FraudConfig {
  const parsed = JSON.parse(text) as Record<string, Record<string, unknown> | null>;
  for (const [rule, field] of moneyPaths) {
    const holder = parsed[rule];
    if (holder === null || holder === undefined) continue;
    const value = holder[field];
    holder[field] = value === null || value === undefined ? null : micros(BigInt(String(value)));
  }
  return { ...defaultFraudConfig, ...(parsed as unknown as FraudConfig) };
}

const prefixPattern = /^[0-9]{1,15}$/;
const riskListIdPattern = /^(?:[A-Za-z0-9_.~-]{1,64}~)?[A-Za-z0-9_.-]{1,64}$/;

/** A risk list must name real prefixes, an action and a threshold within bounds. */
export function checkRiskList(list: RiskList): Result<RiskList, 'invalid_risk_list'> {
  const fail = (message: string, column: string) =>
    problem('invalid_risk_list', message, { column });
  // A tenant's list is stored in its tree's namespace, `<root account>~<id>`.
  if (!riskListIdPattern.test(list.id)) return fail('id: 1-64 of A-Z a-z 0-9 _ . -', 'id');
  if (list.name.length === 0 || list.name.length > 200) return fail('name: 1-200 chars', 'name');
  if (list.prefixes.length === 0 || list.prefixes.length > fraudLimits.riskPrefixesPerListMax) {
    return fail(`1 to ${fraudLimits.riskPrefixesPerListMax} prefixes`, 'prefixes');
  }
  const badPrefix = list.prefixes.find((prefix) => !prefixPattern.test(prefix));
  if (badPrefix !== undefined) return fail(`"${badPrefix.slice(0, 20)}" is not digits`, 'prefixes');
  if (!fraudActions.includes(list.action)) return fail('unknown action', 'action');
  if (!wholeIn(list.callsThreshold, 1, 1_000_000)) return fail('threshold 1-1000000', 'threshold');
  if (!wholeIn(list.windowMs, 60_000, hourMs)) return fail('window 1-60 minutes', 'window');
  return success(list);
}
