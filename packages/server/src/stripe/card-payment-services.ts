import type { Clock, LedgerService } from '@tollgate/core';
import type { Config } from '../config/config-schema.ts';
import type { CardPaymentDeps } from './card-payments.ts';
import { createNoticeDispatcher } from './notice-dispatcher.ts';
import { createRefillScanner } from './refill-scanner.ts';

/** Notices pushed per run at most; the rest wait for the next run. */
const noticeBatchMax = 100;
import { createSecretBox } from './secret-box.ts';
import type { StripeStore } from './stripe-store.ts';

/**
 * The composition of card payments: the secret box (the server's `secretsKey`, else its admin
 * key), the SDK's connection, the refill policy and, with the system clock, the periodic scan.
 * A scan never overlaps the previous one; its failures are reported, never thrown.
 */
export function openCardPayments(options: { config: Config; store: StripeStore;
  ledger: LedgerService; clock: Clock; timers: boolean; onError: (error: unknown) => void }) {
  const { config } = options;
  const serverSecret = config.secretsKey === '' ? config.adminKey : config.secretsKey;
  const deps: CardPaymentDeps = { store: options.store, ledger: options.ledger,
    clock: options.clock, secrets: serverSecret === '' ? null : createSecretBox(serverSecret),
    connection: { host: config.stripeApiHost, port: config.stripeApiPort,
      protocol: config.stripeApiProtocol, timeoutMs: config.stripeTimeoutMs },
    policy: { failuresMax: config.refillFailuresMax, backoffMs: config.refillBackoffMs,
      backoffMsMax: Math.max(config.refillBackoffMs, config.refillBackoffMsMax),
      claimStaleMs: Math.max(5 * config.stripeTimeoutMs, 60_000) } };
  const scanner = createRefillScanner(deps);
  const notices = createNoticeDispatcher({ store: options.store, clock: options.clock,
    batchMax: noticeBatchMax, webhook: config.paymentWebhookUrl === '' ? null : {
      url: config.paymentWebhookUrl, secret: config.paymentWebhookSecret,
      attemptsMax: config.fraudWebhookAttemptsMax, backoffMs: config.fraudWebhookBackoffMs,
      backoffMsMax: config.fraudWebhookBackoffMsMax,
      timeoutMs: config.fraudWebhookTimeoutMs } });
  let scanning: Promise<unknown> = Promise.resolve();
  // Notices the scan or a Stripe webhook left are pushed after each scan.
  const timer = options.timers && config.refillScanIntervalMs > 0
    ? setInterval(() => {
      scanning = scanner.scan().then(() => notices.runDue()).catch(options.onError);
    }, config.refillScanIntervalMs) : null;
  timer?.unref();
  return {
    deps,
    scanner,
    notices,
    close: async () => {
      if (timer !== null) clearInterval(timer);
      await scanning;
    },
  };
}
