import type { Clock, LedgerService } from '@tollgate/core';
import type { Config } from '../config/config-schema.ts';
import type { CardPaymentDeps } from './card-payments.ts';
import { createRefillScanner } from './refill-scanner.ts';
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
  let scanning: Promise<unknown> = Promise.resolve();
  const timer = options.timers && config.refillScanIntervalMs > 0
    ? setInterval(() => {
      scanning = scanner.scan().catch(options.onError);
    }, config.refillScanIntervalMs) : null;
  timer?.unref();
  return {
    deps,
    scanner,
    close: async () => {
      if (timer !== null) clearInterval(timer);
      await scanning;
    },
  };
}
