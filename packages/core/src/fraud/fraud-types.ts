import type { Micros } from '../kernel/money.ts';

/** What a rule does when it fires, by severity (issue 8, "Actions"). */
export const fraudActions = ['alert', 'block_destination', 'suspend'] as const;
export type FraudAction = (typeof fraudActions)[number];

/** Stable rule names: they appear in alerts, the API and the stored configs. */
export const fraudRuleIds = [
  'spend_velocity',
  'call_velocity',
  'concurrent_calls',
  'destination_risk',
  'destination_anomaly',
  'short_call_burst',
  'cost_per_minute',
  'unusual_hours',
  'credit_limit',
] as const;
export type FraudRuleId = (typeof fraudRuleIds)[number];

/** Money spent per rolling window; each null bound is off. */
export interface SpendVelocityRule {
  readonly tenMinutesMicrosMax: Micros | null;
  readonly hourMicrosMax: Micros | null;
  readonly dayMicrosMax: Micros | null;
  readonly action: FraudAction;
}

/** Call attempts (authorize requests, refused ones included) in the last 60 s. */
export interface CallVelocityRule {
  readonly attemptsPerMinuteMax: number;
  readonly action: FraudAction;
}

/** Live calls of the account at once (as seen by this node). */
export interface ConcurrentCallsRule {
  readonly callsMax: number;
  readonly action: FraudAction;
}

export const destinationGranularities = ['country', 'prefix'] as const;
export type DestinationGranularity = (typeof destinationGranularities)[number];

/**
 * Spend to destinations the account did not call in the previous `historyDays` days, as a share
 * of its spend in the last `windowMs`. Both the share and the amount must reach their minimum,
 * so one cheap call to a new country on a quiet account is not an alarm.
 */
export interface DestinationAnomalyRule {
  readonly historyDays: number;
  readonly windowMs: number;
  readonly newSpendSharePercentMin: number;
  readonly newSpendMicrosMin: Micros;
  readonly granularity: DestinationGranularity;
  /** For `prefix`: how many leading digits name a destination. */
  readonly prefixDigits: number;
  /** A profile younger than this is still learning: everything is new to a new account. */
  readonly learningDays: number;
  readonly action: FraudAction;
}

/** Many answered calls shorter than `shortCallSecondsMax` (traffic pumping, wangiri). */
export interface ShortCallBurstRule {
  readonly shortCallSecondsMax: number;
  readonly windowMs: number;
  readonly shortCallsMin: number;
  readonly sharePercentMin: number;
  readonly action: FraudAction;
}

/** A call whose effective price per minute is above the ceiling (after `usedSecondsMin`). */
export interface CostPerMinuteRule {
  readonly ceilingMicros: Micros;
  readonly usedSecondsMin: number;
  readonly action: FraudAction;
}

/**
 * A call in a local hour (the account's time zone) in which the account never called, once it
 * has `learningDays` days of history.
 */
export interface UnusualHoursRule {
  readonly learningDays: number;
  readonly action: FraudAction;
}

/** Postpaid credit used, in percent of the credit limit: one alert per threshold per month. */
export interface CreditLimitRule {
  readonly thresholdsPercent: readonly number[];
}

/**
 * The rules of one account. Stored per account; an account without one uses its nearest
 * ancestor's (the whole config, not a merge: what an operator sees on the account is what
 * runs), else `defaultFraudConfig`.
 */
export interface FraudConfig {
  readonly spendVelocity: SpendVelocityRule | null;
  readonly callVelocity: CallVelocityRule | null;
  readonly concurrentCalls: ConcurrentCallsRule | null;
  /** Whether the operator's risk lists apply (each list has its own action). */
  readonly riskLists: boolean;
  readonly destinationAnomaly: DestinationAnomalyRule | null;
  readonly shortCallBurst: ShortCallBurstRule | null;
  readonly costPerMinute: CostPerMinuteRule | null;
  readonly unusualHours: UnusualHoursRule | null;
  readonly creditLimit: CreditLimitRule | null;
  /** How long a block or suspension lasts before it lifts by itself; 0: manual release only. */
  readonly coolDownMs: number;
  /** The same rule on the same account alerts again only after this. */
  readonly alertRepeatMs: number;
}

/** Risk lists apply everywhere, other rules are opt-in: a new tree is never refused by surprise. */
export const defaultFraudConfig: FraudConfig = {
  spendVelocity: null,
  callVelocity: null,
  concurrentCalls: null,
  riskLists: true,
  destinationAnomaly: null,
  shortCallBurst: null,
  costPerMinute: null,
  unusualHours: null,
  creditLimit: { thresholdsPercent: [80, 95] },
  coolDownMs: 3_600_000,
  alertRepeatMs: 600_000,
};

/**
 * An operator-maintained list of high-risk prefixes (premium ranges, IRSF hot spots). It applies
 * to the owner's subtree (every tree when the owner is null). The action fires when an account
 * makes `callsThreshold` attempts to the list's prefixes within `windowMs`.
 */
export interface RiskList {
  readonly id: string;
  readonly ownerAccountId: string | null;
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly action: FraudAction;
  readonly callsThreshold: number;
  readonly windowMs: number;
  readonly updatedAtMs: number;
}

export const fraudMeasureKinds = ['block_destination', 'suspend'] as const;
export type FraudMeasureKind = (typeof fraudMeasureKinds)[number];

/** A block or a suspension in force until its cool-down ends or someone releases it. */
export interface FraudMeasure {
  readonly id: string;
  readonly accountId: string;
  /** "/root/.../account/": the chain when it was taken, for subtree listings. */
  readonly scopePath: string;
  readonly kind: FraudMeasureKind;
  /** The blocked prefix; null for a suspension. */
  readonly prefix: string | null;
  readonly ruleId: FraudRuleId;
  readonly alertId: string;
  readonly createdAtMs: number;
  /** When the cool-down lifts it; null: only a manual release does. */
  readonly expiresAtMs: number | null;
  /** True when this measure turned an active account into a suspended one in the ledger. */
  readonly suspendedInLedger: boolean;
  readonly releasedAtMs: number | null;
  readonly releasedBy: 'cool_down' | 'manual' | null;
}

/** One finding of a rule, stored and delivered (webhook, NATS). Details are text: exact. */
export interface FraudAlert {
  readonly id: string;
  readonly accountId: string;
  /** The tenant: the root of the account's tree (the NATS subject names it). */
  readonly rootAccountId: string;
  /** "/root/.../account/": the chain at alert time, for subtree listings. */
  readonly scopePath: string;
  readonly ruleId: FraudRuleId;
  readonly action: FraudAction;
  readonly destination: string | null;
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
  readonly measureId: string | null;
  /** Set for alerts that must happen once (credit thresholds per month): unique in storage. */
  readonly dedupeKey: string | null;
  readonly createdAtMs: number;
}

/** Problems of the fraud API (stable snake_case codes). */
export const fraudCodes = [
  'invalid_fraud_config',
  'invalid_risk_list',
  'risk_list_not_found',
  'fraud_config_not_found',
  'fraud_measure_not_found',
  'fraud_measure_released',
  'fraud_disabled',
] as const;
export type FraudCode = (typeof fraudCodes)[number];
