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
  sweepIntervalMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000,
    description: 'How often the sweeper looks for stale sessions.' }),
  sweepBatchMax: Type.Integer({ minimum: 1, maximum: 10_000, default: 500,
    description: 'Sessions the sweeper closes per batch.' }),
  bodyBytesMax: Type.Integer({ minimum: kibibyte, maximum: 16 * mebibyte, default: 64 * kibibyte,
    description: 'Largest JSON request body, in bytes.' }),
  deckBodyBytesMax: Type.Integer({ minimum: kibibyte, maximum: 512 * mebibyte,
    default: 64 * mebibyte, description: 'Largest rate-deck or time-band CSV upload, in bytes.' }),
  deckCacheDecksMax: Type.Integer({ minimum: 1, maximum: 1_000, default: 32,
    description: 'Parsed rate decks kept in memory (least recently used are dropped).' }),
  requestTimeoutMs: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 120_000,
    description: 'Longest time to receive a whole request (slow clients are cut off).' }),
  shutdownTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000,
    description: 'How long a shutdown waits for in-flight requests before closing anyway.' }),
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
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'),
    Type.Literal('info'), Type.Literal('debug'), Type.Literal('silent')], { default: 'info',
    description: 'Level of the JSON logs on stdout.' }),
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
  demo: { env: 'TOLLGATE_DEMO', flag: 'demo' },
  sliceSeconds: { env: 'TOLLGATE_SLICE_SECONDS' },
  callDurationSecondsMax: { env: 'TOLLGATE_CALL_DURATION_SECONDS_MAX' },
  sessionGraceMs: { env: 'TOLLGATE_SESSION_GRACE_MS' },
  staleSessionCharge: { env: 'TOLLGATE_STALE_SESSION_CHARGE' },
  sweepIntervalMs: { env: 'TOLLGATE_SWEEP_INTERVAL_MS' },
  sweepBatchMax: { env: 'TOLLGATE_SWEEP_BATCH_MAX' },
  bodyBytesMax: { env: 'TOLLGATE_BODY_BYTES_MAX' },
  deckBodyBytesMax: { env: 'TOLLGATE_DECK_BODY_BYTES_MAX' },
  deckCacheDecksMax: { env: 'TOLLGATE_DECK_CACHE_DECKS_MAX' },
  requestTimeoutMs: { env: 'TOLLGATE_REQUEST_TIMEOUT_MS' },
  shutdownTimeoutMs: { env: 'TOLLGATE_SHUTDOWN_TIMEOUT_MS' },
  sqliteSynchronous: { env: 'TOLLGATE_SQLITE_SYNCHRONOUS' },
  sqliteBusyTimeoutMs: { env: 'TOLLGATE_SQLITE_BUSY_TIMEOUT_MS' },
  postgresPoolSize: { env: 'TOLLGATE_PG_POOL_SIZE' },
  postgresStatementTimeoutMs: { env: 'TOLLGATE_PG_STATEMENT_TIMEOUT_MS' },
  postgresSchema: { env: 'TOLLGATE_PG_SCHEMA' },
  logLevel: { env: 'TOLLGATE_LOG_LEVEL' },
} as const satisfies Record<ConfigKey, ConfigSource>;

/** The admin key is a shared secret: shorter ones are guessable. */
export const adminKeyLengthMin = 16;
