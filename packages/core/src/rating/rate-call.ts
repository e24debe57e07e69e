import type { Micros } from '../kernel/money.ts';
import { prefixIndexOf } from '../tariffs/prefix-index.ts';
import type { RateDeck, RateRow } from '../tariffs/rate-deck.ts';
import { generalList, noRecord, recordField } from '../tariffs/prefix-record.ts';
import { assertHorizon, planRows, recordInForce, rowsInForce } from './call-plan.ts';
import { isOnePlainRowPlan, maxDuration, type MaxDuration } from './max-duration.ts';
import { maxOnPlainRecord, rateOnPlainRow } from './rate-plain-row.ts';
import { rateDuration, type RatedCall } from './rate-duration.ts';

export type RateCallResult =
  | RatedCall
  | { readonly status: 'no_rate'; readonly reason: 'no_prefix' | 'no_row_in_force' };

/**
 * The cost of one answered call of `durationS` whole seconds starting at `startedAtMs`
 * (rating.md). Pure: the deck, the number, the instant and the duration fully decide it.
 *
 * This is `planCall` + `rateDuration` with the longest-prefix search done on the index's records
 * (`recordInForce`), so that a prefix with one plain row in force (most of them) is rated from
 * its record (`rateOnPlainRow`) without a plan; any other prefix takes the general path with its
 * rows in force (never none: `recordInForce` found one). Both give the same result
 * (property-tested in `rate-plain-row.test.ts`).
 */
export function rateCall(options: {
  deck: RateDeck;
  number: string;
  startedAtMs: number;
  durationS: number;
  bundleSecondsAvailable?: number;
}): RateCallResult {
  const { deck, startedAtMs, durationS } = options;
  const bundleSecondsAvailable = options.bundleSecondsAvailable ?? 0;
  assertHorizon(durationS); // what `planCall` checks of its horizon, before the lookup
  const index = prefixIndexOf(deck);
  const at = recordInForce(index, options.number, startedAtMs);
  if (at === noRecord) return { status: 'no_rate', reason: 'no_prefix' };
  if (index.cells[at + recordField.plan] !== generalList) {
    const rated = rateOnPlainRow(index, at, deck.settings, startedAtMs, durationS,
      bundleSecondsAvailable);
    if (rated !== null) return rated;
  }
  return rateOnRows(options, rowsInForce(index.rowsAt(at), startedAtMs)!, bundleSecondsAvailable);
}

function rateOnRows(
  options: { deck: RateDeck; number: string; startedAtMs: number; durationS: number },
  rows: readonly RateRow[],
  bundleSecondsAvailable: number,
): RateCallResult {
  const { deck, number, startedAtMs, durationS } = options;
  const plan = planRows({ deck, number, startedAtMs, horizonS: durationS }, rows);
  const rated = rateDuration(plan, durationS, bundleSecondsAvailable);
  if (rated.status === 'no_rate') return { status: 'no_rate', reason: rated.reason };
  return rated;
}

export type MaxDurationResult =
  | ({ readonly status: 'ok'; readonly prefix: string } & MaxDuration)
  | { readonly status: 'no_rate'; readonly reason: 'no_prefix' | 'no_row_in_force' };

/**
 * How long a call may last on `fundsMicros` (rating.md, "Max duration"), up to `capS`. The
 * longest-prefix search is `rateCall`'s, so that a prefix with one plain row in force is
 * searched from its record (`maxOnPlainRecord`) without a plan; both give the same result
 * (property-tested in `rate-plain-row.test.ts`).
 */
export function maxCallDuration(options: {
  deck: RateDeck;
  number: string;
  startedAtMs: number;
  fundsMicros: Micros;
  capS: number;
  bundleSecondsAvailable?: number;
}): MaxDurationResult {
  const { deck, startedAtMs, capS } = options;
  const bundleSecondsAvailable = options.bundleSecondsAvailable ?? 0;
  assertHorizon(capS); // what `planCall` checks of its horizon, before the lookup
  const index = prefixIndexOf(deck);
  const at = recordInForce(index, options.number, startedAtMs);
  if (at === noRecord) return { status: 'no_rate', reason: 'no_prefix' };
  if (index.cells[at + recordField.plan] !== generalList) {
    const found = maxOnPlainRecord(index, at, deck.settings, options.fundsMicros, capS,
      bundleSecondsAvailable);
    if (found !== null) {
      return { status: 'ok', prefix: index.cells[at + recordField.prefix] as string, ...found };
    }
  }
  return maxOnRows(options, rowsInForce(index.rowsAt(at), startedAtMs)!, bundleSecondsAvailable);
}

function maxOnRows(
  options: { deck: RateDeck; number: string; startedAtMs: number; fundsMicros: Micros;
    capS: number },
  rows: readonly RateRow[],
  bundleSecondsAvailable: number,
): MaxDurationResult {
  const { deck, number, startedAtMs, capS } = options;
  const plan = planRows({ deck, number, startedAtMs, horizonS: capS }, rows);
  // A number whose first block has no row in force cannot start at all. (A plain row is in
  // force at every block: rating a second on it could only say "rated".)
  if (!isOnePlainRowPlan(plan)) {
    const first = rateDuration(plan, Math.min(1, capS));
    if (first.status === 'no_rate') return { status: 'no_rate', reason: first.reason };
  }
  const found = maxDuration(plan, options.fundsMicros, { capS, bundleSecondsAvailable });
  return { status: 'ok', prefix: plan.prefix, ...found };
}
