import { assert } from '../kernel/assert.ts';
import type { Micros } from '../kernel/money.ts';
import type { FundsInput } from '../ledger/available-funds.ts';

/**
 * Where an account's auto-refill stands. `idle`: armed, nothing in flight. `in_flight`: one
 * payment asked of the card, its outcome not known yet (the webhook tells). `retry_wait`: the
 * last attempt failed (declined, or the card processor did not answer); the next one is due at
 * `nextAttemptAtMs`. `requires_action`: the bank wants the customer (SCA); nothing is retried
 * until the customer acts or the settings are saved again. `disabled`: switched off, by the
 * owner or after `failuresMax` consecutive failures.
 */
export const refillStates = [
  'idle', 'in_flight', 'retry_wait', 'requires_action', 'disabled',
] as const;
export type RefillState = (typeof refillStates)[number];

export interface AutoRefill {
  readonly accountId: string;
  readonly enabled: boolean;
  /** A refill starts when the funds the balance allows fall below this. */
  readonly thresholdMicros: Micros;
  /** What one refill charges the card: whole minor units of the account's currency. */
  readonly amountMicros: Micros;
  readonly state: RefillState;
  /** Counts the triggers: a new trigger (threshold crossed again) gets a new number. */
  readonly triggerSeq: number;
  /** Attempts within the current trigger: each is one idempotency key at the processor. */
  readonly attempt: number;
  /** Consecutive failed attempts, over triggers; a success resets it. */
  readonly failures: number;
  readonly nextAttemptAtMs: number;
  /** The payment of the attempt in flight (or the last one), once the processor named it. */
  readonly paymentIntentId: string | null;
  readonly lastError: string | null;
  readonly updatedAtMs: number;
}

export interface RefillPolicy {
  /** Consecutive failures after which auto-refill switches itself off. */
  readonly failuresMax: number;
  /** The wait after the first failure; it doubles per failure up to `backoffMsMax`. */
  readonly backoffMs: number;
  readonly backoffMsMax: number;
  /**
   * An attempt claimed but never handed to the processor (the node stopped in between) is
   * taken again, with its own key, after this long.
   */
  readonly claimStaleMs: number;
}

export const refillPolicyDefault: RefillPolicy = {
  failuresMax: 3, backoffMs: 60_000, backoffMsMax: 3_600_000, claimStaleMs: 300_000,
};

/**
 * The funds a refill tops up: what the balance allows (posted + credit limit - reserved).
 * Spend limits are left out: money on the card cannot lift a daily cap. An account without a
 * credit limit (unlimited) never needs a refill: null.
 */
export function refillFundsMicros(input: FundsInput): bigint | null {
  const limit = input.account.creditLimitMicros;
  if (limit === null) return null;
  return input.postedMicros + limit - input.pendingMicros;
}

/** Whether a scan at `nowMs` seeing `fundsMicros` should start an attempt. */
export function refillDue(refill: AutoRefill, fundsMicros: bigint | null, nowMs: number,
  policy: RefillPolicy): boolean {
  if (!refill.enabled) return false;
  if (refill.state === 'retry_wait') return nowMs >= refill.nextAttemptAtMs;
  if (refill.state === 'in_flight') return claimIsStale(refill, nowMs, policy);
  if (refill.state !== 'idle') return false;
  return fundsMicros !== null && fundsMicros < refill.thresholdMicros;
}

/** The idempotency key of one attempt: the same attempt retried is one payment, never two. */
export function refillIdempotencyKey(refill: AutoRefill): string {
  return `refill:${refill.accountId}:${refill.triggerSeq}.${refill.attempt}`;
}

/**
 * The claim of an attempt: an idle refill starts a new trigger, a retry the next attempt of the
 * same trigger. The store applies it only if the row is still as read (compare and set), so two
 * scans racing start one attempt.
 */
export function claimAttempt(refill: AutoRefill, nowMs: number): AutoRefill {
  assert(refill.state !== 'requires_action' && refill.state !== 'disabled',
    'only a waiting refill starts');
  const newTrigger = refill.state === 'idle';
  // A stale claim repeats its own attempt (same key): it may have reached the processor.
  const attempt = newTrigger ? 1 : refill.state === 'in_flight' ? refill.attempt
    : refill.attempt + 1;
  return { ...refill, state: 'in_flight', triggerSeq: refill.triggerSeq + (newTrigger ? 1 : 0),
    attempt, paymentIntentId: null, updatedAtMs: nowMs };
}

function claimIsStale(refill: AutoRefill, nowMs: number, policy: RefillPolicy): boolean {
  return refill.paymentIntentId === null && nowMs - refill.updatedAtMs >= policy.claimStaleMs;
}

export function backoffAfterMs(policy: RefillPolicy, failures: number): number {
  assert(failures >= 1, 'a backoff follows a failure');
  const exponent = Math.min(30, failures - 1);
  return Math.min(policy.backoffMsMax, policy.backoffMs * 2 ** exponent);
}

/** How an attempt ended when it did not succeed. */
export type RefillFailure =
  /** The card was declined (or the payment failed): retried with backoff, counted. */
  | { readonly kind: 'declined'; readonly code: string }
  /** The bank wants the customer (SCA): never retried blindly, counted. */
  | { readonly kind: 'requires_action'; readonly code: string }
  /** The processor did not answer: the same attempt (same key) is tried again, not counted. */
  | { readonly kind: 'unavailable'; readonly code: string };

export interface RefillTransition {
  readonly refill: AutoRefill;
  /** What to tell the account's owner; null: nothing worth a notice. */
  readonly notice: 'refill_declined' | 'refill_requires_action' | 'refill_disabled' | null;
}

export function afterFailure(refill: AutoRefill, failure: RefillFailure, policy: RefillPolicy,
  nowMs: number): RefillTransition {
  if (failure.kind === 'unavailable') {
    // The same attempt again: its idempotency key makes a payment that did go through count
    // once. The attempt number is stepped back so that the claim repeats it.
    return { notice: null, refill: { ...refill, state: 'retry_wait', attempt: refill.attempt - 1,
      nextAttemptAtMs: nowMs + backoffAfterMs(policy, 1), lastError: failure.code,
      updatedAtMs: nowMs } };
  }
  const failures = refill.failures + 1;
  const base = { ...refill, failures, lastError: failure.code, updatedAtMs: nowMs };
  if (failures >= policy.failuresMax) {
    return { notice: 'refill_disabled', refill: { ...base, enabled: false, state: 'disabled' } };
  }
  if (failure.kind === 'requires_action') {
    return { notice: 'refill_requires_action', refill: { ...base, state: 'requires_action' } };
  }
  return { notice: 'refill_declined', refill: { ...base, state: 'retry_wait',
    nextAttemptAtMs: nowMs + backoffAfterMs(policy, failures) } };
}

export function afterSuccess(refill: AutoRefill, nowMs: number): AutoRefill {
  return { ...refill, state: refill.enabled ? 'idle' : 'disabled', failures: 0, attempt: 0,
    lastError: null, updatedAtMs: nowMs };
}

/** Saving the settings re-arms a refill that waits for the customer or was switched off. */
export function rearmed(refill: AutoRefill, settings: { enabled: boolean;
  thresholdMicros: Micros; amountMicros: Micros }, nowMs: number): AutoRefill {
  const keepsFlight = refill.state === 'in_flight';
  const state: RefillState = keepsFlight ? 'in_flight' : settings.enabled ? 'idle' : 'disabled';
  return { ...refill, ...settings, state, attempt: keepsFlight ? refill.attempt : 0,
    failures: keepsFlight ? refill.failures : 0, updatedAtMs: nowMs };
}
