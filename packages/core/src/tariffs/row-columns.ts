import { assert } from '../kernel/assert.ts';
import type { Micros } from '../kernel/money.ts';
import type { RateRow } from './rate-deck.ts';

/**
 * The deck's row lists (one per prefix, ids as in the prefix index) as one flat record per list,
 * for the rating fast path. Most prefixes have one plain row (no tier, no band); rating a call
 * on it needs the row itself, its prefix and fee (to name them in the result) and eight numbers.
 * Reading those through the objects is a chain of dependent cache misses (list array, row,
 * bigint rate, bigint fee); here they sit in one 64-byte record of one array.
 *
 * The record is in a plain array so that it can hold the three references next to the numbers;
 * the numbers are small integers (V8 stores them unboxed, as "Smis", below 2^30), and those that
 * may be larger (money up to 2^53 micros, instants in milliseconds) are split into a high and a
 * low part, `high * 2^30 + low`, which is exact below 2^53. Record of list `l` at `l * stride`:
 * see `rowField`. `includedS` is `generalList` (-1) when the list is not one plain row or a value
 * does not fit (a price of 2^53 micros or more): such lists are rated the general way. An open
 * effective bound has `openBound` as its high part.
 */
export interface RowColumns {
  readonly records: readonly (RateRow | string | Micros | number)[];
}

export const rowField = {
  row: 0,
  prefix: 1,
  connectFeeMicros: 2,
  includedS: 3,
  rateMicrosHigh: 4,
  rateMicrosLow: 5,
  connectFeeMicrosHigh: 6,
  connectFeeMicrosLow: 7,
  rateUnitS: 8,
  initialIncrementS: 9,
  incrementS: 10,
  effectiveFromMsHigh: 11,
  effectiveFromMsLow: 12,
  effectiveToMsHigh: 13,
  effectiveToMsLow: 14,
} as const;

/** 16 slots of 4 bytes (V8's compressed pointers): 64 bytes, one cache line when aligned. */
export const recordStride = 16;
export const generalList = -1;
/** The high part of an open effective bound: outside the range of real high parts. */
export const openBound = -(2 ** 30);
export const highUnit = 2 ** 30;

/** Seconds fields and split parts must stay Smis (31-bit signed under pointer compression). */
const smallMax = 2 ** 30 - 1;

export function buildRowColumns(rowLists: readonly (readonly RateRow[])[]): RowColumns {
  const records: (RateRow | string | Micros | number)[] = [];
  for (let list = 0; list < rowLists.length; list += 1) {
    const rows = rowLists[list]!;
    const row = rows[0];
    assert(row !== undefined, 'a prefix has at least one row');
    const plain = isOnePlainRow(rows);
    const [rateHigh, rateLow] = plain ? split(Number(row.rateMicros)) : [0, 0];
    const [feeHigh, feeLow] = plain ? split(Number(row.connectFeeMicros)) : [0, 0];
    const [fromHigh, fromLow] = plain ? splitBound(row.effectiveFromMs) : [0, 0];
    const [toHigh, toLow] = plain ? splitBound(row.effectiveToMs) : [0, 0];
    records.push(row, row.prefix, row.connectFeeMicros, plain ? row.includedS : generalList,
      rateHigh, rateLow, feeHigh, feeLow,
      plain ? row.rateUnitS : 0, plain ? row.initialIncrementS : 0, plain ? row.incrementS : 0,
      fromHigh, fromLow, toHigh, toLow, 0);
  }
  assert(records.length === rowLists.length * recordStride, 'one record per list');
  return { records };
}

/** A non-negative safe integer as `[high, low]` with `high * 2^30 + low` equal to it. */
function split(value: number): [number, number] {
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
 * One row without a tier or a band, whose numbers fit the record exactly: the row in force at
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

function isSafeMicros(amount: Micros): boolean {
  return amount >= 0n && amount <= BigInt(Number.MAX_SAFE_INTEGER);
}

function isSmall(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= smallMax;
}

/** High parts of bounds below 2^53 in magnitude stay far from `openBound`. */
function isBound(ms: number | null): boolean {
  return ms === null || Number.isSafeInteger(ms);
}
