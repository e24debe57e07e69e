import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { apiCodes, httpStatusOf } from '../../src/http/error-mapping.ts';
import { openApiDocumentText } from '../../src/http/openapi-document.ts';
import { routeClassOf } from '../../src/http/route-classes.ts';

const committedPath = fileURLToPath(new URL('../../openapi.json', import.meta.url));

describe('openapi.json', () => {
  it('is committed exactly as the routes generate it', async () => {
    const config = loadConfig({ env: {} });
    if (!config.ok) throw new Error(config.message);
    const generated = await openApiDocumentText(config.value);
    const committed = readFileSync(committedPath, 'utf8');
    // Regenerate with: npm run build && node packages/server/bin/tollgate.js openapi >
    // packages/server/openapi.json
    expect(committed, 'packages/server/openapi.json is stale').toBe(generated);
  });
  it('describes every /v1 route with a bearer key and the problem answers', () => {
    const document = JSON.parse(readFileSync(committedPath, 'utf8')) as {
      paths: Record<string, Record<string, { security: unknown[]; responses: object }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const { path, method, operation } of operations.filter((entry) =>
      entry.path.startsWith('/v1'))) {
      // A `signed` route (Stripe's webhook) takes no key: its signature authenticates it.
      const signed = routeClassOf(method, path.replace(/\{([a-z_]+)\}/g, ':$1')) === 'signed';
      expect(operation.security, path).toEqual(signed ? [] : [{ bearer: [] }]);
      expect(Object.keys(operation.responses), path).toContain('4XX');
    }
  });
});

describe('error mapping', () => {
  it('gives every code a 4xx or 5xx status', () => {
    expect(apiCodes.length).toBeGreaterThan(100);
    for (const code of apiCodes) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    }
  });
});
