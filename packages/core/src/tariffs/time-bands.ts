/**
 * Time bands (rating.md): named sets of wall-clock windows, evaluated in the deck's zone.
 * A line applies on a local day when the day's weekday or its MM-DD date is listed; it is active
 * from `startS` to `endS` seconds after that day's local midnight. When `endS <= startS` the
 * window wraps past midnight into the next local day (the line still belongs to the day it
 * starts on).
 */
export interface TimeBandLine {
  /** 1-based line in the band file. */
  readonly line: number;
  readonly band: string;
  /** ISO weekdays the line starts on: 1 = Monday ... 7 = Sunday. */
  readonly weekdays: ReadonlySet<number>;
  /** Dates the line starts on, as "MM-DD". */
  readonly dates: ReadonlySet<string>;
  /** Seconds after local midnight, 0..86399. */
  readonly startS: number;
  /** Seconds after local midnight, 1..86400; may be <= startS (wraps past midnight). */
  readonly endS: number;
}

export type TimeBandSet = ReadonlyMap<string, readonly TimeBandLine[]>;

export const emptyTimeBandSet: TimeBandSet = new Map();
