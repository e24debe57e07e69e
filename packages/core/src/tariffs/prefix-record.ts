import type { RateRow } from './rate-deck.ts';

/**
 * One record per prefix of a deck, in the prefix index's cells (`prefix-index.ts`): the first
 * row and the prefix (to name them in a rating), the list id (the prefix's rows), and, when its
 * rows are one plain row (no tier, no band), the numbers that rate a call on it. Rating then
 * reads one 44-byte record that sits next to the keys the lookup just searched, instead of
 * following the list, the row and its bigints to wherever they live. What only fallbacks need
 * (the parent, a dated row's effective window) is kept by the index beside the cells, so that
 * the record stays small enough to share its cache line with the keys more often than not.
 *
 * The cells are a plain array so that a record can hold the references next to the numbers.
 * The numbers are small integers (V8 stores them unboxed, as "Smis", below 2^30); money, which
 * may reach 2^53 micros, is split into `high * 2^30 + low`. `includedS` also says how to rate
 * the list (`includedOf`): `generalList` when it is not one plain row or a value does not fit
 * (it is rated the general way, from its rows), `-2 - includedS` for a plain row with an
 * effective window (checked in the index's `inForce`), `includedS` itself otherwise.
 */
export type Cell = RateRow | string | number;

export const recordField = {
  row: 0,
  prefix: 1,
  includedS: 2,
  rateMicrosHigh: 3,
  rateMicrosLow: 4,
  connectFeeMicrosHigh: 5,
  connectFeeMicrosLow: 6,
  rateUnitS: 7,
  initialIncrementS: 8,
  incrementS: 9,
  list: 10,
} as const;

/** 11 cells of 4 bytes (V8's compressed pointers). */
export const recordStride = 11;
export const generalList = -1;
export const noRecord = -1;
export const highUnit = 2 ** 30;

/** Seconds fields and split parts must stay Smis (31-bit signed under pointer compression). */
const smallMax = 2 ** 30 - 1;

/** Writes the record of list `list` at `at` (one per prefix: no garbage per record). */
export function writeRecord(cells: Cell[], at: number, list: number,
  rows: readonly RateRow[]): void {
  const row = rows[0]!;
  cells[at + recordField.row] = row;
  cells[at + recordField.prefix] = row.prefix;
  cells[at + recordField.list] = list;
  if (!isOnePlainRow(rows)) {
    cells[at + recordField.includedS] = generalList;
    return;
  }
  const rate = Number(row.rateMicros);
  const rateHigh = Math.floor(rate / highUnit);
  const fee = Number(row.connectFeeMicros);
  const feeHigh = Math.floor(fee / highUnit);
  const dated = row.effectiveFromMs !== null || row.effectiveToMs !== null;
  cells[at + recordField.includedS] = dated ? -2 - row.includedS : row.includedS;
  cells[at + recordField.rateMicrosHigh] = rateHigh;
  cells[at + recordField.rateMicrosLow] = rate - rateHigh * highUnit;
  cells[at + recordField.connectFeeMicrosHigh] = feeHigh;
  cells[at + recordField.connectFeeMicrosLow] = fee - feeHigh * highUnit;
  cells[at + recordField.rateUnitS] = row.rateUnitS;
  cells[at + recordField.initialIncrementS] = row.initialIncrementS;
  cells[at + recordField.incrementS] = row.incrementS;
}

/** The included seconds of a plain record's `includedS` cell (dated or not). */
export function includedOf(stored: number): number {
  return stored >= 0 ? stored : -2 - stored;
}

/** Whether a plain record's `includedS` cell says its row has an effective window. */
export function isDated(stored: number): boolean {
  return stored < generalList;
}

/** A non-negative safe integer as `[high, low]` with `high * 2^30 + low` equal to it. */
export function split(value: number): [number, number] {
  const high = Math.floor(value / highUnit);
  return [high, value - high * highUnit];
}

/**
 * One row without a tier or a band whose numbers fit the record exactly: the row in force at
 * every block of any call, so a call on it is one part priced by it.
 */
function isOnePlainRow(rows: readonly RateRow[]): boolean {
  if (rows.length !== 1) return false;
  const row = rows[0]!;
  return (
    row.fromS === 0 &&
    row.timeBand === null &&
    isSafeMicros(row.rateMicros) &&
    isSafeMicros(row.connectFeeMicros) &&
    isSmall(row.rateUnitS) &&
    row.rateUnitS >= 1 &&
    isSmall(row.initialIncrementS) &&
    isSmall(row.incrementS) &&
    row.incrementS >= 1 &&
    // `-2 - includedS` must stay a Smi too.
    isSmall(row.includedS + 2)
  );
}

const safeMicrosMax = BigInt(Number.MAX_SAFE_INTEGER);

function isSafeMicros(amount: bigint): boolean {
  return amount >= 0n && amount <= safeMicrosMax;
}

function isSmall(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= smallMax;
}
