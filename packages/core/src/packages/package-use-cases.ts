import { bundleKeyOf, bundleLimits, type CreateBundleInput } from '../charging/bundles.ts';
import type { ChargingResult } from '../charging/charging-service.ts';
import type { ChargingCode } from '../charging/charging-types.ts';
import type { BundleRecord } from '../charging/session-record.ts';
import type { BillingSettings } from '../billing/billing-settings.ts';
import type { BillingPeriod } from '../billing/billing-cycle.ts';
import {
  loadRecurringPayer,
  owedPeriods,
  periodFeeMicros,
  periodShare,
  type FirstPeriodMode,
} from '../billing/recurring-periods.ts';
import { mapInChunks } from '../kernel/chunks.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Micros } from '../kernel/money.ts';
import { problem, success, type Result } from '../kernel/result.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import {
  packageBundleId,
  packageLimits,
  type PackageStore,
  type PackageSubscription,
  type PackageUnused,
} from './package.ts';

export interface PackageDeps {
  readonly store: PackageStore;
  /** The fee moves through the ledger's use cases only. */
  readonly ledger: LedgerService;
  /** The seconds are charging's bundles, made through its use case. */
  readonly charging: {
    createBundle(input: CreateBundleInput): Promise<ChargingResult<BundleRecord>>;
    listBundles(accountId: string): Promise<ChargingResult<BundleRecord[]>>;
  };
  readonly clock: Clock;
  billingSettings(accountIds: readonly string[]): Promise<BillingSettings[]>;
  /** The installation's setting (`didFirstPeriod` also rules packages). */
  readonly firstPeriod: FirstPeriodMode;
}

export type PackageCode = 'invalid_package' | 'package_exists' | 'package_not_found';
export type PackageResult<T> = Result<T, PackageCode | ChargingCode | LedgerCode>;

export interface SubscribeInput {
  readonly accountId: string;
  readonly packageId: string;
  readonly monthlyMicros: Micros;
  readonly includedSeconds: number;
  readonly prefixes: readonly string[];
  readonly unused: PackageUnused;
  readonly firstPeriod: FirstPeriodMode | null;
}

/**
 * Subscribes an account (paid to its parent): the current period is renewed at once (its
 * fee and its seconds, both prorated by setting), then each period by the renewal job.
 */
export async function subscribePackage(deps: PackageDeps, input: SubscribeInput):
  Promise<PackageResult<PackageSubscription>> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(input.packageId)) {
    return problem('invalid_package', 'package_id is 1-64 of A-Z a-z 0-9 _ -');
  }
  if (!Number.isInteger(input.includedSeconds) || input.includedSeconds <= 0 ||
    input.includedSeconds * 2 > bundleLimits.secondsMax) {
    return problem('invalid_package', 'included_seconds is a positive whole number of a ' +
      'reasonable size');
  }
  if (input.prefixes.length === 0 || input.prefixes.length > bundleLimits.prefixesMax ||
    input.prefixes.some((prefix) => !/^\d{1,32}$/.test(prefix))) {
    return problem('invalid_package', 'prefixes are 1-1000 digit strings');
  }
  const chain = await deps.ledger.getAccountChain(input.accountId);
  if (!chain.ok) return chain;
  const account = chain.value[0]!;
  if (account.parentId === null) return problem('invalid_package', 'a root has no parent');
  const subscription: PackageSubscription = { id: bundleKeyOf(account.id, input.packageId),
    packageId: input.packageId, accountId: account.id, payeeAccountId: account.parentId,
    currency: account.currency, monthlyMicros: input.monthlyMicros,
    includedSeconds: input.includedSeconds, prefixes: [...input.prefixes],
    unused: input.unused, firstPeriod: input.firstPeriod ?? deps.firstPeriod,
    startedAtMs: deps.clock.nowMs(), endedAtMs: null, renewedThroughMs: 0 };
  if (!await deps.store.insertSubscription(subscription)) {
    return problem('package_exists', `${account.id} has a package ${input.packageId}`);
  }
  const renewed = await renewSubscription(deps, subscription);
  if (!renewed.ok) return renewed;
  return success(subscription);
}

/**
 * Renews what a subscription owes up to now: per started period, the fee (idempotency key
 * `pkg:<subscription>:<period start>`, so exactly once however many nodes renew) and the
 * period's bundle (its id is the period's: made once), valid to the period's end.
 */
export async function renewSubscription(deps: PackageDeps, subscription: PackageSubscription):
  Promise<PackageResult<number>> {
  const payer = await loadRecurringPayer({ ledger: deps.ledger,
    billingSettings: deps.billingSettings, accountId: subscription.accountId });
  if (!payer.ok) return payer;
  const zone = payer.value.account.timeZone;
  let renewed = 0;
  for (const period of owedPeriods(payer.value, { startedAtMs: subscription.startedAtMs,
    chargedThroughMs: subscription.renewedThroughMs }, deps.clock.nowMs(),
  packageLimits.catchUpPeriodsMax)) {
    const share = { period, startedAtMs: subscription.startedAtMs, zone,
      firstPeriod: subscription.firstPeriod };
    const feeMicros = periodFeeMicros({ ...share, monthlyMicros: subscription.monthlyMicros });
    if (feeMicros > 0n) {
      const fee = await deps.ledger.postCharge({ overdraft: 'allow',
        idempotencyKey: `pkg:${subscription.id}:${period.startMs}`,
        reference: `rc:Package ${subscription.packageId} ${period.key}`,
        legs: [{ accountId: subscription.accountId, parentId: subscription.payeeAccountId,
          currency: subscription.currency, amountMicros: feeMicros }] });
      if (!fee.ok) return fee;
    }
    const bundle = await deps.charging.createBundle({ accountId: subscription.accountId,
      bundleId: packageBundleId(subscription, period.key), prefixes: subscription.prefixes,
      timeBand: null, validUntilMs: period.endMs,
      seconds: await periodSeconds(deps, subscription, period, periodShare(share)) });
    if (!bundle.ok) return bundle;
    await deps.store.advanceRenewal(subscription.id, period.endMs);
    renewed += 1;
  }
  return success(renewed);
}

/**
 * The seconds of a period's bundle: the included seconds (prorated with the fee in the first
 * period), plus, under `rollover`, what the previous period's bundle has left now, at most
 * one period's included seconds. Seconds a call still holds at the renewal go back to the
 * old bundle when it ends, and expire with it.
 */
async function periodSeconds(deps: PackageDeps, subscription: PackageSubscription,
  period: BillingPeriod, share: { usedDays: number; periodDays: number } | null):
  Promise<number> {
  const included = share === null ? subscription.includedSeconds
    : Math.max(1, Math.floor(subscription.includedSeconds * share.usedDays / share.periodDays));
  if (subscription.unused === 'expire') return included;
  const bundles = await deps.charging.listBundles(subscription.accountId);
  const previous = !bundles.ok ? undefined : bundles.value
    .filter((bundle) => bundle.id.startsWith(bundleKeyOf(subscription.accountId,
      `pkg.${subscription.packageId}.`)) && bundle.validUntilMs === period.startMs)[0];
  const left = Math.max(0, previous?.secondsRemaining ?? 0);
  return included + Math.min(left, subscription.includedSeconds);
}

export interface PackageRenewalReport {
  readonly ran: boolean;
  readonly renewed: number;
  readonly refused: readonly { subscriptionId: string; code: string }[];
}

export const packageRenewalLease = 'package-renewals';

/** Renews every due subscription, under a lease (see `runDidFees` for why it is safe). */
export async function runPackageRenewals(deps: PackageDeps,
  options: { holder: string; leaseMs: number }): Promise<PackageRenewalReport> {
  const nowMs = deps.clock.nowMs();
  if (!await deps.store.acquireLease({ name: packageRenewalLease, holder: options.holder,
    nowMs, untilMs: nowMs + options.leaseMs })) {
    return { ran: false, renewed: 0, refused: [] };
  }
  let afterId: string | null = null;
  let renewed = 0;
  const refused: { subscriptionId: string; code: string }[] = [];
  for (let page = 0; page < packageLimits.renewalPagesMax; page += 1) {
    const due = await deps.store.listDueSubscriptions({ atMs: nowMs, afterId,
      limit: packageLimits.renewalPageMax });
    const outcomes = await mapInChunks(due, packageLimits.renewalsConcurrentMax,
      (subscription) => renewSubscription(deps, subscription));
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.ok) renewed += outcome.value;
      else refused.push({ subscriptionId: due[index]!.id, code: outcome.code });
    }
    if (due.length < packageLimits.renewalPageMax) break;
    afterId = due[due.length - 1]!.id;
  }
  return { ran: true, renewed, refused };
}
