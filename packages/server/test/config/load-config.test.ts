import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, configSources } from '../../src/config/config-schema.ts';
import { databaseTarget, describeConfig, loadConfig } from '../../src/config/load-config.ts';

describe('loadConfig', () => {
  it('takes every default from the schema, frozen', () => {
    const config = loadConfig({ env: {} });
    if (!config.ok) throw new Error(config.message);
    expect(config.value).toMatchObject({ httpPort: 8080, httpHost: '127.0.0.1',
      database: 'tollgate.sqlite', adminKey: '', demo: false, sliceSeconds: 60,
      sessionGraceMs: 30_000, bodyBytesMax: 65_536, deckBodyBytesMax: 64 * 1024 * 1024,
      sqliteSynchronous: 'FULL', postgresPoolSize: 10, staleSessionCharge: 'reported' });
    expect(Object.isFrozen(config.value)).toBe(true);
    expect(Object.keys(config.value).sort())
      .toEqual(Object.keys(ConfigSchema.properties).sort());
  });
  it('reads the environment, and flags win over it', () => {
    const config = loadConfig({
      env: { TOLLGATE_PORT: '9000', TOLLGATE_DB: 'postgres://db/x', TOLLGATE_DEMO: 'true',
        TOLLGATE_SLICE_SECONDS: '30', TOLLGATE_SQLITE_SYNCHRONOUS: 'NORMAL',
        TOLLGATE_ADMIN_KEY: 'a-long-enough-admin-key' },
      flags: { port: '9100', demo: undefined },
    });
    if (!config.ok) throw new Error(config.message);
    expect(config.value).toMatchObject({ httpPort: 9100, database: 'postgres://db/x',
      demo: true, sliceSeconds: 30, sqliteSynchronous: 'NORMAL',
      adminKey: 'a-long-enough-admin-key' });
    expect(databaseTarget(config.value)).toEqual({ kind: 'postgres', url: 'postgres://db/x' });
    expect(databaseTarget({ database: 'data/t.sqlite' }))
      .toEqual({ kind: 'sqlite', path: 'data/t.sqlite' });
  });
  it('reports every bad value at once, by variable or flag', () => {
    const config = loadConfig({
      env: { TOLLGATE_SLICE_SECONDS: '0', TOLLGATE_BODY_BYTES_MAX: 'lots',
        TOLLGATE_STALE_SESSION_CHARGE: 'everything', TOLLGATE_ADMIN_KEY: 'short',
        TOLLGATE_PG_SCHEMA: 'Robert"; DROP' },
      flags: { port: '70000', db: ':memory:' },
    });
    expect(config.ok).toBe(false);
    if (config.ok) return;
    const sources = config.problems.map((found) => found.source);
    expect(sources).toEqual(expect.arrayContaining(['TOLLGATE_SLICE_SECONDS',
      'TOLLGATE_BODY_BYTES_MAX', 'TOLLGATE_STALE_SESSION_CHARGE', 'TOLLGATE_ADMIN_KEY',
      'TOLLGATE_PG_SCHEMA', '--port', '--db']));
    expect(config.code).toBe('invalid_config');
  });
  it('describes itself with the admin key redacted', () => {
    const config = loadConfig({ env: { TOLLGATE_ADMIN_KEY: 'a-secret-admin-key-123' } });
    if (!config.ok) throw new Error(config.message);
    const described = describeConfig(config.value);
    expect(JSON.stringify(described)).not.toContain('a-secret-admin-key-123');
    expect(described.find((entry) => entry['key'] === 'adminKey'))
      .toMatchObject({ value: '(set)', env: 'TOLLGATE_ADMIN_KEY' });
    for (const entry of described) expect(entry['description']).toEqual(expect.any(String));
    expect(described).toHaveLength(Object.keys(configSources).length);
  });
  it('is listed key by key in config/README.md', () => {
    const readme = readFileSync(new URL('../../src/config/README.md', import.meta.url), 'utf8');
    for (const [key, source] of Object.entries(configSources)) {
      expect(readme, key).toContain(`| \`${source.env}\` |`);
      expect(readme, key).toContain(`\`${key}\``);
    }
  });
});
