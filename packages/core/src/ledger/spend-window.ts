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

const minuteMs = 60_000;
/** Zones whose keys of the current minute are remembered; past it the memo starts afresh. */
const zonesRememberedMax = 1_000;
const keysOfMinute = new Map<string, { readonly minute: number; readonly keys: SpendWindowKeys }>();

/**
 * The keys of the windows an instant falls in. Every charge asks for them, once per level, so
 * the keys of the current minute are remembered per zone: local midnights and offset changes
 * fall on whole minutes, so every instant of one minute has the same keys.
 */
export function spendWindowKeys(timeZone: string, atMs: number): SpendWindowKeys {
  const minute = Math.floor(atMs / minuteMs);
  const known = keysOfMinute.get(timeZone);
  if (known !== undefined && known.minute === minute) return known.keys;
  const keys = {
    dayKey: `D${localDayKey(timeZone, atMs)}`,
    monthKey: `M${localMonthKey(timeZone, atMs)}`,
  };
  if (known === undefined && keysOfMinute.size >= zonesRememberedMax) keysOfMinute.clear();
  keysOfMinute.set(timeZone, { minute, keys });
  return keys;
}

export function spendKey(window: SpendWindowKey): string {
  return `${window.accountId} ${window.periodKey}`;
}
