import { Type, type Static } from 'typebox';

const kibibyte = 1024;
const mebibyte = 1024 * kibibyte;

/**
 * Every setting of a Tollgate process (conventions, rule 13): name with its unit, type, default
 * and description. The schema is the single definition: `loadConfig` validates against it,
 * `tollgate config` prints it, and config/README.md lists it.
 */
export const ConfigSchema = Type.Object({
  httpHost: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1',
    description: 'Interface the HTTP API listens on (0.0.0.0: every interface).' }),
  httpPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080,
    description: 'TCP port of the HTTP API; 0 picks a free port.' }),
  database: Type.String({ minLength: 1, maxLength: 4096, default: 'tollgate.sqlite',
    description: 'A SQLite file path (created and migrated on first start) or a ' +
      'postgres:// URL.' }),
  adminKey: Type.String({ maxLength: 512, default: '',
    description: 'The operator key: acts on every account tree. Empty: no operator key. ' +
      'At least 16 characters when set. Never printed.' }),
  metricsKey: Type.String({ maxLength: 512, default: '',
    description: 'The key Prometheus sends to read GET /metrics (it opens nothing else); ' +
      'empty: only the operator key reads the metrics. At least 16 characters when set. ' +
      'Never printed.' }),
  demo: Type.Boolean({ default: false,
    description: 'Seed a small demo hierarchy, deck and keys at start (idempotent).' }),
  sliceSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60,
    description: 'The longest grant of a live call, in seconds.' }),
  callDurationSecondsMax: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 4 * 3600,
    description: 'The longest a call may last in total, in seconds.' }),
  sessionGraceMs: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 30_000,
    description: 'How long past its grant a silent session lives before the sweeper closes ' +
      'it; also how long after start-up the sweeper waits.' }),
  staleSessionCharge: Type.Union([Type.Literal('reported'), Type.Literal('granted')], {
    default: 'reported',
    description: 'What a timed-out session pays for: the seconds it reported or all it was ' +
      'granted.' }),
  didFirstPeriod: Type.Union([Type.Literal('prorated'), Type.Literal('full')], {
    default: 'prorated',
    description: 'The first period\'s monthly fee of a number (DID): prorated by the local ' +
      'days left in the period (the day of the assignment counts, rounded down), or full. ' +
      'An assignment may state its own.' }),
  didQuarantineDays: Type.Integer({ minimum: 0, maximum: 3_650, default: 30,
    description: 'Days a number released by the operator\'s customer rests before it can ' +
      'be assigned again (0: at once).' }),
  reconcileIntervalMs: Type.Integer({ minimum: 0, maximum: 7 * 86_400_000, default: 3_600_000,
    description: 'How often each operator\'s last window is reconciled (rated CDRs vs the ' +
      'ledger, carrier accruals, holds); differences are logged at error level and counted ' +
      'on /metrics. 0: never.' }),
  sweepIntervalMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000,
    description: 'How often the sweeper looks for stale sessions.' }),
  sweepBatchMax: Type.Integer({ minimum: 1, maximum: 10_000, default: 500,
    description: 'Sessions the sweeper closes per batch.' }),
  routingRefreshMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000,
    description: 'How old the carriers and route plans a node routes with may be.' }),
  qualityWindowMs: Type.Integer({ minimum: 60_000, maximum: 86_400_000, default: 900_000,
    description: 'Sliding window of carrier quality (ASR, ACD).' }),
  qualityAttemptsMin: Type.Integer({ minimum: 1, maximum: 100_000, default: 10,
    description: 'Attempts in the window before a carrier\'s ASR is judged.' }),
  qualityAsrMinBp: Type.Integer({ minimum: 0, maximum: 10_000, default: 2_000,
    description: 'ASR (basis points) under which a carrier is taken out for a prefix.' }),
  qualityCoolDownMs: Type.Integer({ minimum: 1_000, maximum: 86_400_000, default: 300_000,
    description: 'How long a carrier taken out for poor ASR stays out.' }),
  bodyBytesMax: Type.Integer({ minimum: kibibyte, maximum: 16 * mebibyte, default: 64 * kibibyte,
    description: 'Largest JSON request body, in bytes.' }),
  rateLimitPerKeyPerMinute: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 3_000,
    description: 'Requests per API key per minute on every route but the charging ones ' +
      '(administration, reports); past it 429 rate_limited. Counted per node. 0: no limit.' }),
  rateLimitChargingPerKeyPerSecond: Type.Integer({ minimum: 0, maximum: 10_000_000,
    default: 5_000,
    description: 'Charging requests (sessions, events, Kamailio, routes) per API key per ' +
      'second: the rate a switch may send at; set it at or above the busiest switch. ' +
      'Counted per node. 0: no limit.' }),
  rateLimitUnauthenticatedPerIpPerMinute: Type.Integer({ minimum: 0, maximum: 10_000_000,
    default: 30,
    description: 'Failed authentications (no key, a wrong, revoked or expired key) per ' +
      'client address per minute; past it 429, and the operator key is refused from that ' +
      'address until the minute is over. Counted per node. 0: no limit.' }),
  deckBodyBytesMax: Type.Integer({ minimum: kibibyte, maximum: 512 * mebibyte,
    default: 64 * mebibyte, description: 'Largest rate-deck or time-band CSV upload, in bytes.' }),
  deckCacheDecksMax: Type.Integer({ minimum: 1, maximum: 1_000, default: 32,
    description: 'Parsed rate decks kept in memory (least recently used are dropped).' }),
  deckTenantBodyBytesMax: Type.Integer({ minimum: kibibyte, maximum: 512 * mebibyte,
    default: 48 * mebibyte, description: 'Largest rate-deck or time-band CSV upload by a ' +
      'tenant\'s key, in bytes (the operator key: deckBodyBytesMax).' }),
  deckTenantRowsMax: Type.Integer({ minimum: 1, maximum: 2_000_000, default: 1_000_000,
    description: 'Most rows of a rate deck uploaded by a tenant\'s key (the operator key: ' +
      '2,000,000, the parser\'s bound).' }),
  deckTreeDecksMax: Type.Integer({ minimum: 1, maximum: 100_000, default: 100,
    description: 'Rate decks one account tree (a root and everything below it) may hold; ' +
      'the operator key may upload beyond it.' }),
  deckImportsQueuedMax: Type.Integer({ minimum: 0, maximum: 100, default: 2,
    description: 'Deck uploads that may wait while another is parsed on the deck thread; ' +
      'more are refused (503 deck_import_busy).' }),
  requestTimeoutMs: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 120_000,
    description: 'Longest time to receive a whole request (slow clients are cut off).' }),
  shutdownTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000,
    description: 'How long a shutdown waits for in-flight requests before closing anyway.' }),
  chargingEngine: Type.Union([Type.Literal('memory'), Type.Literal('sql')], {
    default: 'memory',
    description: 'memory: one in-memory owner decides every charging and ledger write and ' +
      'commits them in batches (the engine); sql: one SQL transaction per request (the ' +
      'earlier design, kept for comparison).' }),
  sqliteWriterThread: Type.Boolean({ default: true,
    description: 'SQLite with the engine: write its batches on a worker thread, so that ' +
      'neither the statements nor the fsync of a commit block the event loop, which decides ' +
      'every request (it takes a quarter to a third of the event loop\'s CPU per request off ' +
      'it). false: the event loop writes them itself.' }),
  engineBatchDecisionsMax: Type.Integer({ minimum: 1, maximum: 100_000, default: 2_000,
    description: 'Charging decisions the engine commits together at most.' }),
  nodeId: Type.String({ pattern: '^[A-Za-z0-9._-]{0,64}$', default: '',
    description: 'This node\'s name among the nodes of one PostgreSQL database; empty: a ' +
      'random one per start.' }),
  nodeUrl: Type.String({ maxLength: 512, default: '',
    description: 'The URL other nodes forward requests to; empty: the address HTTP listens on.' }),
  clusterKey: Type.String({ maxLength: 512, default: '',
    description: 'Shared secret of the nodes of one database, sent with forwarded requests; ' +
      'empty: the admin key. Never printed.' }),
  clusterShards: Type.Integer({ minimum: 1, maximum: 4_096, default: 64,
    description: 'Shards the account trees are hashed into (PostgreSQL); the same on every ' +
      'node.' }),
  clusterLeaseMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 3_000,
    description: 'A node silent this long is dead and its shards are taken over (PostgreSQL).' }),
  clusterTickMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 500,
    description: 'How often a node beats and rebalances shards (PostgreSQL).' }),
  sqliteSynchronous: Type.Union([Type.Literal('OFF'), Type.Literal('NORMAL'),
    Type.Literal('FULL'), Type.Literal('EXTRA')], { default: 'FULL',
    description: 'SQLite synchronous pragma: FULL makes every commit durable.' }),
  sqliteBusyTimeoutMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000,
    description: 'How long a SQLite writer waits for another process\'s lock.' }),
  postgresPoolSize: Type.Integer({ minimum: 1, maximum: 1_000, default: 10,
    description: 'PostgreSQL connections in the pool.' }),
  postgresStatementTimeoutMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 10_000,
    description: 'PostgreSQL statement_timeout.' }),
  postgresSchema: Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', default: 'public',
    description: 'PostgreSQL schema holding the tables (search_path).' }),
  radiusHost: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1',
    description: 'Interface the RADIUS server listens on.' }),
  radiusAuthPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 0,
    description: 'UDP port for Access-Request (1812 usually); 0: RADIUS off.' }),
  radiusAcctPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 0,
    description: 'UDP port for Accounting-Request (1813 usually); 0: the auth port + 1.' }),
  radiusClients: Type.String({ maxLength: 65_536, default: '',
    description: 'RADIUS clients: address=secret pairs separated by ";". Never printed.' }),
  radiusDisconnectPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 3799,
    description: 'The NAS port Disconnect-Requests (RFC 5176) are sent to.' }),
  radiusInterimSeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 0,
    description: 'Acct-Interim-Interval sent in Access-Accept (long calls); 0: half the slice.' }),
  radiusRequireMessageAuthenticator: Type.Boolean({ default: true,
    description: 'Drop Access-Requests without a Message-Authenticator.' }),
  eslHost: Type.String({ maxLength: 255, default: '',
    description: 'FreeSWITCH event socket host (inbound mode); empty: no ESL agent.' }),
  eslPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 8021,
    description: 'FreeSWITCH event socket port.' }),
  eslPassword: Type.String({ maxLength: 255, default: 'ClueCon',
    description: 'FreeSWITCH event socket password. Never printed.' }),
  kamailioRpcUrl: Type.String({ maxLength: 2048, default: '',
    description: 'Kamailio JSON-RPC URL (jsonrpcs over xhttp) used to end dialogs; empty: ' +
      'Kamailio calls are not killed actively.' }),
  diameterHost: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1',
    description: 'Interface the Diameter credit-control server listens on.' }),
  diameterPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 0,
    description: 'TCP port of the Diameter Ro/Gy server (3868 usually); 0: Diameter off.' }),
  diameterOriginHost: Type.String({ minLength: 1, maxLength: 255, default: 'localhost',
    description: 'Origin-Host of Tollgate\'s Diameter answers (peers must resolve it).' }),
  diameterOriginRealm: Type.String({ minLength: 1, maxLength: 255, default: 'localdomain',
    description: 'Origin-Realm of Tollgate\'s Diameter answers.' }),
  diameterPeers: Type.String({ maxLength: 65_536, default: '',
    description: 'Origin-Hosts allowed to connect, separated by ","; empty: any peer.' }),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'),
    Type.Literal('info'), Type.Literal('debug'), Type.Literal('silent')], { default: 'info',
    description: 'Level of the JSON logs on stdout.' }),
  fraudEnabled: Type.Boolean({ default: true,
    description: 'Fraud control on every authorize and update (issue 8).' }),
  fraudTickIntervalMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1_000,
    description: 'How often fraud cool-downs, credit-limit alerts and alert deliveries run.' }),
  fraudSnapshotIntervalMs: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 60_000,
    description: 'How often changed fraud profiles are written (restart state).' }),
  fraudWebhookUrl: Type.String({ maxLength: 2048, default: '',
    description: 'Where fraud alerts are POSTed, signed; empty: no webhook.' }),
  fraudWebhookSecret: Type.String({ maxLength: 512, default: '',
    description: 'HMAC-SHA256 key of the webhook signature. Never printed.' }),
  fraudWebhookAttemptsMax: Type.Integer({ minimum: 1, maximum: 100, default: 10,
    description: 'Delivery attempts of one alert to the webhook (and NATS) before it fails.' }),
  fraudWebhookBackoffMs: Type.Integer({ minimum: 10, maximum: 600_000, default: 1_000,
    description: 'Wait before the first retry; it doubles per attempt.' }),
  fraudWebhookBackoffMsMax: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 300_000,
    description: 'Longest wait between two delivery attempts.' }),
  fraudWebhookTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 5_000,
    description: 'How long one webhook or NATS delivery may take.' }),
  natsUrl: Type.String({ maxLength: 2048, default: '',
    description: 'NATS server for fraud alerts (nats://host:4222); empty: no NATS.' }),
  natsSubjectPrefix: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', default: 'tollgate',
    description: 'Alerts go to <prefix>.<root account>.fraud.alerts.' }),
  secretsKey: Type.String({ maxLength: 512, default: '',
    description: 'Seals stored secrets (each operator\'s Stripe keys); empty: the admin key. ' +
      'Changing it makes the stored ones unreadable (save them again). Never printed.' }),
  stripeApiHost: Type.String({ minLength: 1, maxLength: 255, default: 'api.stripe.com',
    description: 'Where the Stripe SDK sends requests (a local stand-in in tests).' }),
  stripeApiPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 443,
    description: 'Port of the Stripe API.' }),
  stripeApiProtocol: Type.Union([Type.Literal('https'), Type.Literal('http')], {
    default: 'https', description: 'Protocol of the Stripe API (http only for a local ' +
      'stand-in).' }),
  stripeTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000,
    description: 'How long one Stripe request may take.' }),
  paymentWebhookUrl: Type.String({ maxLength: 2048, default: '',
    description: 'Where payment notices (refill declined, SCA, switched off) are POSTed, ' +
      'signed like fraud alerts (same attempts and backoff); empty: listed only.' }),
  paymentWebhookSecret: Type.String({ maxLength: 512, default: '',
    description: 'HMAC-SHA256 key of the payment webhook signature. Never printed.' }),
  refillScanIntervalMs: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 30_000,
    description: 'How often armed auto-refills are checked against the funds; 0: never.' }),
  refillFailuresMax: Type.Integer({ minimum: 1, maximum: 100, default: 3,
    description: 'Consecutive failed refills (declines, SCA) that switch auto-refill off.' }),
  refillBackoffMs: Type.Integer({ minimum: 1_000, maximum: 86_400_000, default: 60_000,
    description: 'Wait before retrying a declined refill; it doubles per failure.' }),
  refillBackoffMsMax: Type.Integer({ minimum: 1_000, maximum: 604_800_000,
    default: 3_600_000, description: 'Longest wait between two refill attempts.' }),
}, { additionalProperties: false });

export type Config = Readonly<Static<typeof ConfigSchema>>;
export type ConfigKey = keyof Config;

export interface ConfigSource {
  /** The environment variable, always set. */
  readonly env: string;
  /** The `tollgate serve` flag, for the few keys one changes per run. */
  readonly flag?: string;
  /** Redacted when printed. */
  readonly secret?: true;
}

/** Where each key comes from. Flags win over the environment, which wins over defaults. */
export const configSources = {
  httpHost: { env: 'TOLLGATE_HOST', flag: 'host' },
  httpPort: { env: 'TOLLGATE_PORT', flag: 'port' },
  database: { env: 'TOLLGATE_DB', flag: 'db' },
  adminKey: { env: 'TOLLGATE_ADMIN_KEY', secret: true },
  metricsKey: { env: 'TOLLGATE_METRICS_KEY', secret: true },
  demo: { env: 'TOLLGATE_DEMO', flag: 'demo' },
  sliceSeconds: { env: 'TOLLGATE_SLICE_SECONDS' },
  callDurationSecondsMax: { env: 'TOLLGATE_CALL_DURATION_SECONDS_MAX' },
  sessionGraceMs: { env: 'TOLLGATE_SESSION_GRACE_MS' },
  staleSessionCharge: { env: 'TOLLGATE_STALE_SESSION_CHARGE' },
  didFirstPeriod: { env: 'TOLLGATE_DID_FIRST_PERIOD' },
  didQuarantineDays: { env: 'TOLLGATE_DID_QUARANTINE_DAYS' },
  sweepIntervalMs: { env: 'TOLLGATE_SWEEP_INTERVAL_MS' },
  reconcileIntervalMs: { env: 'TOLLGATE_RECONCILE_INTERVAL_MS' },
  sweepBatchMax: { env: 'TOLLGATE_SWEEP_BATCH_MAX' },
  routingRefreshMs: { env: 'TOLLGATE_ROUTING_REFRESH_MS' },
  qualityWindowMs: { env: 'TOLLGATE_QUALITY_WINDOW_MS' },
  qualityAttemptsMin: { env: 'TOLLGATE_QUALITY_ATTEMPTS_MIN' },
  qualityAsrMinBp: { env: 'TOLLGATE_QUALITY_ASR_MIN_BP' },
  qualityCoolDownMs: { env: 'TOLLGATE_QUALITY_COOL_DOWN_MS' },
  bodyBytesMax: { env: 'TOLLGATE_BODY_BYTES_MAX' },
  rateLimitPerKeyPerMinute: { env: 'TOLLGATE_RATE_LIMIT_PER_KEY_PER_MINUTE' },
  rateLimitChargingPerKeyPerSecond: { env: 'TOLLGATE_RATE_LIMIT_CHARGING_PER_KEY_PER_SECOND' },
  rateLimitUnauthenticatedPerIpPerMinute: {
    env: 'TOLLGATE_RATE_LIMIT_UNAUTHENTICATED_PER_IP_PER_MINUTE' },
  deckBodyBytesMax: { env: 'TOLLGATE_DECK_BODY_BYTES_MAX' },
  deckCacheDecksMax: { env: 'TOLLGATE_DECK_CACHE_DECKS_MAX' },
  deckTenantBodyBytesMax: { env: 'TOLLGATE_DECK_TENANT_BODY_BYTES_MAX' },
  deckTenantRowsMax: { env: 'TOLLGATE_DECK_TENANT_ROWS_MAX' },
  deckTreeDecksMax: { env: 'TOLLGATE_DECK_TREE_DECKS_MAX' },
  deckImportsQueuedMax: { env: 'TOLLGATE_DECK_IMPORTS_QUEUED_MAX' },
  requestTimeoutMs: { env: 'TOLLGATE_REQUEST_TIMEOUT_MS' },
  shutdownTimeoutMs: { env: 'TOLLGATE_SHUTDOWN_TIMEOUT_MS' },
  chargingEngine: { env: 'TOLLGATE_CHARGING_ENGINE' },
  engineBatchDecisionsMax: { env: 'TOLLGATE_ENGINE_BATCH_DECISIONS_MAX' },
  sqliteWriterThread: { env: 'TOLLGATE_SQLITE_WRITER_THREAD' },
  nodeId: { env: 'TOLLGATE_NODE_ID' },
  nodeUrl: { env: 'TOLLGATE_NODE_URL' },
  clusterKey: { env: 'TOLLGATE_CLUSTER_KEY', secret: true },
  clusterShards: { env: 'TOLLGATE_CLUSTER_SHARDS' },
  clusterLeaseMs: { env: 'TOLLGATE_CLUSTER_LEASE_MS' },
  clusterTickMs: { env: 'TOLLGATE_CLUSTER_TICK_MS' },
  sqliteSynchronous: { env: 'TOLLGATE_SQLITE_SYNCHRONOUS' },
  sqliteBusyTimeoutMs: { env: 'TOLLGATE_SQLITE_BUSY_TIMEOUT_MS' },
  postgresPoolSize: { env: 'TOLLGATE_PG_POOL_SIZE' },
  postgresStatementTimeoutMs: { env: 'TOLLGATE_PG_STATEMENT_TIMEOUT_MS' },
  postgresSchema: { env: 'TOLLGATE_PG_SCHEMA' },
  radiusHost: { env: 'TOLLGATE_RADIUS_HOST' },
  radiusAuthPort: { env: 'TOLLGATE_RADIUS_PORT' },
  radiusAcctPort: { env: 'TOLLGATE_RADIUS_ACCT_PORT' },
  radiusClients: { env: 'TOLLGATE_RADIUS_CLIENTS', secret: true },
  radiusDisconnectPort: { env: 'TOLLGATE_RADIUS_DISCONNECT_PORT' },
  radiusInterimSeconds: { env: 'TOLLGATE_RADIUS_INTERIM_SECONDS' },
  radiusRequireMessageAuthenticator: { env: 'TOLLGATE_RADIUS_REQUIRE_MESSAGE_AUTHENTICATOR' },
  eslHost: { env: 'TOLLGATE_ESL_HOST' },
  eslPort: { env: 'TOLLGATE_ESL_PORT' },
  eslPassword: { env: 'TOLLGATE_ESL_PASSWORD', secret: true },
  kamailioRpcUrl: { env: 'TOLLGATE_KAMAILIO_RPC_URL' },
  diameterHost: { env: 'TOLLGATE_DIAMETER_HOST' },
  diameterPort: { env: 'TOLLGATE_DIAMETER_PORT', flag: 'diameter-port' },
  diameterOriginHost: { env: 'TOLLGATE_DIAMETER_ORIGIN_HOST' },
  diameterOriginRealm: { env: 'TOLLGATE_DIAMETER_ORIGIN_REALM' },
  diameterPeers: { env: 'TOLLGATE_DIAMETER_PEERS' },
  logLevel: { env: 'TOLLGATE_LOG_LEVEL' },
  fraudEnabled: { env: 'TOLLGATE_FRAUD_ENABLED' },
  fraudTickIntervalMs: { env: 'TOLLGATE_FRAUD_TICK_INTERVAL_MS' },
  fraudSnapshotIntervalMs: { env: 'TOLLGATE_FRAUD_SNAPSHOT_INTERVAL_MS' },
  fraudWebhookUrl: { env: 'TOLLGATE_FRAUD_WEBHOOK_URL' },
  fraudWebhookSecret: { env: 'TOLLGATE_FRAUD_WEBHOOK_SECRET', secret: true },
  fraudWebhookAttemptsMax: { env: 'TOLLGATE_FRAUD_WEBHOOK_ATTEMPTS_MAX' },
  fraudWebhookBackoffMs: { env: 'TOLLGATE_FRAUD_WEBHOOK_BACKOFF_MS' },
  fraudWebhookBackoffMsMax: { env: 'TOLLGATE_FRAUD_WEBHOOK_BACKOFF_MS_MAX' },
  fraudWebhookTimeoutMs: { env: 'TOLLGATE_FRAUD_WEBHOOK_TIMEOUT_MS' },
  natsUrl: { env: 'TOLLGATE_NATS_URL' },
  natsSubjectPrefix: { env: 'TOLLGATE_NATS_SUBJECT_PREFIX' },
  secretsKey: { env: 'TOLLGATE_SECRETS_KEY', secret: true },
  stripeApiHost: { env: 'TOLLGATE_STRIPE_API_HOST' },
  stripeApiPort: { env: 'TOLLGATE_STRIPE_API_PORT' },
  stripeApiProtocol: { env: 'TOLLGATE_STRIPE_API_PROTOCOL' },
  stripeTimeoutMs: { env: 'TOLLGATE_STRIPE_TIMEOUT_MS' },
  paymentWebhookUrl: { env: 'TOLLGATE_PAYMENT_WEBHOOK_URL' },
  paymentWebhookSecret: { env: 'TOLLGATE_PAYMENT_WEBHOOK_SECRET', secret: true },
  refillScanIntervalMs: { env: 'TOLLGATE_REFILL_SCAN_INTERVAL_MS' },
  refillFailuresMax: { env: 'TOLLGATE_REFILL_FAILURES_MAX' },
  refillBackoffMs: { env: 'TOLLGATE_REFILL_BACKOFF_MS' },
  refillBackoffMsMax: { env: 'TOLLGATE_REFILL_BACKOFF_MS_MAX' },
} as const satisfies Record<ConfigKey, ConfigSource>;

/** The admin key is a shared secret: shorter ones are guessable. */
export const adminKeyLengthMin = 16;
