import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import {
  afterFailure,
  afterSuccess,
  claimAttempt,
  refillDue,
  refillIdempotencyKey,
  refillPolicyDefault as policy,
  type AutoRefill,
} from './auto-refill.ts';
import { microsToMinorUnits, minorUnitsToMicros } from './minor-units.ts';

const armed: AutoRefill = { accountId: 'cu', enabled: true, thresholdMicros: micros(5_000_000n),
  amountMicros: micros(20_000_000n), state: 'idle', triggerSeq: 0, attempt: 0, failures: 0,
  nextAttemptAtMs: 0, paymentIntentId: null, lastError: null, updatedAtMs: 0 };

describe('auto-refill transitions', () => {
  it('starts only below the threshold, once, and not when unlimited or switched off', () => {
    expect(refillDue(armed, 5_000_000n, 0, policy)).toBe(false);
    expect(refillDue(armed, 4_999_999n, 0, policy)).toBe(true);
    expect(refillDue(armed, null, 0, policy)).toBe(false);
    expect(refillDue({ ...armed, enabled: false }, 0n, 0, policy)).toBe(false);
    const claimed = claimAttempt(armed, 10);
    expect(claimed).toMatchObject({ state: 'in_flight', triggerSeq: 1, attempt: 1 });
    expect(refillDue(claimed, 0n, 10, policy)).toBe(false);
    // A claim that never reached the processor is taken again after claimStaleMs, same key
    expect(refillDue(claimed, 0n, 10 + policy.claimStaleMs, policy)).toBe(true);
    expect(refillIdempotencyKey(claimAttempt(claimed, 20))).toBe(refillIdempotencyKey(claimed));
  });

  it('a decline backs off with a new key; failuresMax failures switch it off', () => {
    let refill = claimAttempt(armed, 0);
    const keys = [refillIdempotencyKey(refill)];
    const first = afterFailure(refill, { kind: 'declined', code: 'card_declined' }, policy, 0);
    expect(first).toMatchObject({ notice: 'refill_declined',
      refill: { state: 'retry_wait', failures: 1, nextAttemptAtMs: policy.backoffMs } });
    expect(refillDue(first.refill, 0n, policy.backoffMs - 1, policy)).toBe(false);
    refill = claimAttempt(first.refill, policy.backoffMs);
    keys.push(refillIdempotencyKey(refill));
    const second = afterFailure(refill, { kind: 'declined', code: 'card_declined' }, policy, 0);
    expect(second.refill.nextAttemptAtMs).toBe(2 * policy.backoffMs);
    refill = claimAttempt(second.refill, 0);
    keys.push(refillIdempotencyKey(refill));
    expect(new Set(keys).size).toBe(3);
    const third = afterFailure(refill, { kind: 'declined', code: 'card_declined' }, policy, 0);
    expect(third).toMatchObject({ notice: 'refill_disabled',
      refill: { state: 'disabled', enabled: false, failures: 3 } });
  });

  it('SCA waits for the customer; an outage repeats the same attempt; success resets', () => {
    const claimed = claimAttempt(armed, 0);
    const sca = afterFailure(claimed, { kind: 'requires_action',
      code: 'authentication_required' }, policy, 0);
    expect(sca).toMatchObject({ notice: 'refill_requires_action',
      refill: { state: 'requires_action', failures: 1 } });
    expect(refillDue(sca.refill, 0n, 10 ** 12, policy)).toBe(false);
    const down = afterFailure(claimed, { kind: 'unavailable', code: 'api_connection_error' },
      policy, 0);
    expect(down.notice).toBeNull();
    expect(down.refill.failures).toBe(0);
    expect(refillIdempotencyKey(claimAttempt(down.refill, 0)))
      .toBe(refillIdempotencyKey(claimed));
    expect(afterSuccess({ ...claimed, failures: 2 }, 5)).toMatchObject({ state: 'idle',
      failures: 0 });
  });

  it('converts whole minor units exactly and refuses fractions', () => {
    expect(microsToMinorUnits(micros(20_000_000n), 'USD')).toBe(2_000n);
    expect(microsToMinorUnits(micros(20_005_000n), 'USD')).toBeNull();
    expect(microsToMinorUnits(micros(1_000_000n), 'JPY')).toBe(1n);
    expect(minorUnitsToMicros(1_234n, 'USD')).toBe(12_340_000n);
  });
});
