import { assert } from '../kernel/assert.ts';
import { micros, zeroMicros, type Micros } from '../kernel/money.ts';
import {
  connectFeeMicrosOf,
  rateMicrosOf,
  recordField,
  schemeField,
  schemeOf,
  schemeStride,
  type Cell,
} from '../tariffs/prefix-record.ts';
import type { RateDeckSettings, RateRow } from '../tariffs/rate-deck.ts';
import { maxOnPlainPrice, type MaxDuration } from './max-duration.ts';
import { onePartCostNumber } from './one-part-cost.ts';
import { freeCall, type RatedCall } from './rate-duration.ts';

/**
 * The fast path of `rateCall` for a prefix with one plain row (no tier, no band; its record
 * marks such lists) that is in force: that row prices every block, so the call is one part and
 * its cost is `onePartCostNumber`. This is what `planCall` + `rateDuration` compute for such a
 * plan, field for field (the property test in `rate-plain-row.test.ts` compares the two), from
 * the prefix's record (`at`) and its scheme (`prefix-record.ts`) instead of the row objects and
 * a plan. Returns null when the Numbers would not be exact: the caller then rates the general
 * way.
 */
export function rateOnPlainRow(
  index: { readonly cells: readonly Cell[]; readonly schemes: Int32Array },
  at: number,
  settings: RateDeckSettings,
  // Positional, not an options object: this runs for every rated call.
  startedAtMs: number,
  durationS: number,
  bundleSecondsAvailable: number,
): RatedCall | null {
  // The checks of `rateDuration`, in its order.
  assert(Number.isInteger(durationS) && durationS >= 0, 'duration is whole seconds');
  assert(Number.isInteger(bundleSecondsAvailable) && bundleSecondsAvailable >= 0, 'bundle >= 0');
  const { cells, schemes } = index;
  const scheme = schemeOf(cells[at + recordField.plan] as number) * schemeStride;
  const includedS = schemes[scheme + schemeField.includedS]!;
  const row = cells[at + recordField.row] as RateRow;
  const prefix = cells[at + recordField.prefix] as string;
  if (durationS === 0) return freeCall(prefix, row, 0, 0);
  if (durationS <= includedS) return freeCall(prefix, row, durationS, durationS);
  const reducedS = durationS - includedS;
  const initialS = schemes[scheme + schemeField.initialIncrementS]!;
  const incrementS = schemes[scheme + schemeField.incrementS]!;
  // The same expression as `singlePart` in rate-duration.ts, so the same double.
  const billedSeconds =
    reducedS <= initialS
      ? initialS
      : initialS + Math.ceil((reducedS - initialS) / incrementS) * incrementS;
  const bundleSeconds = Math.min(bundleSecondsAvailable, billedSeconds);
  const connectFeeMicros = connectFeeMicrosOf(cells, schemes, at, scheme);
  const cost = onePartCostNumber(
    connectFeeMicros,
    schemes[scheme + schemeField.rateUnitS]!,
    billedSeconds - bundleSeconds,
    rateMicrosOf(cells, schemes, at, scheme),
    settings.decimals,
    settings.rounding,
  );
  if (cost < 0) return null;
  return {
    status: 'rated',
    prefix,
    firstRow: row,
    durationS,
    includedSeconds: includedS,
    billedSeconds,
    bundleSeconds,
    // The row's own bigint would cost a read of the row; most fees are zero.
    connectFeeMicros: connectFeeMicros === 0 ? zeroMicros : micros(BigInt(connectFeeMicros)),
    costMicros: micros(BigInt(cost)),
    parts: [{ row, startS: 0, startedAtMs: startedAtMs + includedS * 1000, billedSeconds,
      bundleSeconds }],
  };
}

/**
 * The fast path of `maxCallDuration` for the same records: `maxDuration` on the plan of one
 * plain row is `maxOnPlainPrice` on its numbers, read here from the record and its scheme.
 * Returns null when the Numbers would not be exact (the caller then searches the general way).
 */
export function maxOnPlainRecord(
  index: { readonly cells: readonly Cell[]; readonly schemes: Int32Array },
  at: number,
  settings: RateDeckSettings,
  fundsMicros: Micros,
  capS: number,
  bundleSecondsAvailable: number,
): MaxDuration | null {
  const { cells, schemes } = index;
  const scheme = schemeOf(cells[at + recordField.plan] as number) * schemeStride;
  return maxOnPlainPrice({
    connectFeeMicros: connectFeeMicrosOf(cells, schemes, at, scheme),
    rateMicros: rateMicrosOf(cells, schemes, at, scheme),
    rateUnitS: schemes[scheme + schemeField.rateUnitS]!,
    includedS: schemes[scheme + schemeField.includedS]!,
    initialS: schemes[scheme + schemeField.initialIncrementS]!,
    incrementS: schemes[scheme + schemeField.incrementS]!,
  }, settings, fundsMicros, capS, bundleSecondsAvailable);
}
