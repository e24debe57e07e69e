import { assert } from '../kernel/assert.ts';
import {
  prefixIndexLimits,
  prefixIndexOf,
  type PrefixIndex,
} from '../tariffs/prefix-index.ts';
import { generalList, isDated, noRecord, recordField } from '../tariffs/prefix-record.ts';
import type { RateDeck, RateRow } from '../tariffs/rate-deck.ts';
import { computeBandActivity, type BandActivity } from './band-activity.ts';

/**
 * Everything about a call that does not depend on its duration: the matched prefix, the rows in
 * force at the call start, and (lazily) when their time bands are active. Rating a duration and
 * searching the maximum duration both reuse one plan, so the search does not redo the lookup.
 */
export interface CallPlan {
  readonly deck: RateDeck;
  readonly number: string;
  readonly startedAtMs: number;
  readonly prefix: string;
  /** Rows of the prefix whose effective window contains the call start, in file order. */
  readonly candidates: readonly RateRow[];
  /** Distinct `fromS` values of the candidates above 0, ascending: the tier starts. */
  readonly tierStartsS: readonly number[];
  readonly bandNames: readonly string[];
  /** Seconds after the start up to which band activity is known. */
  readonly horizonS: number;
  readonly bandActivity: BandActivity | null;
}

export type CallPlanResult =
  | { readonly status: 'planned'; readonly plan: CallPlan }
  | { readonly status: 'no_rate'; readonly reason: 'no_prefix' };

export const callDurationSMax = 7 * 86_400;

const noTiers: readonly number[] = [];
const noBands: readonly string[] = [];

export function isInForce(row: RateRow, atMs: number): boolean {
  if (row.effectiveFromMs !== null && atMs < row.effectiveFromMs) return false;
  if (row.effectiveToMs !== null && atMs >= row.effectiveToMs) return false;
  return true;
}

/**
 * Longest-prefix match among the rows in force at the call start (rating.md: an expired `447`
 * row falls back to `44`; bands do not take part in choosing the prefix). The rows of the
 * matched prefix in force, or null.
 */
export function findRowsInForce(
  deck: RateDeck,
  number: string,
  atMs: number,
): readonly RateRow[] | null {
  const index = prefixIndexOf(deck);
  const at = recordInForce(index, number, atMs);
  return at === noRecord ? null : rowsInForce(index.rowsAt(at), atMs);
}

/**
 * The record (`prefix-record.ts`) of the longest deck prefix of `number` with a row in force at
 * `atMs`, or `noRecord`: the search of `findRowsInForce`, for callers that rate from the record.
 * A plain record's one row is in force unless it is dated and its window says otherwise.
 */
export function recordInForce(index: PrefixIndex, number: string, atMs: number): number {
  let at = index.find(number);
  for (let step = 0; at >= 0; step += 1, at = index.parentOf(at)) {
    assert(step < prefixIndexLimits.matchesMax, 'a number has one match per digit at most');
    const plan = index.cells[at + recordField.plan] as number;
    if (plan === generalList) {
      if (rowsInForce(index.rowsAt(at), atMs) !== null) return at;
    } else if (!isDated(plan) || index.datedInForce(at, atMs)) {
      return at;
    }
  }
  return noRecord;
}

/** The rows of one prefix whose effective window contains `atMs`, or null when none does. */
export function rowsInForce(rows: readonly RateRow[], atMs: number): readonly RateRow[] | null {
  if (rows.length === 1) return isInForce(rows[0]!, atMs) ? rows : null;
  const inForce = rows.filter((row) => isInForce(row, atMs));
  return inForce.length > 0 ? inForce : null;
}

/**
 * `horizonS` bounds how far past the start band activity is prepared: the longest call this plan
 * will be asked to rate (including included seconds and the last block's overrun).
 */
export function planCall(options: {
  deck: RateDeck;
  number: string;
  startedAtMs: number;
  horizonS: number;
  /** Bands to prepare besides those of the rate rows, e.g. a bundle's band. */
  extraBandNames?: readonly string[];
}): CallPlanResult {
  assertHorizon(options.horizonS);
  const rows = findRowsInForce(options.deck, options.number, options.startedAtMs);
  if (rows === null) return { status: 'no_rate', reason: 'no_prefix' };
  return { status: 'planned', plan: planRows(options, rows) };
}

export function assertHorizon(horizonS: number): void {
  assert(Number.isInteger(horizonS) && horizonS >= 0, 'horizon is whole seconds');
  assert(horizonS <= callDurationSMax * 2, 'horizon is bounded');
}

/** The plan of `planCall` once the rows in force of the matched prefix are known. */
export function planRows(
  options: {
    deck: RateDeck;
    number: string;
    startedAtMs: number;
    horizonS: number;
    extraBandNames?: readonly string[];
  },
  rows: readonly RateRow[],
): CallPlan {
  const { deck, number, startedAtMs, horizonS } = options;
  const prefix = rows[0]!.prefix;
  const only = rows.length === 1 ? rows[0]! : null;
  const noExtraBands = options.extraBandNames === undefined || options.extraBandNames.length === 0;
  if (only !== null && only.fromS === 0 && only.timeBand === null && noExtraBands) {
    // Most prefixes have one plain row: skip the tier and band bookkeeping.
    return { deck, number, startedAtMs, prefix, candidates: rows, tierStartsS: noTiers,
      bandNames: noBands, horizonS, bandActivity: null };
  }
  const tierStarts = new Set<number>();
  const bandNames = new Set<string>();
  for (const row of rows) {
    if (row.fromS > 0) tierStarts.add(row.fromS);
    if (row.timeBand !== null) bandNames.add(row.timeBand);
  }
  for (const name of options.extraBandNames ?? []) {
    if (deck.bands.has(name)) bandNames.add(name);
  }
  const names = [...bandNames];
  const bandActivity =
    names.length === 0
      ? null
      : computeBandActivity({
          bands: deck.bands,
          bandNames: names,
          zone: deck.settings.zone,
          fromMs: startedAtMs,
          toMs: startedAtMs + horizonS * 1000,
        });
  return {
    deck,
    number,
    startedAtMs,
    prefix,
    candidates: rows,
    tierStartsS: [...tierStarts].sort((a, b) => a - b),
    bandNames: names,
    horizonS,
    bandActivity,
  };
}
