import { randomBytes } from 'node:crypto';
import {
  createFraudMonitor,
  ledgerFraudAccounts,
  withFraudControl,
  type ChargingService,
  type Clock,
  type FraudAlert,
  type FraudMonitor,
  type FraudStore,
  type LedgerService,
  type RebuildReport,
} from '@tollgate/core';
import type { Config } from '../config/config-schema.ts';
import { createAlertDispatcher, type AlertDispatcher } from './alert-dispatcher.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { FraudStores } from './fraud-stores.ts';
import { natsPublisher, type NatsPublisher } from './nats-publisher.ts';

/** Deliveries attempted per dispatcher run. */
const deliveriesPerRunMax = 200;

/** What the fraud routes and the server's timers use. */
export interface FraudServices {
  readonly monitor: FraudMonitor;
  readonly store: FraudStore;
  readonly deliveries: DeliveryStore;
  readonly dispatcher: AlertDispatcher;
  readonly rebuilt: RebuildReport;
  /** Wraps a charging service with fraud control. */
  wrap(charging: ChargingService): ChargingService;
  /** Cool-downs, credit alerts, snapshots, then due deliveries (the timer calls it). */
  tick(): Promise<void>;
  /** Writes the profiles, stops the timer and closes NATS. */
  close(): Promise<void>;
}

export type FraudConfigKeys = Pick<Config, 'fraudTickIntervalMs' | 'fraudSnapshotIntervalMs' |
  'fraudWebhookUrl' | 'fraudWebhookSecret' | 'fraudWebhookAttemptsMax' | 'fraudWebhookBackoffMs' |
  'fraudWebhookBackoffMsMax' | 'fraudWebhookTimeoutMs' | 'natsUrl' | 'natsSubjectPrefix'>;

/** A failure fraud control survived (the call went on): one JSON line on stderr. */
function logFraudError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(),
    msg: 'fraud control: storage or delivery failed, the call went on', err: message })}\n`);
}

/** Ids that sort by creation time: 13-digit ms, then random hex against collisions. */
export function timeOrderedId(clock: Clock): (prefix: string) => string {
  return (prefix) => `${prefix}_${String(clock.nowMs()).padStart(13, '0')}_` +
    randomBytes(6).toString('hex');
}

/**
 * The fraud module over its stores: the monitor (rebuilt from storage before it serves), the
 * dispatcher (webhook and NATS), and, with `timers`, a tick every `fraudTickIntervalMs`. Tests
 * under a manual clock pass `timers: false` and call `tick` themselves.
 */
export async function openFraudServices(options: {
  config: FraudConfigKeys; clock: Clock; ledger: LedgerService; stores: FraudStores;
  timers: boolean; onError?: (error: unknown) => void;
  onAccountSuspended?: (accountId: string) => Promise<void>;
  /** Every alert raised (metrics count them by action and rule). */
  onAlert?: (alert: FraudAlert) => void;
}): Promise<FraudServices> {
  const { config, clock, stores } = options;
  const onError = options.onError ?? logFraudError;
  const webhook = config.fraudWebhookUrl === '' ? null : { url: config.fraudWebhookUrl,
    secret: config.fraudWebhookSecret, attemptsMax: config.fraudWebhookAttemptsMax,
    backoffMs: config.fraudWebhookBackoffMs, backoffMsMax: config.fraudWebhookBackoffMsMax,
    timeoutMs: config.fraudWebhookTimeoutMs };
  const publisher: NatsPublisher | null = config.natsUrl === '' ? null
    : natsPublisher({ url: config.natsUrl, timeoutMs: config.fraudWebhookTimeoutMs });
  const dispatcher = createAlertDispatcher({ deliveries: stores.deliveries, clock, webhook,
    nats: publisher === null ? null : { publisher, subjectPrefix: config.natsSubjectPrefix,
      attemptsMax: config.fraudWebhookAttemptsMax },
    batchMax: deliveriesPerRunMax, onError });
  const monitor = createFraudMonitor({ clock, store: stores.fraud,
    accounts: ledgerFraudAccounts(options.ledger, clock),
    sink: { publish: (alert) => {
      options.onAlert?.(alert);
      dispatcher.publish(alert);
    } },
    newId: timeOrderedId(clock), settings: { snapshotIntervalMs: config.fraudSnapshotIntervalMs },
    hooks: { onError, ...(options.onAccountSuspended === undefined ? {}
      : { onAccountSuspended: options.onAccountSuspended }) } });
  const rebuilt = await monitor.start(stores.history);
  const tick = async () => {
    await monitor.tick();
    await dispatcher.runDue();
  };
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  if (options.timers) {
    timer = setInterval(() => {
      if (ticking !== null) return;
      ticking = tick().catch(onError).finally(() => {
        ticking = null;
      });
    }, config.fraudTickIntervalMs);
    timer.unref();
  }
  return {
    monitor, store: stores.fraud, deliveries: stores.deliveries, dispatcher, rebuilt, tick,
    wrap: (charging) => withFraudControl(charging, monitor),
    close: async () => {
      if (timer !== null) clearInterval(timer);
      await ticking;
      await monitor.snapshot().catch(onError);
      await dispatcher.idle().catch(onError);
      await publisher?.close().catch(onError);
    },
  };
}
