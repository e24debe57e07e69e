import {
  defaultFraudConfig,
  formatMicrosTrimmed,
  micros,
  parseMicros,
  success,
  type FraudAction,
  type FraudAlert,
  type FraudConfig,
  type FraudMeasure,
  type Micros,
  type MoneyParseCode,
  type Result,
} from '@tollgate/core';

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** An alert on the wire (API, webhook body, NATS message): snake_case, ISO instants. */
export function toApiAlert(alert: FraudAlert) {
  return { id: alert.id, account_id: alert.accountId, root_account_id: alert.rootAccountId,
    rule: alert.ruleId, action: alert.action, destination: alert.destination,
    message: alert.message, details: { ...alert.details }, measure_id: alert.measureId,
    created_at: iso(alert.createdAtMs) ?? '' };
}

export function toApiMeasure(measure: FraudMeasure) {
  return { id: measure.id, account_id: measure.accountId, kind: measure.kind,
    prefix: measure.prefix, rule: measure.ruleId, alert_id: measure.alertId,
    created_at: iso(measure.createdAtMs) ?? '', expires_at: iso(measure.expiresAtMs),
    released_at: iso(measure.releasedAtMs), released_by: measure.releasedBy };
}

export function formatMoneyOrNull(amount: bigint | null): string | null {
  return amount === null ? null : formatMicrosTrimmed(micros(amount));
}

type ApiAction = FraudAction;
const minuteMs = 60_000;

/** The API form of a config (the body of PUT /v1/fraud/configs/{id}). */
export interface FraudConfigApiInput {
  spend_velocity?: { ten_minutes_max: string | null; hour_max: string | null;
    day_max: string | null; action: ApiAction } | null;
  call_velocity?: { attempts_per_minute_max: number; action: ApiAction } | null;
  concurrent_calls?: { calls_max: number; action: ApiAction } | null;
  risk_lists?: boolean;
  destination_anomaly?: { history_days: number; window_minutes: number;
    new_spend_share_percent_min: number; new_spend_min: string;
    granularity: 'country' | 'prefix'; prefix_digits: number; learning_days: number;
    action: ApiAction } | null;
  short_call_burst?: { short_call_seconds_max: number; window_minutes: number;
    short_calls_min: number; share_percent_min: number; action: ApiAction } | null;
  cost_per_minute?: { ceiling: string; used_seconds_min: number; action: ApiAction } | null;
  unusual_hours?: { learning_days: number; action: ApiAction } | null;
  credit_limit?: { thresholds_percent: number[] } | null;
  cool_down_seconds?: number;
  alert_repeat_seconds?: number;
}

type MoneyResult = Result<Micros | null, MoneyParseCode>;

function moneyOf(text: string | null, column: string): MoneyResult {
  if (text === null) return success(null);
  const parsed = parseMicros(text);
  return parsed.ok ? parsed : { ...parsed, message: `${column}: ${parsed.message}`, column };
}

/** A wire config into the domain's; money parses exactly, absent fields take the defaults. */
export function fromApiFraudConfig(body: FraudConfigApiInput):
  Result<FraudConfig, MoneyParseCode> {
  const base = defaultFraudConfig;
  const spend = body.spend_velocity;
  const amounts = spend === undefined || spend === null ? [] : [
    moneyOf(spend.ten_minutes_max, 'spend_velocity.ten_minutes_max'),
    moneyOf(spend.hour_max, 'spend_velocity.hour_max'),
    moneyOf(spend.day_max, 'spend_velocity.day_max')];
  const anomalyMin = body.destination_anomaly ? moneyOf(body.destination_anomaly.new_spend_min,
    'destination_anomaly.new_spend_min') : success(null);
  const ceiling = body.cost_per_minute ? moneyOf(body.cost_per_minute.ceiling,
    'cost_per_minute.ceiling') : success(null);
  for (const parsed of [...amounts, anomalyMin, ceiling]) if (!parsed.ok) return parsed;
  const value = (parsed: MoneyResult) => (parsed.ok ? parsed.value : null);
  const anomaly = body.destination_anomaly;
  const short = body.short_call_burst;
  return success({
    spendVelocity: spend === undefined ? base.spendVelocity : spend === null ? null : {
      tenMinutesMicrosMax: value(amounts[0]!), hourMicrosMax: value(amounts[1]!),
      dayMicrosMax: value(amounts[2]!), action: spend.action },
    callVelocity: body.call_velocity === undefined ? base.callVelocity : body.call_velocity ===
      null ? null : { attemptsPerMinuteMax: body.call_velocity.attempts_per_minute_max,
      action: body.call_velocity.action },
    concurrentCalls: body.concurrent_calls === undefined ? base.concurrentCalls
      : body.concurrent_calls === null ? null : { callsMax: body.concurrent_calls.calls_max,
        action: body.concurrent_calls.action },
    riskLists: body.risk_lists ?? base.riskLists,
    destinationAnomaly: anomaly === undefined ? base.destinationAnomaly : anomaly === null ? null
      : { historyDays: anomaly.history_days, windowMs: anomaly.window_minutes * minuteMs,
        newSpendSharePercentMin: anomaly.new_spend_share_percent_min,
        newSpendMicrosMin: value(anomalyMin) ?? micros(0n), granularity: anomaly.granularity,
        prefixDigits: anomaly.prefix_digits, learningDays: anomaly.learning_days,
        action: anomaly.action },
    shortCallBurst: short === undefined ? base.shortCallBurst : short === null ? null : {
      shortCallSecondsMax: short.short_call_seconds_max, windowMs: short.window_minutes * minuteMs,
      shortCallsMin: short.short_calls_min, sharePercentMin: short.share_percent_min,
      action: short.action },
    costPerMinute: body.cost_per_minute === undefined ? base.costPerMinute
      : body.cost_per_minute === null ? null : { ceilingMicros: value(ceiling) ?? micros(0n),
        usedSecondsMin: body.cost_per_minute.used_seconds_min,
        action: body.cost_per_minute.action },
    unusualHours: body.unusual_hours === undefined ? base.unusualHours : body.unusual_hours ===
      null ? null : { learningDays: body.unusual_hours.learning_days,
      action: body.unusual_hours.action },
    creditLimit: body.credit_limit === undefined ? base.creditLimit : body.credit_limit === null
      ? null : { thresholdsPercent: [...body.credit_limit.thresholds_percent] },
    coolDownMs: body.cool_down_seconds === undefined ? base.coolDownMs
      : body.cool_down_seconds * 1_000,
    alertRepeatMs: body.alert_repeat_seconds === undefined ? base.alertRepeatMs
      : body.alert_repeat_seconds * 1_000,
  });
}

/** The domain config on the wire (the inverse of `fromApiFraudConfig`). */
export function toApiFraudConfig(config: FraudConfig): FraudConfigApiInput {
  const money = (amount: bigint | null) => formatMoneyOrNull(amount);
  const { spendVelocity: spend, destinationAnomaly: anomaly, shortCallBurst: short } = config;
  return {
    spend_velocity: spend === null ? null : { ten_minutes_max: money(spend.tenMinutesMicrosMax),
      hour_max: money(spend.hourMicrosMax), day_max: money(spend.dayMicrosMax),
      action: spend.action },
    call_velocity: config.callVelocity === null ? null : {
      attempts_per_minute_max: config.callVelocity.attemptsPerMinuteMax,
      action: config.callVelocity.action },
    concurrent_calls: config.concurrentCalls === null ? null : {
      calls_max: config.concurrentCalls.callsMax, action: config.concurrentCalls.action },
    risk_lists: config.riskLists,
    destination_anomaly: anomaly === null ? null : { history_days: anomaly.historyDays,
      window_minutes: Math.round(anomaly.windowMs / minuteMs),
      new_spend_share_percent_min: anomaly.newSpendSharePercentMin,
      new_spend_min: money(anomaly.newSpendMicrosMin) ?? '0', granularity: anomaly.granularity,
      prefix_digits: anomaly.prefixDigits, learning_days: anomaly.learningDays,
      action: anomaly.action },
    short_call_burst: short === null ? null : {
      short_call_seconds_max: short.shortCallSecondsMax,
      window_minutes: Math.round(short.windowMs / minuteMs), short_calls_min: short.shortCallsMin,
      share_percent_min: short.sharePercentMin, action: short.action },
    cost_per_minute: config.costPerMinute === null ? null : {
      ceiling: money(config.costPerMinute.ceilingMicros) ?? '0',
      used_seconds_min: config.costPerMinute.usedSecondsMin,
      action: config.costPerMinute.action },
    unusual_hours: config.unusualHours === null ? null : {
      learning_days: config.unusualHours.learningDays, action: config.unusualHours.action },
    credit_limit: config.creditLimit === null ? null : {
      thresholds_percent: [...config.creditLimit.thresholdsPercent] },
    cool_down_seconds: Math.round(config.coolDownMs / 1_000),
    alert_repeat_seconds: Math.round(config.alertRepeatMs / 1_000),
  };
}
