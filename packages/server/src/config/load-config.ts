import { Value } from 'typebox/value';
import {
  adminKeyLengthMin,
  ConfigSchema,
  configSources,
  type Config,
  type ConfigKey,
} from './config-schema.ts';

/** The raw inputs of a configuration: the environment and the command-line flags. */
export interface ConfigInputs {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags?: Readonly<Record<string, string | boolean | undefined>>;
}

export interface ConfigProblem {
  /** The variable or flag at fault, as the operator wrote it. */
  readonly source: string;
  readonly message: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly value: Config }
  | { readonly ok: false; readonly code: 'invalid_config'; readonly message: string;
    readonly problems: readonly ConfigProblem[] };

/** The only read of the process environment in the server (conventions, rule 13). */
export function readProcessEnv(): Readonly<Record<string, string | undefined>> {
  return { ...process.env };
}

const configKeys = Object.keys(configSources) as ConfigKey[];

interface KeySchema {
  readonly type?: string;
  readonly default: unknown;
  readonly description: string;
}

function keySchema(key: ConfigKey): KeySchema {
  return ConfigSchema.properties[key] as unknown as KeySchema;
}

/**
 * Builds the configuration once at start-up: flags win over the environment, which wins over
 * the schema's defaults. Every problem is reported at once, naming the variable or flag, and
 * the result is frozen so nothing can change it later.
 */
export function loadConfig(inputs: ConfigInputs): ConfigResult {
  const candidate: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const key of configKeys) {
    const source = configSources[key];
    const flag = 'flag' in source ? inputs.flags?.[source.flag] : undefined;
    const raw = flag ?? inputs.env[source.env];
    const propertySchema = keySchema(key);
    origin.set(key, flag !== undefined && 'flag' in source ? `--${source.flag}` : source.env);
    candidate[key] = raw === undefined ? propertySchema.default
      : convertRaw(raw, propertySchema.type);
  }
  const problems: ConfigProblem[] = [];
  for (const error of Value.Errors(ConfigSchema, candidate)) {
    const key = error.instancePath.replace(/^\//, '');
    problems.push({ source: origin.get(key) ?? key, message: error.message });
  }
  for (const key of ['adminKey', 'metricsKey'] as const) {
    const secret = candidate[key];
    if (typeof secret === 'string' && secret !== '' && secret.length < adminKeyLengthMin) {
      problems.push({ source: configSources[key].env,
        message: `must be at least ${adminKeyLengthMin} characters` });
    }
  }
  if (candidate['database'] === ':memory:') {
    problems.push({ source: origin.get('database') ?? 'database',
      message: 'needs a file path or a postgres:// URL (SQLite runs in WAL mode)' });
  }
  if (problems.length > 0) {
    const message = problems.map((found) => `${found.source}: ${found.message}`).join('; ');
    return { ok: false, code: 'invalid_config', message, problems };
  }
  return { ok: true, value: Object.freeze(candidate as Config) };
}

/** Text from the environment or a flag, typed by the key's schema; left as text if it fails. */
function convertRaw(raw: string | boolean, type: string | undefined): unknown {
  if (typeof raw === 'boolean') return raw;
  if (type === 'integer') return /^-?\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (type === 'boolean') {
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['', '0', 'false', 'no'].includes(raw)) return false;
  }
  return raw;
}

/** The kind of store `database` names. */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

export function databaseTarget(config: Pick<Config, 'database'>): DatabaseTarget {
  return /^postgres(?:ql)?:\/\//.test(config.database)
    ? { kind: 'postgres', url: config.database }
    : { kind: 'sqlite', path: config.database };
}

/** The configuration as `tollgate config` prints it: secrets redacted, sources named. */
export function describeConfig(config: Config): Array<Record<string, unknown>> {
  return configKeys.map((key) => {
    const source = configSources[key];
    const schema = keySchema(key);
    const value = 'secret' in source && config[key] !== '' ? '(set)' : config[key];
    return { key, env: source.env, ...('flag' in source ? { flag: `--${source.flag}` } : {}),
      value, default: schema.default, description: schema.description };
  });
}
