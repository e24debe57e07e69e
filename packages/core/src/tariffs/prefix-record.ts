import { assert } from '../kernel/assert.ts';
import { isSafeMicros } from '../kernel/money.ts';
import type { RateRow } from './rate-deck.ts';

/**
 * One record per prefix of a deck, in the prefix index's cells (`prefix-index.ts`): the first
 * row and the prefix (to name them in a rating), the list id (the prefix's rows), and, when its
 * rows are one plain row (no tier, no band), what rates a call on it. Rating then reads one
 * record, found by the index's search, instead of following the list, the row and its bigints
 * to wherever they live. What only fallbacks need (the parent, a dated row's effective window)
 * is kept by the index beside the cells.
 *
 * Size matters on a large deck, where reading the record is a read from RAM. Node's V8 has no
 * pointer compression, so a cell is 8 bytes: a record is 6 cells (48 bytes), one cache line or
 * two fetched together. It holds only what differs from row to row (the rate and the connect
 * fee below 2^30 micros); the rest of a plain row (included seconds, the blocks, the high parts
 * of the money) is a "scheme", which rows share (decks use a handful of block schemes), kept
 * once in a small table (`RecordSchemes`) that stays in the CPU's caches.
 *
 * The cells are a plain array so that a record can hold the references next to the numbers.
 * The numbers are small integers (V8 stores them unboxed, as "Smis", below 2^30); money, which
 * may reach 2^53 micros, is split into `high * 2^30 + low`. `plan` says how to rate the list
 * (`schemeOf`): `generalList` when it is not one plain row, a value does not fit or the scheme
 * table is full (it is then rated the general way, from its rows); `-2 - scheme` for a plain
 * row with an effective window (checked in the index's `datedInForce`); `scheme` otherwise.
 */
export type Cell = RateRow | string | number;

export const recordField = {
  row: 0,
  prefix: 1,
  plan: 2,
  rateMicrosLow: 3,
  connectFeeMicrosLow: 4,
  list: 5,
} as const;

export const recordStride = 6;

/** A scheme: the fields of a plain row that most rows of a deck share. */
export const schemeField = {
  includedS: 0,
  rateMicrosHigh: 1,
  connectFeeMicrosHigh: 2,
  rateUnitS: 3,
  initialIncrementS: 4,
  incrementS: 5,
} as const;

export const schemeStride = 6;

export const generalList = -1;
export const noRecord = -1;
export const highUnit = 2 ** 30;

export const recordLimits = {
  /**
   * Distinct schemes per deck (about 3 MB of table at most). Real decks have a few dozen; a row
   * whose scheme does not fit is rated the general way, which is slower but gives the same cost.
   */
  schemesMax: 2 ** 17,
} as const;

/** Seconds fields and split parts must stay Smis (31-bit signed under pointer compression). */
const smallMax = 2 ** 30 - 1;

/** The schemes of one deck's records, built with the records and read by `rateOnPlainRow`. */
export class RecordSchemes {
  /** `schemeStride` numbers per scheme, in `schemeField` order. */
  fields: Int32Array = new Int32Array(schemeStride * 16);
  count = 0;
  private readonly idByKey = new Map<string, number>();
  private readonly schemesMax: number;

  /** `schemesMax` below the limit is for tests of a full table. */
  constructor(schemesMax: number = recordLimits.schemesMax) {
    assert(schemesMax >= 0 && schemesMax <= recordLimits.schemesMax, 'scheme table bound');
    this.schemesMax = schemesMax;
  }

  /** The id of the scheme `values` (in `schemeField` order), or -1 when the table is full. */
  idOf(values: readonly number[]): number {
    const key = values.join(',');
    const known = this.idByKey.get(key);
    if (known !== undefined) return known;
    if (this.count >= this.schemesMax) return -1;
    const id = this.count;
    if ((id + 1) * schemeStride > this.fields.length) {
      const grown = new Int32Array(this.fields.length * 2);
      grown.set(this.fields);
      this.fields = grown;
    }
    this.fields.set(values, id * schemeStride);
    this.count += 1;
    this.idByKey.set(key, id);
    return id;
  }
}

/** Writes the record of list `list` at `at`, adding its scheme to `schemes` if new. */
export function writeRecord(cells: Cell[], at: number, list: number,
  rows: readonly RateRow[], schemes: RecordSchemes): void {
  const row = rows[0]!;
  cells[at + recordField.row] = row;
  cells[at + recordField.prefix] = row.prefix;
  cells[at + recordField.list] = list;
  cells[at + recordField.plan] = generalList;
  if (!isOnePlainRow(rows)) return;
  const rate = Number(row.rateMicros);
  const rateHigh = Math.floor(rate / highUnit);
  const fee = Number(row.connectFeeMicros);
  const feeHigh = Math.floor(fee / highUnit);
  // In `schemeField` order.
  const scheme = schemes.idOf([row.includedS, rateHigh, feeHigh, row.rateUnitS,
    row.initialIncrementS, row.incrementS]);
  if (scheme < 0) return;
  const dated = row.effectiveFromMs !== null || row.effectiveToMs !== null;
  cells[at + recordField.plan] = dated ? -2 - scheme : scheme;
  cells[at + recordField.rateMicrosLow] = rate - rateHigh * highUnit;
  cells[at + recordField.connectFeeMicrosLow] = fee - feeHigh * highUnit;
}

/** The scheme of a plain record's `plan` cell (dated or not). */
export function schemeOf(plan: number): number {
  assert(plan !== generalList, 'a plain record has a scheme');
  return plan >= 0 ? plan : -2 - plan;
}

/** The rate of the plain record at `at`, whose scheme starts at `scheme` in `schemes`. */
export function rateMicrosOf(cells: readonly Cell[], schemes: Int32Array, at: number,
  scheme: number): number {
  return schemes[scheme + schemeField.rateMicrosHigh]! * highUnit +
    (cells[at + recordField.rateMicrosLow] as number);
}

/** The connect fee of the plain record at `at`, as `rateMicrosOf`. */
export function connectFeeMicrosOf(cells: readonly Cell[], schemes: Int32Array, at: number,
  scheme: number): number {
  return schemes[scheme + schemeField.connectFeeMicrosHigh]! * highUnit +
    (cells[at + recordField.connectFeeMicrosLow] as number);
}

/** Whether a plain record's `plan` cell says its row has an effective window. */
export function isDated(plan: number): boolean {
  return plan < generalList;
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
    isSmall(row.includedS)
  );
}

function isSmall(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= smallMax;
}
