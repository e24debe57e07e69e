import { describe, expect, it } from 'vitest';
import { secretsEqual } from '../../src/auth/secret-compare.ts';
import { verifyWebhook, signWebhook } from '../../src/fraud/webhook-signature.ts';

describe('secretsEqual', () => {
  it('is true only for the same bytes, whatever the lengths', () => {
    expect(secretsEqual('operator-key-0123456789', 'operator-key-0123456789')).toBe(true);
    expect(secretsEqual(Buffer.from('abc'), 'abc')).toBe(true);
    for (const other of ['operator-key-012345678', 'operator-key-01234567890', '',
      'Operator-key-0123456789']) {
      expect([other, secretsEqual(other, 'operator-key-0123456789')]).toEqual([other, false]);
    }
  });
  it('checks webhook signatures of any length without throwing', () => {
    const body = '{"id":"fa_1"}';
    const signature = signWebhook('hook-secret', 1_000, body);
    const verify = (signatureHeader: string | undefined) => verifyWebhook({ secret: 'hook-secret',
      timestampHeader: '1000', signatureHeader, body, nowMs: 1_000, toleranceMs: 60_000 });
    expect(verify(signature)).toBe(true);
    expect(verify(signature.slice(0, -1))).toBe(false);
    expect(verify(`${signature}0`)).toBe(false);
    expect(verify(undefined)).toBe(false);
  });
});
