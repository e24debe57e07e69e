import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { RateDeckSettings, RateRow } from '../tariffs/rate-deck.ts';
import { highUnit, openBound, rowField, type RowColumns } from '../tariffs/row-columns.ts';
import { onePartCostNumber } from './one-part-cost.ts';
import { freeCall, type RatedCall } from './rate-duration.ts';

type Records = RowColumns['records'];

/**
 * `isInForce` (call-plan.ts) on the record of a plain row at `at`: an open bound never
 * excludes, and the split bounds are rebuilt exactly (`row-columns.ts`).
 */
export function isPlainRowInForce(records: Records, at: number, atMs: number): boolean {
  const fromHigh = records[at + rowField.effectiveFromMsHigh] as number;
  if (fromHigh !== openBound) {
    const fromMs = fromHigh * highUnit + (records[at + rowField.effectiveFromMsLow] as number);
    if (atMs < fromMs) return false;
  }
  const toHigh = records[at + rowField.effectiveToMsHigh] as number;
  if (toHigh !== openBound) {
    const toMs = toHigh * highUnit + (records[at + rowField.effectiveToMsLow] as number);
    if (atMs >= toMs) return false;
  }
  return true;
}

/**
 * The fast path of `rateCall` for a prefix with one plain row (no tier, no band; the columns
 * mark such lists) that is in force: that row prices every block, so the call is one part and
 * its cost is `onePartCostNumber`. This is what `planCall` + `rateDuration` compute for such a
 * plan, field for field (the property test in `rate-plain-row.test.ts` compares the two), from
 * the list's record (`at`) instead of the row objects and a plan. Returns null when the Numbers
 * would not be exact: the caller then rates the general way.
 */
export function rateOnPlainRow(
  records: Records,
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
  const includedS = records[at + rowField.includedS] as number;
  assert(includedS >= 0, 'the list is one plain row');
  const row = records[at + rowField.row] as RateRow;
  const prefix = records[at + rowField.prefix] as string;
  if (durationS === 0) return freeCall(prefix, row, 0, 0);
  if (durationS <= includedS) return freeCall(prefix, row, durationS, durationS);
  const reducedS = durationS - includedS;
  const initialS = records[at + rowField.initialIncrementS] as number;
  const incrementS = records[at + rowField.incrementS] as number;
  // The same expression as `singlePart` in rate-duration.ts, so the same double.
  const billedSeconds =
    reducedS <= initialS
      ? initialS
      : initialS + Math.ceil((reducedS - initialS) / incrementS) * incrementS;
  const bundleSeconds = Math.min(bundleSecondsAvailable, billedSeconds);
  const cost = onePartCostNumber(
    (records[at + rowField.connectFeeMicrosHigh] as number) * highUnit +
      (records[at + rowField.connectFeeMicrosLow] as number),
    records[at + rowField.rateUnitS] as number,
    billedSeconds - bundleSeconds,
    (records[at + rowField.rateMicrosHigh] as number) * highUnit +
      (records[at + rowField.rateMicrosLow] as number),
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
    connectFeeMicros: records[at + rowField.connectFeeMicros] as Micros,
    costMicros: micros(BigInt(cost)),
    parts: [{ row, startS: 0, startedAtMs: startedAtMs + includedS * 1000, billedSeconds,
      bundleSeconds }],
  };
}
