import { periodContaining, type BillingCycle, type BillingPeriod } from
  '../billing/billing-cycle.ts';
import { assert } from '../kernel/assert.ts';
import { divideRounded, micros, type Micros, type RoundingMode } from '../kernel/money.ts';
import { dayMs, localDateOf } from '../kernel/time-zone.ts';
import type { DidFirstPeriod } from './did.ts';

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
 * The monthly fee of one period of a hold that started at `startedAtMs`: the whole fee,
 * except in the period the hold started in when the setting says `prorated` (the local days
 * from the start day to the period's end, over the period's days; rounded down, in the
 * payer's favour).
 */
export function periodFeeMicros(options: { monthlyMicros: Micros; period: BillingPeriod;
  startedAtMs: number; zone: string; firstPeriod: DidFirstPeriod }): Micros {
  const { monthlyMicros, period, startedAtMs, zone } = options;
  const first = startedAtMs >= period.startMs && startedAtMs < period.endMs;
  if (!first || options.firstPeriod === 'full') return monthlyMicros;
  return prorateMicros({ amountMicros: monthlyMicros, mode: 'down',
    usedDays: localDaysBetween(zone, startedAtMs, period.endMs),
    periodDays: localDaysBetween(zone, period.startMs, period.endMs) });
}

/** The first period a hold's cursor still owes: the one holding the later of both. */
export function firstOwedPeriod(cycle: BillingCycle, zone: string, hold: {
  startedAtMs: number; chargedThroughMs: number }): BillingPeriod {
  return periodContaining(cycle, zone, Math.max(hold.startedAtMs, hold.chargedThroughMs));
}
