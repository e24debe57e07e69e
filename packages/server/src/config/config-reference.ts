import { ConfigSchema, configSources, type ConfigKey } from './config-schema.ts';

interface PropertySchema {
  readonly type?: string;
  readonly default: unknown;
  readonly description: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly anyOf?: ReadonlyArray<{ readonly const?: unknown }>;
}

/** The unit a key's name ends with (conventions, rule 2: the unit is in the name). */
const unitSuffixes: ReadonlyArray<readonly [RegExp, string]> = [
  [/Ms(Max|Min)?$/, 'milliseconds'],
  [/Seconds(Max|Min)?$/, 'seconds'],
  [/Bytes(Max|Min)?$/, 'bytes'],
  [/Bp$/, 'basis points (1/100 of a percent)'],
  [/PerMinute$/, 'requests per minute'],
  [/PerSecond$/, 'requests per second'],
  [/Port$/, 'TCP/UDP port'],
];

function unitOf(key: ConfigKey, schema: PropertySchema): string {
  for (const [pattern, unit] of unitSuffixes) if (pattern.test(key)) return unit;
  if (schema.anyOf !== undefined) return 'one of the values';
  if (schema.type === 'integer') return 'count';
  return schema.type === 'boolean' ? 'true / false' : 'text';
}

function rangeOf(schema: PropertySchema): string {
  if (schema.anyOf !== undefined) {
    return schema.anyOf.map((choice) => `\`${String(choice.const)}\``).join(', ');
  }
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    return `${schema.minimum} to ${schema.maximum}`;
  }
  return '';
}

function shown(value: unknown, secret: boolean): string {
  if (value === '') return secret ? 'empty (secret)' : 'empty';
  return `\`${String(value)}\``;
}

/** A table cell: no line breaks, no column separators. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

/**
 * `docs/configuration.md`, generated from the configuration schema: every key with its
 * environment variable, flag, default, unit, allowed values and meaning. A test compares the
 * committed file with this text; regenerate with `npx tollgate config-reference >
 * /tmp/configuration.md` and copy it to `docs/configuration.md`.
 */
export function configReferenceMarkdown(): string {
  const properties = ConfigSchema.properties as unknown as Record<ConfigKey, PropertySchema>;
  const rows = (Object.keys(configSources) as ConfigKey[]).map((key) => {
    const source = configSources[key];
    const schema = properties[key];
    const flag = 'flag' in source ? `\`--${source.flag}\`` : '';
    const secret = 'secret' in source;
    return `| \`${source.env}\` | ${flag} | \`${key}\` | ${shown(schema.default, secret)} | ` +
      `${cell(unitOf(key, schema))} | ${cell(rangeOf(schema))} | ${cell(schema.description)} |`;
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from packages/server/src/config/config-schema.ts by',
    '     `npx tollgate config-reference`; a test fails when this file is stale. -->',
    '',
    'Every setting of `tollgate serve`, read once at start from the environment (and, for a',
    'few, from a flag of `serve`; a flag wins over the variable, which wins over the default).',
    'A bad value stops the start with a message naming the variable; `npx tollgate config`',
    'prints the effective values with secrets redacted. The unit is in the name of each key.',
    '',
    '| variable | flag | key | default | unit | allowed | meaning |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
