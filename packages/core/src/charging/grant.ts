import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { CallPlan } from '../rating/call-plan.ts';
import { maxDuration } from '../rating/max-duration.ts';
import { rateDuration } from '../rating/rate-duration.ts';

/**
 * One level of the reseller chain as the grant sees it: how the level is priced for this call
 * and what it can still pay. Level 0 is the calling customer; the last level is the root.
 */
/** Stands for "no limit": far above any call's cost (2^62 micros). */
const unlimitedMicros = micros(1n << 62n);

export interface GrantLevel {
  /** null: the level pays nothing for this call (a root with no carrier deck yet). */
  readonly plan: CallPlan | null;
  /** What the level can still reserve, in the plan's currency; null: unlimited. */
  readonly availableMicros: Micros | null;
  /** Bundle seconds usable by this level (only the customer has bundles today). */
  readonly bundleSeconds: number;
}

export interface Grant {
  /** Seconds granted past `usedS`; 0 means no more. */
  readonly grantedSeconds: number;
  /** True when funds (not the slice) set the grant: the switch must end the call after it. */
  readonly final: boolean;
  /** Index of the level whose funds set the grant, or null when the slice did. */
  readonly limitingLevel: number | null;
}

export type GrantResult =
  | ({ readonly status: 'granted' } & Grant)
  | { readonly status: 'no_rate'; readonly level: number };

/**
 * The next grant of a live call (charging.md, "A live call"): the minimum of the slice and of
 * every level's exact max duration from its available funds. Availability is what the level
 * can reserve beyond what this call has already committed, so a level affords `d` seconds when
 * `cost(d) - cost(used) <= available`, i.e. `cost(d) <= available + cost(used)`.
 */
export function computeGrant(options: {
  levels: readonly GrantLevel[];
  usedS: number;
  sliceS: number;
  /** The longest a call may last in total (config); the grant never passes it. */
  callDurationSMax: number;
}): GrantResult {
  const { levels, usedS, sliceS } = options;
  assert(levels.length >= 1, 'a call has at least the customer level');
  assert(Number.isInteger(usedS) && usedS >= 0, 'used seconds are whole');
  assert(Number.isInteger(sliceS) && sliceS >= 1, 'the slice is at least one second');
  const capS = Math.min(usedS + sliceS, Math.max(usedS, options.callDurationSMax));
  let grantEndS = capS;
  let limitingLevel: number | null = null;
  for (const [index, level] of levels.entries()) {
    if (level.plan === null) continue;
    const used = rateDuration(level.plan, usedS, level.bundleSeconds);
    if (used.status !== 'rated') return { status: 'no_rate', level: index };
    const funds =
      level.availableMicros === null ? null : micros(level.availableMicros + used.costMicros);
    // An unlimited level is still bound by gaps in its rate, which max duration respects.
    const found = maxDuration(level.plan, funds ?? unlimitedMicros, {
      capS,
      bundleSecondsAvailable: level.bundleSeconds,
    });
    if (found.maxSeconds < grantEndS) {
      grantEndS = found.maxSeconds;
      limitingLevel = index;
    }
  }
  grantEndS = Math.max(grantEndS, usedS);
  const final = limitingLevel !== null || grantEndS >= options.callDurationSMax;
  return {
    status: 'granted',
    grantedSeconds: grantEndS - usedS,
    final,
    limitingLevel,
  };
}
