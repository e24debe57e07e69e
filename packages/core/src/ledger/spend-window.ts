import type { Micros } from '../kernel/money.ts';
import { localDayKey, localMonthKey } from '../kernel/time-zone.ts';
import type { AccountId } from './account.ts';

/**
 * Spend windows count the charges posted to an account's main book per local calendar day and
 * month of the account's time zone (charging.md: daily_limit, monthly_limit). Keys carry the
 * period kind so that both kinds share one table: "D2025-03-30", "M2025-03".
 */
export interface SpendWindowKeys {
  readonly dayKey: string;
  readonly monthKey: string;
}

export interface SpendWindowKey {
  readonly accountId: AccountId;
  readonly periodKey: string;
}

export interface SpendWindow extends SpendWindowKey {
  readonly spentMicros: Micros;
}

export function spendWindowKeys(timeZone: string, atMs: number): SpendWindowKeys {
  return {
    dayKey: `D${localDayKey(timeZone, atMs)}`,
    monthKey: `M${localMonthKey(timeZone, atMs)}`,
  };
}

export function spendKey(window: SpendWindowKey): string {
  return `${window.accountId} ${window.periodKey}`;
}
