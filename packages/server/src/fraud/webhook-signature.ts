import { createHmac } from 'node:crypto';
import { secretsEqual } from '../auth/secret-compare.ts';

/** Headers of a signed alert webhook. */
export const webhookHeaders = {
  timestamp: 'x-tollgate-timestamp',
  signature: 'x-tollgate-signature',
  alertId: 'x-tollgate-alert-id',
  attempt: 'x-tollgate-delivery-attempt',
} as const;

/**
 * `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the shared secret. The timestamp (epoch
 * ms, sent in its own header) is inside the signed text, so a receiver that rejects old
 * timestamps cannot be fed a captured delivery again.
 */
export function signWebhook(secret: string, timestampMs: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex');
  return `v1=${mac}`;
}

/** What a receiver does: recompute and compare in constant time, and bound the clock skew. */
export function verifyWebhook(options: {
  secret: string; timestampHeader: string | undefined; signatureHeader: string | undefined;
  body: string; nowMs: number; toleranceMs: number;
}): boolean {
  const timestampMs = Number(options.timestampHeader);
  if (!Number.isSafeInteger(timestampMs)) return false;
  if (Math.abs(options.nowMs - timestampMs) > options.toleranceMs) return false;
  const expected = signWebhook(options.secret, timestampMs, options.body);
  return secretsEqual(options.signatureHeader ?? '', expected);
}
