import { assert } from '../kernel/assert.ts';
import { divideRounded, micros, type Micros, type RoundingMode } from '../kernel/money.ts';
import type { Result } from '../kernel/result.ts';
import { dayMs, localDateOf } from '../kernel/time-zone.ts';
import type { Account } from '../ledger/account.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import {
  periodAfter,
  periodContaining,
  type BillingCycle,
  type BillingPeriod,
} from './billing-cycle.ts';
import { effectiveBillingSettings, type BillingSettings } from './billing-settings.ts';

/**
 * Recurring charges (a number's monthly fee, a package's): paid in advance, once per period
 * of the payer, from the period a hold starts in. Shared by `dids/` and `packages/`.
 */

/**
 * The first period's charge: `prorated` by the local days left in it (the day the hold starts
 * counts), or `full`.
 */
export const firstPeriodModes = ['prorated', 'full'] as const;
export type FirstPeriodMode = (typeof firstPeriodModes)[number];

/**
 * The periods monthly fees follow: the payer's billing cycle when it is monthly (so a fee
 * lands on the invoice of the period it pays for), else calendar months in its zone.
 */
export function feeCycleOf(billingCycle: BillingCycle): BillingCycle {
  return billingCycle.kind === 'monthly' ? billingCycle : { kind: 'monthly', anchorDay: 1 };
}

/** Local calendar days from the day of `fromMs` up to the day before `toMs`'s, inclusive. */
export function localDaysBetween(zone: string, fromMs: number, toMs: number): number {
  const epochDay = (atMs: number) => {
    const date = localDateOf(zone, atMs);
    return Date.UTC(date.year, date.month - 1, date.day) / dayMs;
  };
  return epochDay(toMs) - epochDay(fromMs);
}

/** `amountMicros x usedDays / periodDays`, rounded once with an explicit mode. */
export function prorateMicros(options: { amountMicros: Micros; usedDays: number;
  periodDays: number; mode: RoundingMode }): Micros {
  const { amountMicros, usedDays, periodDays, mode } = options;
  assert(periodDays > 0 && usedDays >= 0 && usedDays <= periodDays, 'days within the period');
  return micros(divideRounded(amountMicros * BigInt(usedDays), BigInt(periodDays), mode));
}

/**
 * The share of a period a hold pays: null for the whole period, else the local days from
 * the start day to the period's end over the period's days (the first period, prorated).
 */
export function periodShare(options: { period: BillingPeriod; startedAtMs: number;
  zone: string; firstPeriod: FirstPeriodMode }): { usedDays: number; periodDays: number } |
  null {
  const { period, startedAtMs, zone } = options;
  const first = startedAtMs >= period.startMs && startedAtMs < period.endMs;
  if (!first || options.firstPeriod === 'full') return null;
  return { usedDays: localDaysBetween(zone, startedAtMs, period.endMs),
    periodDays: localDaysBetween(zone, period.startMs, period.endMs) };
}

/** The monthly fee of one period, prorated by `periodShare` (rounded down: the payer's way). */
export function periodFeeMicros(options: { monthlyMicros: Micros; period: BillingPeriod;
  startedAtMs: number; zone: string; firstPeriod: FirstPeriodMode }): Micros {
  const share = periodShare(options);
  if (share === null) return options.monthlyMicros;
  return prorateMicros({ amountMicros: options.monthlyMicros, mode: 'down', ...share });
}

/** Who pays a recurring charge, and the cycle its periods follow. */
export interface RecurringPayer {
  readonly account: Account;
  readonly cycle: BillingCycle;
}

export async function loadRecurringPayer(options: { ledger: LedgerService;
  billingSettings: (ids: readonly string[]) => Promise<BillingSettings[]>;
  accountId: string }): Promise<Result<RecurringPayer, LedgerCode>> {
  const chain = await options.ledger.getAccountChain(options.accountId);
  if (!chain.ok) return chain;
  const ids = chain.value.map((account) => account.id);
  const effective = effectiveBillingSettings(ids, await options.billingSettings(ids));
  return { ok: true, value: { account: chain.value[0]!, cycle: feeCycleOf(effective.cycle) } };
}

/**
 * The periods a hold owes at `nowMs`: from the one holding the later of its start and its
 * cursor, every period that has started, at most `periodsMax` (a catch-up after downtime).
 */
export function owedPeriods(payer: RecurringPayer, hold: { startedAtMs: number;
  chargedThroughMs: number }, nowMs: number, periodsMax: number): BillingPeriod[] {
  const zone = payer.account.timeZone;
  const owed: BillingPeriod[] = [];
  let period = periodContaining(payer.cycle, zone,
    Math.max(hold.startedAtMs, hold.chargedThroughMs));
  while (owed.length < periodsMax && period.startMs <= nowMs) {
    owed.push(period);
    period = periodAfter(payer.cycle, zone, period);
  }
  return owed;
}
