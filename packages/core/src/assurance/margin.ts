import type { Cdr } from '../charging/charging-types.ts';
import { micros, type Micros } from '../kernel/money.ts';

/**
 * Margin of one level (an account) per destination and carrier: what the level below paid it
 * (revenue), what it paid its parent or carrier (cost), and the traffic (calls, answered,
 * seconds). A level sees its own cost, never what its parent pays upward. Pure and
 * incremental: the use case feeds CDRs page by page, so a period is never held in memory.
 */
export interface MarginRow {
  /** The prefix of the deck this level sells with (its customer's level); null for events. */
  readonly prefix: string | null;
  /** Only for a root level shown to its operator; null otherwise. */
  readonly carrierId: string | null;
  readonly revenueCurrency: string | null;
  readonly costCurrency: string;
  readonly calls: number;
  /** CDRs with used seconds above zero (ASR = answered / calls). */
  readonly answered: number;
  readonly usedSeconds: number;
  readonly revenueMicros: Micros;
  readonly costMicros: Micros;
}

export interface MarginTally {
  readonly rows: Map<string, MarginRowSum>;
}

interface MarginRowSum {
  prefix: string | null;
  carrierId: string | null;
  revenueCurrency: string | null;
  costCurrency: string;
  calls: number;
  answered: number;
  usedSeconds: number;
  revenue: bigint;
  cost: bigint;
}

export function emptyMarginTally(): MarginTally {
  return { rows: new Map() };
}

/** Adds CDRs to the tally of `accountId`; CDRs without that level are ignored. */
export function tallyMargins(tally: MarginTally, cdrs: readonly Cdr[], options: {
  accountId: string; showCarrier: boolean }): void {
  for (const cdr of cdrs) {
    const index = cdr.levels.findIndex((level) => level.accountId === options.accountId);
    if (index < 0) continue;
    const own = cdr.levels[index]!;
    const below = index > 0 ? cdr.levels[index - 1]! : null;
    const carrierId = options.showCarrier && index === cdr.levels.length - 1
      ? cdr.carrier?.carrierId ?? null : null;
    const prefix = below?.prefix ?? own.prefix;
    const key = JSON.stringify([prefix, carrierId, below?.currency ?? null, own.currency]);
    const row = tally.rows.get(key) ?? { prefix, carrierId,
      revenueCurrency: below?.currency ?? null, costCurrency: own.currency, calls: 0,
      answered: 0, usedSeconds: 0, revenue: 0n, cost: 0n };
    row.calls += 1;
    if (cdr.usedSeconds > 0) row.answered += 1;
    row.usedSeconds += cdr.usedSeconds;
    row.revenue += below?.costMicros ?? 0n;
    row.cost += own.costMicros;
    tally.rows.set(key, row);
  }
}

/** The rows, by prefix then carrier. */
export function marginRowsOf(tally: MarginTally): MarginRow[] {
  return [...tally.rows.values()].map((row) => ({ prefix: row.prefix,
    carrierId: row.carrierId, revenueCurrency: row.revenueCurrency,
    costCurrency: row.costCurrency, calls: row.calls, answered: row.answered,
    usedSeconds: row.usedSeconds, revenueMicros: micros(row.revenue),
    costMicros: micros(row.cost) }))
    .sort((a, b) => compareText(a.prefix ?? '', b.prefix ?? '') ||
      compareText(a.carrierId ?? '', b.carrierId ?? ''));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Margin in one currency; null when revenue and cost are in different currencies. */
export function marginMicrosOf(row: MarginRow): Micros | null {
  if (row.revenueCurrency !== null && row.revenueCurrency !== row.costCurrency) return null;
  return micros(row.revenueMicros - row.costMicros);
}

/** The totals of rows per currency pair (one line per pair, usually one). */
export function marginTotalsOf(rows: readonly MarginRow[]): MarginRow[] {
  const tally = emptyMarginTally();
  for (const row of rows) {
    const key = JSON.stringify([row.revenueCurrency, row.costCurrency]);
    const sum = tally.rows.get(key) ?? { prefix: null, carrierId: null,
      revenueCurrency: row.revenueCurrency, costCurrency: row.costCurrency, calls: 0,
      answered: 0, usedSeconds: 0, revenue: 0n, cost: 0n };
    sum.calls += row.calls;
    sum.answered += row.answered;
    sum.usedSeconds += row.usedSeconds;
    sum.revenue += row.revenueMicros;
    sum.cost += row.costMicros;
    tally.rows.set(key, sum);
  }
  return marginRowsOf(tally);
}
