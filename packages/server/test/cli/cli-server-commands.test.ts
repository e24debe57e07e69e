import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `tollgate config` and `tollgate openapi`, run as the real binary (compiled before vitest).
const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const run = promisify(execFile);

describe('tollgate config', () => {
  it('prints the effective configuration, the admin key redacted', async () => {
    const { stdout } = await run(process.execPath, [bin, 'config', '--port', '9999'], {
      env: { ...process.env, TOLLGATE_ADMIN_KEY: 'do-not-print-this-key' } });
    expect(stdout).not.toContain('do-not-print-this-key');
    const printed = JSON.parse(stdout) as { config: Array<Record<string, unknown>> };
    expect(printed.config.find((entry) => entry['key'] === 'httpPort'))
      .toMatchObject({ value: 9999, env: 'TOLLGATE_PORT', flag: '--port', default: 8080 });
  });
  it('exits 2 naming each bad variable', async () => {
    const failed = await run(process.execPath, [bin, 'config'], {
      env: { ...process.env, TOLLGATE_PG_POOL_SIZE: '0' } }).catch((error: unknown) =>
      error as { code: number; stdout: string });
    expect(failed.code).toBe(2);
    expect(failed.stdout).toContain('TOLLGATE_PG_POOL_SIZE');
  });
});

describe('tollgate openapi', () => {
  it('prints the OpenAPI document', async () => {
    const { stdout } = await run(process.execPath, [bin, 'openapi'], { maxBuffer: 1 << 24 });
    const document = JSON.parse(stdout) as { openapi: string; paths: object };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/v1/sessions');
  });
});
