import type {
  AssuranceDeps,
  BillingDeps,
  ChargingService,
  Clock,
  DidDeps,
  LedgerService,
  PackageDeps,
} from '@tollgate/core';
import type { Access } from '../auth/access.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { ClusterEndpoint } from '../cluster/cluster-routes.ts';
import type { ApiKeys } from '../auth/api-keys.ts';
import type { DeckCatalog } from '../decks/deck-catalog.ts';
import type { DeckStore } from '../decks/deck-store.ts';
import type { Config } from '../config/config-schema.ts';
import type { SubscriberIdentityStore } from '../diameter/subscriber-identity-store.ts';
import type { FraudServices } from '../fraud/fraud-services.ts';
import type { RoutingService } from '../routing/routing-service.ts';
import type { TollgateMetrics } from '../metrics/metrics.ts';
import type {
  ExchangeRateHistoryQuery,
  ExchangeRateRecord,
} from '../storage/shared/exchange-rate-history-sql.ts';
import type { CardPaymentDeps } from '../stripe/card-payments.ts';
import type { SwitchServices } from '../switches/teardown/switch-services.ts';

/** What the routes use: use cases and ports only, never a database handle. */
export interface AppServices {
  readonly clock: Clock;
  readonly ledger: LedgerService;
  readonly charging: ChargingService;
  /** Switch integrations: where calls live, and the kill use case (switches/). */
  readonly switches: SwitchServices;
  /** Carriers, route plans and route listing (least-cost routing). */
  readonly routing: RoutingService;
  readonly decks: DeckCatalog;
  readonly deckStore: DeckStore;
  readonly apiKeys: ApiKeys;
  readonly access: Access;
  /** Who changed what (audit/): the mutating routes record, `GET /v1/audit` lists. */
  readonly audit: AuditTrail;
  /** The Diameter identity table (diameter/); absent in tests that do not need it. */
  readonly subscriberIdentities?: SubscriberIdentityStore;
  /** Fraud control (fraud/); absent when `fraudEnabled` is off. */
  readonly fraud?: FraudServices;
  /** Invoices, payments, tax profiles and billing settings (billing/); absent: 503. */
  readonly billing?: BillingDeps;
  /** Numbers (DIDs): inventory, holds, fees, inbound lookup (dids/); absent: 503. */
  readonly dids?: DidDeps;
  /** Packages: monthly fee plus included seconds (packages/); absent: 503. */
  readonly packages?: PackageDeps;
  /** Reconciliation, margin reports and re-rating (assurance/); absent: 503. */
  readonly assurance?: AssuranceDeps;
  /** Every exchange rate set, with when the next took over (read-only; set by the ledger). */
  readonly exchangeRateHistory: (query: ExchangeRateHistoryQuery) =>
    Promise<ExchangeRateRecord[]>;
  /** Prometheus metrics (metrics/); absent in tests that do not need them. */
  readonly metrics?: TollgateMetrics;
  /** Stripe keys, cards, card top-ups and auto-refill (stripe/); absent: 503. */
  readonly cardPayments?: CardPaymentDeps;
  /** Several nodes on one PostgreSQL: where forwarded calls are run (cluster/). */
  readonly cluster?: { readonly endpoint: ClusterEndpoint };
}

/** The settings the HTTP layer reads. */
export type HttpConfig = Pick<Config, 'bodyBytesMax' | 'deckBodyBytesMax' | 'requestTimeoutMs' |
  'logLevel' | 'rateLimitPerKeyPerMinute' | 'rateLimitChargingPerKeyPerSecond' |
  'rateLimitUnauthenticatedPerIpPerMinute' | 'deckTenantBodyBytesMax' | 'deckTenantRowsMax' |
  'deckTreeDecksMax' | 'metricsKey'>;

/** Bounds of the HTTP layer. */
export const httpLimits = {
  pageSizeDefault: 100,
  /** Also in the query schemas (`limit` maximum). */
  pageSizeMax: 1_000,
  /** Longest URL path parameter (a session id is at most 200 characters). */
  paramLengthMax: 500,
} as const;
