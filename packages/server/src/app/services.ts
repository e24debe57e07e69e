import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createChargingService,
  createLedgerService,
  type ChargingDeps,
  type ChargingSettings,
  type ChargingEngine,
  type ChargingStore,
  type EngineStats,
  type EngineStorage,
  type TreeOwnership,
  type Clock,
  type QualitySettings,
  billingOptionsDefault,
  type BillingDeps,
  type BillingStore,
  type DidDeps,
  type DidStore,
  type PackageDeps,
  type PackageStore,
  type AssuranceDeps,
} from '@tollgate/core';
import { postgresBillingStore, sqliteBillingStore } from '../billing/billing-stores.ts';
import {
  postgresDidStore,
  postgresPackageStore,
  sqliteDidStore,
  sqlitePackageStore,
} from '../dids/did-stores.ts';
import { createAccess } from '../auth/access.ts';
import type { AuditStore } from '../audit/audit-store.ts';
import { createAuditTrail } from '../audit/audit-trail.ts';
import { auditStoreOver } from '../storage/shared/audit-store-sql.ts';
import type { ApiKeyStore } from '../auth/api-key-store.ts';
import { createApiKeys, randomId } from '../auth/api-keys.ts';
import type { Config } from '../config/config-schema.ts';
import { databaseTarget, type DatabaseTarget } from '../config/load-config.ts';
import { createDeckCatalog } from '../decks/deck-catalog.ts';
import type { DeckStore } from '../decks/deck-store.ts';
import type { AppServices } from '../http/app-services.ts';
import {
  createPostgresApiKeyStore,
  createPostgresDeckStore,
  postgresWithRunner,
} from '../storage/postgres/postgres-api-stores.ts';
import { createPostgresChargingStore } from '../storage/postgres/postgres-charging-store.ts';
import { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { createSqliteApiKeyStore, createSqliteDeckStore, sqliteWithRunner } from
  '../storage/sqlite/sqlite-api-stores.ts';
import { createSqliteChargingStore } from '../storage/sqlite/sqlite-charging-store.ts';
import { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { takeSqliteWriterLock } from '../storage/sqlite/sqlite-writer-lock.ts';
import { SqliteBatchWriter } from '../storage/sqlite/sqlite-batch-writer.ts';
import { engineOver } from '../storage/engine/open-engine.ts';
import {
  postgresEngineStorage,
  sqliteEngineStorage,
} from '../storage/engine/engine-storage-dialects.ts';
import {
  createPostgresSessionOriginStore,
  createSqliteSessionOriginStore,
} from '../switches/teardown/session-origin-stores.ts';
import type { SessionOriginStore } from '../switches/teardown/session-origins.ts';
import { createSwitchServices } from '../switches/teardown/switch-services.ts';
import { carrierStoreOver, type CarrierStore } from '../routing/carrier-store.ts';
import { createRoutingCatalog, type QualityLogEvent } from '../routing/routing-catalog.ts';
import { withRoutingFeedback } from '../routing/routing-feedback.ts';
import { createRoutingService } from '../routing/routing-service.ts';
import { openFraudServices } from '../fraud/fraud-services.ts';
import { postgresFraudStores, sqliteFraudStores, type FraudStores } from
  '../fraud/fraud-stores.ts';
import {
  sqliteSubscriberIdentityStore,
  subscriberIdentityStoreOver,
  type SubscriberIdentityStore,
} from '../diameter/subscriber-identity-store.ts';
import { systemClock } from './system-clock.ts';
import { TollgateMetrics, type OperationsSnapshot } from '../metrics/metrics.ts';
import { meteredEngineStorage } from '../metrics/metered-engine-storage.ts';
import { operationsStatsOver } from '../storage/shared/operations-stats-sql.ts';
import { exchangeRateHistoryOver } from '../storage/shared/exchange-rate-history-sql.ts';
import { openCardPayments } from '../stripe/card-payment-services.ts';
import { postgresStripeStore, sqliteStripeStore } from '../stripe/stripe-stores.ts';
import type { StripeStore } from '../stripe/stripe-store.ts';
import type { ClusterEndpoint } from '../cluster/cluster-routes.ts';
import {
  forwardingCharging,
  forwardingLedger,
  type ClusterCall,
} from '../cluster/forwarding.ts';
import { httpForwarder } from '../cluster/http-forwarder.ts';
import {
  PostgresOwnership,
  type OwnershipSettings,
} from '../storage/postgres/postgres-ownership.ts';

export interface RunningServices extends AppServices {
  /** Several nodes on one PostgreSQL database: the endpoint owners answer forwarded calls on. */
  readonly cluster?: {
    readonly endpoint: ClusterEndpoint;
    /** Tells the other nodes where this one listens. */
    setUrl(url: string): Promise<void>;
  };
  readonly target: DatabaseTarget;
  /** Schema migrations applied by this start (0 when the database was up to date). */
  readonly migrationsApplied: number;
  /** The Diameter identity table (Subscription-Id -> account). */
  readonly subscriberIdentities: SubscriberIdentityStore;
  /** The charging engine's counters (batches, commit time, faults); null without the engine. */
  engineStats(): EngineStats | null;
  /** Prometheus metrics of this process (`GET /metrics`). */
  readonly metrics: TollgateMetrics;
  /** Closes the database; call after the HTTP server has drained. */
  close(): Promise<void>;
}

interface Stores {
  readonly charging: ChargingStore | ChargingEngine;
  readonly decks: DeckStore;
  readonly apiKeys: ApiKeyStore;
  readonly origins: SessionOriginStore;
  readonly carriers: CarrierStore;
  readonly fraud: FraudStores;
  readonly subscriberIdentities: SubscriberIdentityStore;
  readonly audit: AuditStore;
  readonly billing: BillingStore;
  readonly dids: DidStore;
  readonly packages: PackageStore;
  /** What a metrics scrape reads from storage. */
  readonly operations: () => Promise<OperationsSnapshot>;
  readonly exchangeRateHistory: AppServices['exchangeRateHistory'];
  readonly stripe: StripeStore;
  readonly migrationsApplied: number;
  /** PostgreSQL with the engine: which trees this node owns among the database's nodes. */
  readonly ownership: PostgresOwnership | null;
  close(): Promise<void>;
}

/**
 * The store charging and the ledger write through: the engine (one in-memory owner, batched
 * commits) over the database, or, with `chargingEngine: sql`, one SQL transaction per request.
 */
function chargingStoreOf(config: Config, sqlStore: ChargingStore,
  engineStorage: () => EngineStorage, metrics: TollgateMetrics,
  ownership?: TreeOwnership): ChargingStore | ChargingEngine {
  if (config.chargingEngine === 'sql') return sqlStore;
  return engineOver(meteredEngineStorage(engineStorage(), metrics),
    { decisionsPerBatchMax: config.engineBatchDecisionsMax }, ownership);
}

function ownershipSettingsOf(config: Config): OwnershipSettings {
  return { nodeId: config.nodeId === '' ? randomId('node') : config.nodeId,
    shardCount: config.clusterShards, leaseMs: config.clusterLeaseMs,
    tickMs: config.clusterTickMs };
}

/** The database `config.database` names, migrated, with every store over it. */
async function openStores(config: Config, target: DatabaseTarget,
  metrics: TollgateMetrics): Promise<Stores> {
  if (target.kind === 'sqlite') {
    mkdirSync(dirname(target.path), { recursive: true });
    // One process writes a SQLite database: the engine's memory is the only writer's.
    const writerLock = config.chargingEngine === 'memory' ? takeSqliteWriterLock(target.path)
      : null;
    try {
      const database = new SqliteDatabase({ path: target.path,
        synchronous: config.sqliteSynchronous, busyTimeoutMs: config.sqliteBusyTimeoutMs });
      const migrationsApplied = database.migrate();
      // Opened after the migrations: the worker's connection expects the tables.
      const writer = config.chargingEngine === 'memory' && config.sqliteWriterThread
        ? new SqliteBatchWriter({ path: target.path, synchronous: config.sqliteSynchronous,
          busyTimeoutMs: config.sqliteBusyTimeoutMs }) : undefined;
      return { charging: chargingStoreOf(config, createSqliteChargingStore(database),
        () => sqliteEngineStorage(database, writer), metrics),
        decks: createSqliteDeckStore(database), apiKeys: createSqliteApiKeyStore(database),
        origins: createSqliteSessionOriginStore(database),
        carriers: carrierStoreOver(sqliteWithRunner(database)),
        fraud: sqliteFraudStores(database),
        subscriberIdentities: sqliteSubscriberIdentityStore(database),
        audit: auditStoreOver(sqliteWithRunner(database)),
        billing: sqliteBillingStore(database), dids: sqliteDidStore(database),
        packages: sqlitePackageStore(database),
        operations: operationsStatsOver(sqliteWithRunner(database)),
        exchangeRateHistory: exchangeRateHistoryOver(sqliteWithRunner(database)),
        stripe: sqliteStripeStore(database),
        migrationsApplied, ownership: null, close: async () => {
          await writer?.close();
          await database.close();
          writerLock?.release();
        } };
    } catch (error) {
      writerLock?.release();
      throw error;
    }
  }
  const database = new PostgresDatabase({ connectionString: target.url,
    schema: config.postgresSchema, poolSize: config.postgresPoolSize,
    statementTimeoutMs: config.postgresStatementTimeoutMs });
  try {
    const migrationsApplied = await database.migrate();
    const ownership = config.chargingEngine === 'memory'
      ? new PostgresOwnership(database, ownershipSettingsOf(config)) : null;
    return { charging: chargingStoreOf(config, createPostgresChargingStore(database),
      () => postgresEngineStorage(database, ownership ?? undefined), metrics,
      ownership ?? undefined),
      decks: createPostgresDeckStore(database), apiKeys: createPostgresApiKeyStore(database),
      origins: createPostgresSessionOriginStore(database),
      carriers: carrierStoreOver(postgresWithRunner(database)),
      fraud: postgresFraudStores(database),
      subscriberIdentities: subscriberIdentityStoreOver(postgresWithRunner(database)),
      audit: auditStoreOver(postgresWithRunner(database)),
      billing: postgresBillingStore(database), dids: postgresDidStore(database),
      packages: postgresPackageStore(database),
      operations: operationsStatsOver(postgresWithRunner(database)),
      exchangeRateHistory: exchangeRateHistoryOver(postgresWithRunner(database)),
      stripe: postgresStripeStore(database),
      migrationsApplied, ownership, close: async () => {
        await ownership?.stop();
        await database.close();
      } };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export function qualitySettingsOf(config: Config): QualitySettings {
  return { windowMs: config.qualityWindowMs, attemptsMin: config.qualityAttemptsMin,
    asrMinBp: config.qualityAsrMinBp, coolDownMs: config.qualityCoolDownMs };
}

export function chargingSettingsOf(config: Config): ChargingSettings {
  return {
    sliceSeconds: config.sliceSeconds,
    callDurationSecondsMax: config.callDurationSecondsMax,
    sessionGraceMs: config.sessionGraceMs,
    sweepBatchMax: config.sweepBatchMax,
    staleSessionCharge: config.staleSessionCharge,
  };
}

/**
 * The composition root: configuration -> database (created and migrated on first start) ->
 * stores -> use cases. The ledger runs on the charging store so that a call's commits, its
 * session and its CDR share one transaction.
 */
export async function openServices(
  config: Config,
  options: { clock?: Clock; log?: (event: QualityLogEvent) => void;
    metrics?: TollgateMetrics } = {},
): Promise<RunningServices> {
  const clock = options.clock ?? systemClock;
  const target = databaseTarget(config);
  const metrics = options.metrics ?? new TollgateMetrics({ processMetrics: false });
  const stores = await openStores(config, target, metrics);
  const engine = 'start' in stores.charging ? stores.charging : null;
  const { ownership } = stores;
  try {
    // The locks first, then memory: a snapshot taken after the locks cannot miss a commit.
    if (engine !== null && ownership !== null) {
      await ownership.start({ onChange: () => engine.reload(),
        onError: (error) => process.stderr.write(`tollgate: tree ownership: ${String(error)}\n`) });
    }
    await engine?.start();
  } catch (error) {
    await stores.close();
    throw error;
  }
  // Writes for a tree another node owns are handed to that node (cluster/).
  const clusterKey = config.clusterKey === '' ? config.adminKey : config.clusterKey;
  const forwarder = ownership === null ? null : httpForwarder(ownership, clusterKey);
  const localLedger = createLedgerService({ store: stores.charging, clock });
  const ledger = forwarder === null ? localLedger : forwardingLedger(localLedger, forwarder);
  const decks = createDeckCatalog({ store: stores.decks, clock,
    decksCachedMax: config.deckCacheDecksMax, uploadsQueuedMax: config.deckImportsQueuedMax,
    newId: randomId });
  const catalog = createRoutingCatalog({ store: stores.carriers, clock,
    quality: qualitySettingsOf(config), refreshMs: config.routingRefreshMs,
    log: (event) => options.log?.(event) });
  const chargingDeps: ChargingDeps = { store: stores.charging, clock, decks,
    settings: chargingSettingsOf(config), startedAtMs: clock.nowMs(), routing: catalog };
  // Fraud control (core/fraud) checks before charging and learns from its answers; a fraud
  // suspension ends the account's live calls through the switches. A manual clock (tests) means
  // no timers: the test ticks.
  let endLiveCalls: (accountId: string) => Promise<void> = async () => undefined;
  const fraud = config.fraudEnabled ? await openFraudServices({ config, clock, ledger,
    stores: stores.fraud, timers: options.clock === undefined,
    onAlert: (alert) => metrics.fraudActions.inc({ action: alert.action, rule: alert.ruleId }),
    onAccountSuspended: (accountId) => endLiveCalls(accountId) }) : null;
  const routed = withRoutingFeedback(createChargingService(chargingDeps), catalog);
  // The front ends (HTTP and the switch integrations) share the kill-aware charging service.
  const { charging: localCharging, switches } = createSwitchServices({ origins: stores.origins,
    clock, charging: fraud === null ? routed : fraud.wrap(routed) });
  const charging = forwarder === null ? localCharging
    : forwardingCharging(localCharging, forwarder,
      (sessionId, rootId) => engine?.noteForeignSession(sessionId, rootId));
  const locals = { charging: localCharging, ledger: localLedger } as const;
  const cluster = ownership === null || clusterKey === '' ? undefined : {
    endpoint: { key: clusterKey, run: (call: ClusterCall) =>
      (locals[call.service] as unknown as Record<string, (input: unknown) => Promise<unknown>>)
        [call.method]!(call.input) },
    setUrl: (url: string) => ownership.setUrl(config.nodeUrl === '' ? url : config.nodeUrl),
  };
  endLiveCalls = async (accountId) => {
    await switches.teardown.endLiveCallsOf(accountId, 'fraud_suspended');
  };
  const routing = createRoutingService({ store: stores.carriers, catalog, decks: stores.decks,
    ledger, charging: chargingDeps, nowMs: () => clock.nowMs() });
  const billing: BillingDeps = { store: stores.billing, ledger, clock,
    options: billingOptionsDefault,
    destinationName: (deckId, prefix) =>
      decks.loadedDeck(deckId)?.rowsByPrefix.get(prefix)?.[0]?.destination ?? null };
  const dids: DidDeps = { store: stores.dids, ledger, clock,
    settings: { firstPeriod: config.didFirstPeriod, quarantineDays: config.didQuarantineDays },
    billingSettings: (ids) => stores.billing.findSettings(ids),
    carrierAccountOf: async (operatorId, carrierId) => {
      const carrier = await stores.carriers.findCarrier(carrierId);
      return carrier?.rootAccountId === operatorId ? carrier.accountId : null;
    },
    newId: () => randomId('dh') };
  const packages: PackageDeps = { store: stores.packages, ledger, charging, clock,
    billingSettings: (ids) => stores.billing.findSettings(ids),
    firstPeriod: config.didFirstPeriod };
  // Assurance reads only: read-only snapshots of the database under the charging store.
  const assurance: AssuranceDeps = { store: stores.charging, ledger,
    findCdrsBySessions: (sessionIds) => stores.billing.findCdrsBySessions(sessionIds) };
  metrics.readFrom({ engineStats: () => engine?.stats() ?? null,
    deckCache: () => ({ decks: decks.cachedCount(), decksMax: config.deckCacheDecksMax,
      bytes: decks.memoryBytesLoaded(), loads: decks.loadsCount() }),
    operations: stores.operations });
  // Auto-refill scans on a timer only with the system clock: a test ticks its own scanner.
  const cardPayments = openCardPayments({ config, store: stores.stripe, ledger, clock,
    timers: options.clock === undefined,
    onError: (error) => process.stderr.write(`tollgate: auto-refill scan: ${String(error)}\n`) });
  const apiKeys = createApiKeys({ store: stores.apiKeys, clock, adminKey: config.adminKey,
    onUsageError: (error) => process.stderr.write(
      `tollgate: writing API key last-used times: ${String(error)}\n`) });
  return {
    target,
    migrationsApplied: stores.migrationsApplied,
    subscriberIdentities: stores.subscriberIdentities,
    clock,
    ledger,
    charging,
    switches,
    routing,
    decks,
    deckStore: stores.decks,
    exchangeRateHistory: stores.exchangeRateHistory,
    apiKeys,
    access: createAccess(ledger),
    audit: createAuditTrail({ store: stores.audit, ledger, clock }),
    billing,
    cardPayments: cardPayments.deps,
    dids,
    packages,
    assurance,
    ...(fraud === null ? {} : { fraud }),
    ...(cluster === undefined ? {} : { cluster }),
    engineStats: () => engine?.stats() ?? null,
    metrics,
    close: async () => {
      await cardPayments.close();
      await fraud?.close();
      await decks.close();
      // Every decision taken is made durable (or reported failed) before the database closes.
      await engine?.idle();
      await apiKeys.flushUsage();
      await stores.close();
    },
  };
}
