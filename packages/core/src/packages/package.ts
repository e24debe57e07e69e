import type { FirstPeriodMode } from '../billing/recurring-periods.ts';
import type { Micros } from '../kernel/money.ts';

/**
 * A package an account subscribes to (issue 18): a monthly fee paid to its parent and, each
 * period, a bundle of included seconds for some prefixes (charging's bundles, used before
 * money). `unused` says what the seconds left at a period's end do: `expire` with it, or
 * `rollover` into the next period's bundle (at most one period's included seconds).
 */
export interface PackageSubscription {
  /** Chosen by the subscriber's parent, per account (`<account>/<package id>` stored). */
  readonly id: string;
  readonly packageId: string;
  readonly accountId: string;
  readonly payeeAccountId: string;
  readonly currency: string;
  readonly monthlyMicros: Micros;
  readonly includedSeconds: number;
  readonly prefixes: readonly string[];
  readonly unused: PackageUnused;
  readonly firstPeriod: FirstPeriodMode;
  readonly startedAtMs: number;
  readonly endedAtMs: number | null;
  /** The end of the last period renewed: the renewal job's cursor. */
  readonly renewedThroughMs: number;
}

export const packageUnusedModes = ['expire', 'rollover'] as const;
export type PackageUnused = (typeof packageUnusedModes)[number];

export const packageLimits = {
  idLengthMax: 64,
  /** Renewals one run posts per page, pages per run, periods one subscription catches up. */
  renewalPageMax: 500,
  renewalPagesMax: 1_000,
  /** Subscriptions one run renews at the same time (independent: own keys and bundle ids). */
  renewalsConcurrentMax: 16,
  catchUpPeriodsMax: 100,
  listMax: 500,
} as const;

export interface PackageStore {
  /** False (nothing stored) when the account already has a subscription with this id. */
  insertSubscription(subscription: PackageSubscription): Promise<boolean>;
  listSubscriptions(accountId: string): Promise<PackageSubscription[]>;
  endSubscription(id: string, endedAtMs: number): Promise<boolean>;
  /** Active subscriptions whose cursor is at or before `atMs`, id order after `afterId`. */
  listDueSubscriptions(query: { atMs: number; afterId: string | null; limit: number }):
    Promise<PackageSubscription[]>;
  /** Forward only. */
  advanceRenewal(id: string, renewedThroughMs: number): Promise<void>;
  acquireLease(lease: { name: string; holder: string; nowMs: number; untilMs: number }):
    Promise<boolean>;
}

/** The bundle that holds a subscription's seconds for the period starting on `periodKey`. */
export function packageBundleId(subscription: Pick<PackageSubscription, 'packageId'>,
  periodKey: string): string {
  return `pkg.${subscription.packageId}.${periodKey}`;
}
