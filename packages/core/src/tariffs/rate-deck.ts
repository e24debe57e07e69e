import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros, RoundingMode } from '../kernel/money.ts';
import type { TimeBandSet } from './time-bands.ts';

/**
 * One row of a rate deck (rating.md, "The rate deck"). Durations are whole seconds because the
 * deck format and the switches speak seconds; instants are epoch milliseconds.
 */
export interface RateRow {
  /** 1-based line number in the source file: the last tie-breaker and the key in errors. */
  readonly line: number;
  readonly prefix: string;
  readonly destination: string;
  /** Price of one `rateUnitS` of billed time. */
  readonly rateMicros: Micros;
  readonly connectFeeMicros: Micros;
  readonly rateUnitS: number;
  /** 0 means "no initial block": the first block is `incrementS` long. */
  readonly initialIncrementS: number;
  readonly incrementS: number;
  /** Duration tier: this row prices the part of the call after `fromS` (billed) seconds. */
  readonly fromS: number;
  readonly includedS: number;
  /** Name of a time band in the deck's band set; null means "always". */
  readonly timeBand: string | null;
  readonly weight: number;
  /** Inclusive; null means open. */
  readonly effectiveFromMs: number | null;
  /** Exclusive; null means open. */
  readonly effectiveToMs: number | null;
}

export interface RateDeckSettings {
  readonly currency: CurrencyCode;
  /** Decimals of the major unit a rated call is rounded to: 0..6. */
  readonly decimals: number;
  readonly rounding: RoundingMode;
  /** IANA time zone in which time bands are evaluated. */
  readonly zone: string;
}

export interface RateDeck {
  readonly settings: RateDeckSettings;
  /** Rows of each prefix, in file order. */
  readonly rowsByPrefix: ReadonlyMap<string, readonly RateRow[]>;
  /** Length of the longest prefix: the longest-prefix search starts there. */
  readonly prefixLengthMax: number;
  readonly rowCount: number;
  readonly bands: TimeBandSet;
}

export const rateDeckDefaults = {
  decimals: 4,
  rounding: 'half_up',
  zone: 'UTC',
  rateUnitS: 60,
  initialIncrementS: 1,
  incrementS: 1,
} as const;

/** Named bounds for deck input (TigerStyle: put a limit on everything). */
export const rateDeckLimits = {
  rowsMax: 2_000_000,
  prefixDigitsMax: 32,
  destinationCharsMax: 200,
  /** Increments, units, tiers and included seconds stay below a week. */
  secondsFieldMax: 7 * 86_400,
  /** A rate above 1,000,000.000000 per unit is a typo, not a tariff. */
  priceMicrosMax: 1_000_000n * 1_000_000n,
  weightAbsMax: 1_000_000,
  bandLinesMax: 10_000,
} as const;
