import type { RateRow } from '../tariffs/rate-deck.ts';
import type { CallPlan } from './call-plan.ts';

/**
 * The row that prices a block starting `positionS` billed seconds into the (reduced) call at
 * `atMs` (rating.md, "Which row prices a block"). Candidates: rows whose band is active at that
 * instant and whose `fromS` <= position. Winner: highest weight; then the band that started most
 * recently (no band = never started); then the largest `fromS`; then the latest
 * `effectiveFrom`; then the earliest line. Returns null in a gap.
 */
export function selectRow(plan: CallPlan, positionS: number, atMs: number): RateRow | null {
  let best: RateRow | null = null;
  let bestBandStartMs = -Infinity;
  for (const row of plan.candidates) {
    if (row.fromS > positionS) continue;
    let bandStartMs = -Infinity;
    if (row.timeBand !== null) {
      const activity = plan.bandActivity!;
      if (!activity.isActive(row.timeBand, atMs)) continue;
      bandStartMs = activity.stretchStartMs(row.timeBand, atMs);
    }
    if (best === null || beats(row, bandStartMs, best, bestBandStartMs)) {
      best = row;
      bestBandStartMs = bandStartMs;
    }
  }
  return best;
}

function beats(row: RateRow, rowBandStartMs: number, best: RateRow, bestBandStartMs: number) {
  if (row.weight !== best.weight) return row.weight > best.weight;
  if (rowBandStartMs !== bestBandStartMs) return rowBandStartMs > bestBandStartMs;
  if (row.fromS !== best.fromS) return row.fromS > best.fromS;
  const rowFrom = row.effectiveFromMs ?? -Infinity;
  const bestFrom = best.effectiveFromMs ?? -Infinity;
  if (rowFrom !== bestFrom) return rowFrom > bestFrom;
  return row.line < best.line;
}
