import type { Clock } from '@tollgate/core';
import { backoffDelayMs, type WebhookSettings } from '../fraud/alert-dispatcher.ts';
import { signWebhook, webhookHeaders } from '../fraud/webhook-signature.ts';
import type { PaymentNotice, StripeStore } from './stripe-store.ts';

/** The header naming the notice (the other headers are the fraud alerts' ones). */
export const noticeIdHeader = 'x-tollgate-notice-id';

/** The JSON a notice is delivered as (and listed as). */
export function toApiNotice(notice: PaymentNotice) {
  return { id: notice.id, account_id: notice.accountId, kind: notice.kind,
    payment_intent_id: notice.paymentIntentId, detail: notice.detail,
    created_at: new Date(notice.createdAtMs).toISOString() };
}

/**
 * Pushes payment notices (refill declined, needs the customer, switched off) to the payment
 * webhook, signed as fraud alerts are (`fraud/webhook-signature.ts`: HMAC-SHA256 of
 * `<timestamp>.<body>`), at least once: each notice row keeps its delivery state, a failure is
 * retried with the same exponential backoff until `attemptsMax`. Without a URL nothing is
 * pushed and the notices stay listed (`GET /v1/accounts/{id}/payment-notices`).
 */
export function createNoticeDispatcher(options: { store: StripeStore; clock: Clock;
  webhook: WebhookSettings | null; batchMax: number }) {
  let running: Promise<number> | null = null;
  const runOnce = async (): Promise<number> => {
    const { webhook } = options;
    if (webhook === null) return 0;
    const due = await options.store.dueNotices(options.clock.nowMs(), options.batchMax);
    for (const notice of due) await deliver(options, webhook, notice);
    return due.length;
  };
  return {
    /** Attempts the due deliveries (at most `batchMax`); joins a run in progress. */
    runDue: (): Promise<number> => {
      running ??= runOnce().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

async function deliver(options: { store: StripeStore; clock: Clock },
  webhook: WebhookSettings, notice: PaymentNotice & { attempts: number }): Promise<void> {
  const attempts = notice.attempts + 1;
  const body = JSON.stringify(toApiNotice(notice));
  const timestampMs = options.clock.nowMs();
  let error: string | null = null;
  try {
    const response = await fetch(webhook.url, { method: 'POST', body, redirect: 'error',
      signal: AbortSignal.timeout(webhook.timeoutMs),
      headers: { 'content-type': 'application/json',
        [webhookHeaders.timestamp]: String(timestampMs),
        [webhookHeaders.signature]: signWebhook(webhook.secret, timestampMs, body),
        [noticeIdHeader]: String(notice.id), [webhookHeaders.attempt]: String(attempts) } });
    await response.arrayBuffer();
    if (response.status < 200 || response.status > 299) {
      error = `webhook answered ${response.status}`;
    }
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
  }
  const nextAttemptAtMs = error === null || attempts >= webhook.attemptsMax ? null
    : options.clock.nowMs() + backoffDelayMs(webhook, attempts);
  await options.store.markNoticeAttempt({ id: notice.id, attempts, nextAttemptAtMs, error });
}
