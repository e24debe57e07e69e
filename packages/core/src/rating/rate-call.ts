import type { Micros } from '../kernel/money.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import { planCall } from './call-plan.ts';
import { maxDuration, type MaxDuration } from './max-duration.ts';
import { rateDuration, type RatedCall } from './rate-duration.ts';

export type RateCallResult =
  | RatedCall
  | { readonly status: 'no_rate'; readonly reason: 'no_prefix' | 'no_row_in_force' };

/**
 * The cost of one answered call of `durationS` whole seconds starting at `startedAtMs`
 * (rating.md). Pure: the deck, the number, the instant and the duration fully decide it.
 */
export function rateCall(options: {
  deck: RateDeck;
  number: string;
  startedAtMs: number;
  durationS: number;
  bundleSecondsAvailable?: number;
}): RateCallResult {
  const { deck, number, startedAtMs, durationS } = options;
  const planned = planCall({ deck, number, startedAtMs, horizonS: durationS });
  if (planned.status === 'no_rate') return planned;
  const rated = rateDuration(planned.plan, durationS, options.bundleSecondsAvailable ?? 0);
  if (rated.status === 'no_rate') return { status: 'no_rate', reason: rated.reason };
  return rated;
}

export type MaxDurationResult =
  | ({ readonly status: 'ok'; readonly prefix: string } & MaxDuration)
  | { readonly status: 'no_rate'; readonly reason: 'no_prefix' | 'no_row_in_force' };

/** How long a call may last on `fundsMicros` (rating.md, "Max duration"), up to `capS`. */
export function maxCallDuration(options: {
  deck: RateDeck;
  number: string;
  startedAtMs: number;
  fundsMicros: Micros;
  capS: number;
  bundleSecondsAvailable?: number;
}): MaxDurationResult {
  const { deck, number, startedAtMs, capS } = options;
  const planned = planCall({ deck, number, startedAtMs, horizonS: capS });
  if (planned.status === 'no_rate') return planned;
  // A number whose first block has no row in force cannot start at all.
  const first = rateDuration(planned.plan, Math.min(1, capS));
  if (first.status === 'no_rate') return { status: 'no_rate', reason: first.reason };
  const found = maxDuration(planned.plan, options.fundsMicros, {
    capS,
    bundleSecondsAvailable: options.bundleSecondsAvailable ?? 0,
  });
  return { status: 'ok', prefix: planned.plan.prefix, ...found };
}
