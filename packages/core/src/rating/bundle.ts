import { assert } from '../kernel/assert.ts';
import type { CallPlan } from './call-plan.ts';

/**
 * A free-minute bundle: seconds usable on calls to some prefixes, optionally only inside a time
 * band. The balance, period and expiry are kept by the ledger; rating only needs what is left.
 */
export interface BundleAllowance {
  readonly bundleId: string;
  /** The bundle covers numbers starting with any of these prefixes. */
  readonly prefixes: readonly string[];
  /** When set, the bundle covers calls that start while this band is active. */
  readonly timeBand: string | null;
  readonly secondsRemaining: number;
}

/**
 * Bundle seconds a call may use: the remaining seconds of the first bundle that covers the
 * dialled number at the call start, or 0. The split itself (bundle seconds first, the rest at
 * the tier's price) happens in `rateDuration`, so a call is never cut because a bundle ran out
 * while money remains: the paid part simply grows.
 */
export function bundleSecondsFor(plan: CallPlan, bundles: readonly BundleAllowance[]): {
  bundleId: string | null;
  seconds: number;
} {
  for (const bundle of bundles) {
    assert(Number.isInteger(bundle.secondsRemaining), 'bundle seconds are whole');
    if (bundle.secondsRemaining <= 0) continue;
    if (!bundle.prefixes.some((prefix) => plan.number.startsWith(prefix))) continue;
    if (bundle.timeBand !== null && !bandActiveAtStart(plan, bundle.timeBand)) continue;
    return { bundleId: bundle.bundleId, seconds: bundle.secondsRemaining };
  }
  return { bundleId: null, seconds: 0 };
}

function bandActiveAtStart(plan: CallPlan, band: string): boolean {
  // A band the deck does not define never covers a call.
  if (!plan.deck.bands.has(band)) return false;
  assert(
    plan.bandActivity !== null && plan.bandNames.includes(band),
    'the plan was made with the bundle bands in extraBandNames',
  );
  return plan.bandActivity.isActive(band, plan.startedAtMs);
}
