import { assert } from '../kernel/assert.ts';
import { isSafeMicros, micros, roundMicrosToDecimals, type Micros } from '../kernel/money.ts';
import type { RateRow } from '../tariffs/rate-deck.ts';
import type { CallPlan } from './call-plan.ts';
import { onePartCostNumber } from './one-part-cost.ts';
import { selectRow } from './select-row.ts';

/** A stretch of the call priced by one row: billed seconds laid in that row's blocks. */
export interface RatedPart {
  readonly row: RateRow;
  /** Billed position (seconds after the included seconds) where the part starts. */
  readonly startS: number;
  readonly startedAtMs: number;
  readonly billedSeconds: number;
  /** Billed seconds of this part paid from a free-minute bundle. */
  readonly bundleSeconds: number;
}

export interface RatedCall {
  readonly status: 'rated';
  readonly prefix: string;
  /** The row in force at the call start: it gives the connect fee and included seconds. */
  readonly firstRow: RateRow;
  readonly durationS: number;
  readonly includedSeconds: number;
  /** Billed seconds, included seconds left out, bundle seconds counted in. */
  readonly billedSeconds: number;
  readonly bundleSeconds: number;
  readonly connectFeeMicros: Micros;
  /** Rounded once to the deck's decimals with the deck's rounding mode. */
  readonly costMicros: Micros;
  readonly parts: readonly RatedPart[];
}

export type RateDurationResult =
  | RatedCall
  | { readonly status: 'no_rate'; readonly reason: 'no_row_in_force'; readonly atS: number };

/** Parts per call: every tier start and band boundary makes at most one. */
const partsMax = 100_000;

/**
 * The cost of `durationS` seconds of the planned call (rating.md, "Cost of a call"), exact and
 * rounded once. `bundleSecondsAvailable` free seconds are used before money, from the start of
 * the billed call.
 */
export function rateDuration(
  plan: CallPlan,
  durationS: number,
  bundleSecondsAvailable = 0,
): RateDurationResult {
  assert(Number.isInteger(durationS) && durationS >= 0, 'duration is whole seconds');
  assert(Number.isInteger(bundleSecondsAvailable) && bundleSecondsAvailable >= 0, 'bundle >= 0');
  assert(plan.bandActivity === null || durationS <= plan.horizonS, 'duration within horizon');
  const firstRow = selectRow(plan, 0, plan.startedAtMs);
  if (durationS === 0) {
    // Unanswered and zero-second calls are free, even without a row at that instant.
    return freeCall(plan.prefix, firstRow ?? plan.candidates[0]!, 0, 0);
  }
  if (firstRow === null) return { status: 'no_rate', reason: 'no_row_in_force', atS: 0 };
  if (durationS <= firstRow.includedS) {
    return freeCall(plan.prefix, firstRow, durationS, durationS);
  }
  const reducedS = durationS - firstRow.includedS;
  const baseMs = plan.startedAtMs + firstRow.includedS * 1000;
  const laid = layBlocks(plan, reducedS, baseMs);
  if (laid.status === 'no_rate') return laid;
  const parts = assignBundle(laid.parts, bundleSecondsAvailable);
  const costMicros = priceParts(plan, firstRow.connectFeeMicros, parts);
  let billedSeconds = 0;
  let bundleSeconds = 0;
  for (const part of parts) {
    billedSeconds += part.billedSeconds;
    bundleSeconds += part.bundleSeconds;
  }
  return {
    status: 'rated',
    prefix: plan.prefix,
    firstRow,
    durationS,
    includedSeconds: firstRow.includedS,
    billedSeconds,
    bundleSeconds,
    connectFeeMicros: firstRow.connectFeeMicros,
    costMicros,
    parts,
  };
}

/** A call that costs nothing: no seconds, or all of them included. */
export function freeCall(
  prefix: string,
  firstRow: RateRow,
  durationS: number,
  includedS: number,
): RatedCall {
  return {
    status: 'rated',
    prefix,
    firstRow,
    durationS,
    includedSeconds: includedS,
    billedSeconds: 0,
    bundleSeconds: 0,
    connectFeeMicros: micros(0n),
    costMicros: micros(0n),
    parts: [],
  };
}

type LaidBlocks =
  | { readonly status: 'laid'; readonly parts: RatedPart[] }
  | { readonly status: 'no_rate'; readonly reason: 'no_row_in_force'; readonly atS: number };

/**
 * Lays billing blocks over `reducedS` seconds. Between two change points (a tier start or a band
 * boundary) the row in force cannot change, so blocks are laid in bulk up to the next change;
 * the row is looked up again at the first block start at or after it.
 */
function layBlocks(plan: CallPlan, reducedS: number, baseMs: number): LaidBlocks {
  if (plan.candidates.length === 1 && plan.bandActivity === null) {
    const only = plan.candidates[0]!;
    if (only.fromS === 0) return { status: 'laid', parts: [singlePart(only, reducedS, baseMs)] };
  }
  const parts: RatedPart[] = [];
  let current: { row: RateRow; startS: number; billed: number } | null = null;
  let positionS = 0;
  let initialBlockDue = false;
  while (positionS < reducedS) {
    assert(parts.length < partsMax, 'parts per call are bounded');
    const atMs = baseMs + positionS * 1000;
    const row = selectRow(plan, positionS, atMs);
    if (row === null) return { status: 'no_rate', reason: 'no_row_in_force', atS: positionS };
    if (current === null || current.row !== row) {
      if (current !== null) parts.push(closePart(current, baseMs));
      current = { row, startS: positionS, billed: 0 };
      initialBlockDue = row.initialIncrementS > 0;
    }
    if (initialBlockDue) {
      initialBlockDue = false;
      current.billed += row.initialIncrementS;
      positionS += row.initialIncrementS;
      continue;
    }
    const limitS = Math.min(reducedS, nextChangeS(plan, positionS, baseMs));
    const blocks = Math.ceil((limitS - positionS) / row.incrementS);
    assert(blocks >= 1, 'at least one block is laid before the next change');
    current.billed += blocks * row.incrementS;
    positionS += blocks * row.incrementS;
  }
  if (current !== null) parts.push(closePart(current, baseMs));
  return { status: 'laid', parts };
}

/** The blocks of a call priced by one row throughout (rating.md, "Cost of a call", step 3). */
function singlePart(row: RateRow, reducedS: number, baseMs: number): RatedPart {
  const initialS = row.initialIncrementS;
  const billedSeconds =
    reducedS <= initialS
      ? initialS
      : initialS + Math.ceil((reducedS - initialS) / row.incrementS) * row.incrementS;
  return { row, startS: 0, startedAtMs: baseMs, billedSeconds, bundleSeconds: 0 };
}

function closePart(
  current: { row: RateRow; startS: number; billed: number },
  baseMs: number,
): RatedPart {
  return {
    row: current.row,
    startS: current.startS,
    startedAtMs: baseMs + current.startS * 1000,
    billedSeconds: current.billed,
    bundleSeconds: 0,
  };
}

/** The first whole billed position after `positionS` where the row in force may change. */
function nextChangeS(plan: CallPlan, positionS: number, baseMs: number): number {
  let next = Infinity;
  for (const tierStartS of plan.tierStartsS) {
    if (tierStartS > positionS) {
      next = tierStartS;
      break;
    }
  }
  if (plan.bandActivity !== null) {
    const changeMs = plan.bandActivity.nextChangeAfterMs(baseMs + positionS * 1000);
    if (changeMs !== Infinity) next = Math.min(next, Math.ceil((changeMs - baseMs) / 1000));
  }
  return next;
}

/** Bundle seconds cover billed seconds from the start of the call (rating.md, bundles). */
function assignBundle(parts: RatedPart[], bundleSecondsAvailable: number): RatedPart[] {
  if (bundleSecondsAvailable === 0) return parts;
  let left = bundleSecondsAvailable;
  return parts.map((part) => {
    const used = Math.min(left, part.billedSeconds);
    left -= used;
    return used === 0 ? part : { ...part, bundleSeconds: used };
  });
}

/**
 * connect fee + sum of paid seconds * rate / unit, as one exact fraction over the least common
 * multiple of the parts' units, then one rounding step with the deck's mode.
 */
function priceParts(plan: CallPlan, connectFeeMicros: Micros, parts: readonly RatedPart[]) {
  const { decimals, rounding } = plan.deck.settings;
  if (parts.length === 1) {
    // One part (the usual call): connect + paid * rate / unit, without the common denominator,
    // in exact Numbers when they suffice (`one-part-cost.ts`), else in bigints.
    const part = parts[0]!;
    const { row } = part;
    if (isSafeMicros(connectFeeMicros) && isSafeMicros(row.rateMicros)) {
      const cost = onePartCostNumber(Number(connectFeeMicros), row.rateUnitS,
        part.billedSeconds - part.bundleSeconds, Number(row.rateMicros), decimals, rounding);
      if (cost >= 0) return micros(BigInt(cost));
    }
    const denominator = BigInt(part.row.rateUnitS);
    const paidSeconds = BigInt(part.billedSeconds - part.bundleSeconds);
    const numerator = connectFeeMicros * denominator + paidSeconds * part.row.rateMicros;
    return roundMicrosToDecimals({ numerator, denominator, decimals, mode: rounding });
  }
  let denominator = 1n;
  for (const part of parts) denominator = lcm(denominator, BigInt(part.row.rateUnitS));
  let numerator = connectFeeMicros * denominator;
  for (const part of parts) {
    const paidSeconds = BigInt(part.billedSeconds - part.bundleSeconds);
    numerator += (paidSeconds * part.row.rateMicros * denominator) / BigInt(part.row.rateUnitS);
  }
  return roundMicrosToDecimals({ numerator, denominator, decimals, mode: rounding });
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
