import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown } from '../../src/config/config-reference.ts';
import { ConfigSchema, configSources } from '../../src/config/config-schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('docs/configuration.md (issue 21)', () => {
  it('is what the schema generates (regenerate: npx tollgate config-reference)', () => {
    const committed = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    expect(committed).toBe(configReferenceMarkdown());
  });

  it('lists every key with its variable, default, unit and meaning', () => {
    const text = configReferenceMarkdown();
    const properties = ConfigSchema.properties as Record<string, { description: string }>;
    for (const [key, source] of Object.entries(configSources)) {
      const row = text.split('\n').find((line) => line.startsWith(`| \`${source.env}\` |`));
      expect(row, key).toBeDefined();
      const cells = row!.split(' | ');
      expect(cells[2]).toBe(`\`${key}\``);
      expect(cells[3]).not.toBe('');
      expect(cells[4]).not.toBe('');
      expect(row).toContain(properties[key]!.description.replace(/\s+/g, ' ').slice(0, 30));
    }
    expect(text).toContain('| `TOLLGATE_SHUTDOWN_TIMEOUT_MS` |  | `shutdownTimeoutMs` | `10000` | ' +
      'milliseconds | 100 to 600000 |');
  });
});
