import type { Cdr } from '../charging/charging-types.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { callDurationSMax } from '../rating/call-plan.ts';
import { rateCall } from '../rating/rate-call.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';

/**
 * What-if re-rating of one level: its revenue (what the level below pays it: the deck it sells
 * with) or its cost (what it pays its parent or carrier) rated again with another deck, call
 * by call, from the CDR's callee, start and used seconds. Pure; nothing is posted. Bundles are
 * not applied again (the new figure is the plain price), and a call of 0 seconds costs nothing
 * either way.
 */
export type RerateSide = 'revenue' | 'cost';

export interface RerateCall {
  readonly sessionId: string;
  readonly callee: string;
  readonly prefix: string | null;
  readonly oldRevenueMicros: Micros;
  readonly newRevenueMicros: Micros;
  readonly oldCostMicros: Micros;
  readonly newCostMicros: Micros;
}

export type RerateOutcome =
  | { readonly status: 'rerated'; readonly call: RerateCall }
  /** The CDR has no level of the account (or, for revenue, none below it). */
  | { readonly status: 'not_applicable' }
  /** The new deck has no rate for the number, or is priced in another currency. */
  | { readonly status: 'unrated'; readonly reason: 'no_rate' | 'currency_mismatch' };

export function rerateCdr(cdr: Cdr, options: { accountId: string; side: RerateSide;
  deck: RateDeck }): RerateOutcome {
  const index = cdr.levels.findIndex((level) => level.accountId === options.accountId);
  if (index < 0) return { status: 'not_applicable' };
  const own = cdr.levels[index]!;
  const below = index > 0 ? cdr.levels[index - 1]! : null;
  if (options.side === 'revenue' && below === null) return { status: 'not_applicable' };
  const rerated = options.side === 'revenue' ? below! : own;
  if (options.deck.settings.currency !== rerated.currency) {
    return { status: 'unrated', reason: 'currency_mismatch' };
  }
  const durationS = Math.min(cdr.usedSeconds, callDurationSMax);
  let newMicros: Micros = micros(0n);
  if (durationS > 0) {
    const rated = rateCall({ deck: options.deck, number: cdr.callee,
      startedAtMs: cdr.startedAtMs, durationS });
    if (rated.status !== 'rated') return { status: 'unrated', reason: 'no_rate' };
    newMicros = rated.costMicros;
  }
  const oldRevenueMicros = below?.costMicros ?? micros(0n);
  return { status: 'rerated', call: { sessionId: cdr.sessionId, callee: cdr.callee,
    prefix: rerated.prefix, oldRevenueMicros, oldCostMicros: own.costMicros,
    newRevenueMicros: options.side === 'revenue' ? newMicros : oldRevenueMicros,
    newCostMicros: options.side === 'cost' ? newMicros : own.costMicros } };
}

/** A call profitable (or even) before and at a loss after. */
export function turnsUnprofitable(call: RerateCall): boolean {
  return call.oldRevenueMicros >= call.oldCostMicros &&
    call.newRevenueMicros < call.newCostMicros;
}

export interface RerateSums {
  readonly prefix: string | null;
  readonly calls: number;
  readonly oldRevenueMicros: Micros;
  readonly newRevenueMicros: Micros;
  readonly oldCostMicros: Micros;
  readonly newCostMicros: Micros;
}

/** Adds a re-rated call to the sums under `key` (its destination, or the total). */
export function addRerated(sums: Map<string, RerateSums>, call: RerateCall, key: string): void {
  const sum = sums.get(key) ?? { prefix: call.prefix, calls: 0, oldRevenueMicros: micros(0n),
    newRevenueMicros: micros(0n), oldCostMicros: micros(0n), newCostMicros: micros(0n) };
  sums.set(key, { prefix: sum.prefix, calls: sum.calls + 1,
    oldRevenueMicros: micros(sum.oldRevenueMicros + call.oldRevenueMicros),
    newRevenueMicros: micros(sum.newRevenueMicros + call.newRevenueMicros),
    oldCostMicros: micros(sum.oldCostMicros + call.oldCostMicros),
    newCostMicros: micros(sum.newCostMicros + call.newCostMicros) });
}
