import type { AlertSink, Clock, FraudAlert } from '@tollgate/core';
import type { DeliveryStore, DeliveryTarget, DueDelivery } from './delivery-store.ts';
import { toApiAlert } from './fraud-convert.ts';
import { alertSubject, type NatsPublisher } from './nats-publisher.ts';
import { signWebhook, webhookHeaders } from './webhook-signature.ts';

export interface WebhookSettings {
  readonly url: string;
  readonly secret: string;
  readonly attemptsMax: number;
  /** The first retry waits this long; each next one twice as long, up to `backoffMsMax`. */
  readonly backoffMs: number;
  readonly backoffMsMax: number;
  readonly timeoutMs: number;
}

export interface DispatcherOptions {
  readonly deliveries: DeliveryStore;
  readonly clock: Clock;
  readonly webhook: WebhookSettings | null;
  readonly nats: { publisher: NatsPublisher; subjectPrefix: string; attemptsMax: number } | null;
  /** Deliveries attempted per run at most. */
  readonly batchMax: number;
  readonly onError: (error: unknown) => void;
}

export interface AlertDispatcher extends AlertSink {
  /** Attempts every due delivery (at most `batchMax`); returns how many were attempted. */
  runDue(): Promise<number>;
  /** Waits for the alerts published so far to be queued, then runs the due deliveries. */
  flush(): Promise<number>;
  /** Waits for queued alerts and a run in progress, starting nothing new (at shutdown). */
  idle(): Promise<void>;
}

/** The wait before attempt `attempts + 1`: exponential, capped. */
export function backoffDelayMs(settings: { backoffMs: number; backoffMsMax: number },
  attempts: number): number {
  const exponent = Math.min(30, Math.max(0, attempts - 1));
  return Math.min(settings.backoffMsMax, settings.backoffMs * 2 ** exponent);
}

/**
 * Alert delivery with at-least-once semantics: `publish` queues one delivery row per target in
 * the store (so a restart keeps what is owed), then tries at once; failures are retried with
 * exponential backoff until `attemptsMax`, and each row keeps its status, attempts and last
 * error. One run at a time, so a delivery is never attempted twice concurrently.
 */
export function createAlertDispatcher(options: DispatcherOptions): AlertDispatcher {
  const targets: DeliveryTarget[] = [...(options.webhook === null ? [] : ['webhook' as const]),
    ...(options.nats === null ? [] : ['nats' as const])];
  const queued = new Set<Promise<void>>();
  let running: Promise<number> | null = null;
  let again = false;
  const runOnce = async (): Promise<number> => {
    const due = await options.deliveries.due(options.clock.nowMs(), options.batchMax);
    for (const delivery of due) await attempt(options, delivery);
    return due.length;
  };
  const runDue = async (): Promise<number> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await runOnce();
      } while (again);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  };
  return {
    publish: (alert: FraudAlert) => {
      if (targets.length === 0) return;
      const work = options.deliveries.enqueue(alert.id, targets, options.clock.nowMs())
        .then(() => runDue()).then(() => undefined, options.onError)
        .finally(() => queued.delete(work));
      queued.add(work);
    },
    runDue,
    flush: async () => {
      await Promise.all([...queued]);
      return runDue();
    },
    idle: async () => {
      await Promise.all([...queued]);
      await running;
    },
  };
}

async function attempt(options: DispatcherOptions, delivery: DueDelivery): Promise<void> {
  const attempts = delivery.attempts + 1;
  const body = JSON.stringify(toApiAlert(delivery.alert));
  const { alert, target } = delivery;
  try {
    if (target === 'webhook') await postWebhook(options.webhook, alert, body, attempts, options);
    else await publishNats(options, alert, body);
    await options.deliveries.markDelivered(alert.id, target, attempts, options.clock.nowMs());
  } catch (error) {
    const nowMs = options.clock.nowMs();
    const attemptsMax = target === 'webhook' ? options.webhook?.attemptsMax ?? 1
      : options.nats?.attemptsMax ?? 1;
    const backoff = options.webhook ?? { backoffMs: 1_000, backoffMsMax: 300_000 };
    const nextAttemptAtMs = attempts >= attemptsMax ? null
      : nowMs + backoffDelayMs(backoff, attempts);
    await options.deliveries.markFailedAttempt({ alertId: alert.id, target, attempts,
      nextAttemptAtMs, error: error instanceof Error ? error.message : String(error), nowMs });
  }
}

async function postWebhook(settings: WebhookSettings | null, alert: FraudAlert, body: string,
  attempt: number, options: DispatcherOptions): Promise<void> {
  if (settings === null) throw new Error('no webhook is configured');
  const timestampMs = options.clock.nowMs();
  const response = await fetch(settings.url, {
    method: 'POST', body, redirect: 'error', signal: AbortSignal.timeout(settings.timeoutMs),
    headers: { 'content-type': 'application/json',
      [webhookHeaders.timestamp]: String(timestampMs),
      [webhookHeaders.signature]: signWebhook(settings.secret, timestampMs, body),
      [webhookHeaders.alertId]: alert.id, [webhookHeaders.attempt]: String(attempt) },
  });
  // The body is not needed; reading it frees the connection.
  await response.arrayBuffer();
  if (response.status < 200 || response.status > 299) {
    throw new Error(`webhook answered ${response.status}`);
  }
}

async function publishNats(options: DispatcherOptions, alert: FraudAlert, body: string) {
  if (options.nats === null) throw new Error('NATS is not configured');
  await options.nats.publisher.publish(alertSubject(options.nats.subjectPrefix,
    alert.rootAccountId), body);
}
