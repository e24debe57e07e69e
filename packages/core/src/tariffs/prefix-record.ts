import type { RateRow } from './rate-deck.ts';

/**
 * One record per prefix of a deck, in the prefix index's cells (`prefix-index.ts`): the first
 * row and the prefix (to name them in a rating), the list id (the prefix's rows), where the
 * parent's record is (the next shorter prefix of the deck that is a prefix of it), and, when its
 * rows are one plain row (no tier, no band), the numbers that rate a call on it. Rating then
 * reads one 64-byte record that sits next to the keys the lookup just searched, instead of
 * following the list, the row and its bigints to wherever they live.
 *
 * The cells are a plain array so that a record can hold the references next to the numbers.
 * The numbers are small integers (V8 stores them unboxed, as "Smis", below 2^30); those that may
 * be larger (money up to 2^53 micros, instants in milliseconds) are split into `high * 2^30 +
 * low`, exact below 2^53. An open effective bound has `openBound` as its high part. A list that
 * is not one plain row, or whose price does not fit, has `includedS` = `generalList`: it is
 * rated the general way, from its rows.
 */
export type Cell = RateRow | string | number;

export const recordField = {
  row: 0,
  prefix: 1,
  list: 2,
  /** Offset of the parent's record, or `noRecord` when no shorter prefix of the deck matches. */
  parentAt: 3,
  includedS: 4,
  rateMicrosHigh: 5,
  rateMicrosLow: 6,
  connectFeeMicrosHigh: 7,
  connectFeeMicrosLow: 8,
  rateUnitS: 9,
  initialIncrementS: 10,
  incrementS: 11,
  effectiveFromMsHigh: 12,
  effectiveFromMsLow: 13,
  effectiveToMsHigh: 14,
  effectiveToMsLow: 15,
} as const;

/** 16 cells of 4 bytes (V8's compressed pointers): 64 bytes. */
export const recordStride = 16;
export const generalList = -1;
export const noRecord = -1;
/** The high part of an open effective bound: outside the range of real high parts. */
export const openBound = -(2 ** 30);
export const highUnit = 2 ** 30;

/** Seconds fields and split parts must stay Smis (31-bit signed under pointer compression). */
const smallMax = 2 ** 30 - 1;

/** Appends the record of list `list`; its parent is linked later (`recordField.parentAt`). */
export function pushRecord(cells: Cell[], list: number, rows: readonly RateRow[]): void {
  const row = rows[0]!;
  const plain = isOnePlainRow(rows);
  const [rateHigh, rateLow] = plain ? split(Number(row.rateMicros)) : [0, 0];
  const [feeHigh, feeLow] = plain ? split(Number(row.connectFeeMicros)) : [0, 0];
  const [fromHigh, fromLow] = plain ? splitBound(row.effectiveFromMs) : [0, 0];
  const [toHigh, toLow] = plain ? splitBound(row.effectiveToMs) : [0, 0];
  cells.push(row, row.prefix, list, noRecord, plain ? row.includedS : generalList,
    rateHigh, rateLow, feeHigh, feeLow,
    plain ? row.rateUnitS : 0, plain ? row.initialIncrementS : 0, plain ? row.incrementS : 0,
    fromHigh, fromLow, toHigh, toLow);
}

/** `isInForce` (call-plan.ts) on a plain record: the split bounds are rebuilt exactly. */
export function isRecordInForce(cells: readonly Cell[], at: number, atMs: number): boolean {
  const fromHigh = cells[at + recordField.effectiveFromMsHigh] as number;
  if (fromHigh !== openBound) {
    const fromMs = fromHigh * highUnit + (cells[at + recordField.effectiveFromMsLow] as number);
    if (atMs < fromMs) return false;
  }
  const toHigh = cells[at + recordField.effectiveToMsHigh] as number;
  if (toHigh !== openBound) {
    const toMs = toHigh * highUnit + (cells[at + recordField.effectiveToMsLow] as number);
    if (atMs >= toMs) return false;
  }
  return true;
}

/** A non-negative safe integer as `[high, low]` with `high * 2^30 + low` equal to it. */
export function split(value: number): [number, number] {
  const high = Math.floor(value / highUnit);
  return [high, value - high * highUnit];
}

/** A bound in milliseconds (a safe integer, possibly negative), or null for open. */
function splitBound(ms: number | null): [number, number] {
  if (ms === null) return [openBound, 0];
  const high = Math.floor(ms / highUnit);
  return [high, ms - high * highUnit];
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
    isSmall(row.includedS) &&
    isBound(row.effectiveFromMs) &&
    isBound(row.effectiveToMs)
  );
}

const safeMicrosMax = BigInt(Number.MAX_SAFE_INTEGER);

function isSafeMicros(amount: bigint): boolean {
  return amount >= 0n && amount <= safeMicrosMax;
}

function isSmall(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= smallMax;
}

/** High parts of bounds below 2^53 in magnitude stay far from `openBound`. */
function isBound(ms: number | null): boolean {
  return ms === null || Number.isSafeInteger(ms);
}
