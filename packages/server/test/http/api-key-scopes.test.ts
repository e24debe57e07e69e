import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyScopes, scopeCovers, type ApiKeyScope } from '../../src/auth/api-key-scope.ts';
import { checkNewKey, type Principal } from '../../src/auth/api-keys.ts';
import {
  routeClassOf,
  routeClassTable,
  unclassifiedMethod,
} from '../../src/http/route-classes.ts';
import { openTestApi, seedWorld, testStartMs, type ApiRequest, type TestApi, type World } from
  './http-fixture.ts';

const openApiPath = fileURLToPath(new URL('../../openapi.json', import.meta.url));
const hourMs = 3_600_000;

/** Every authenticated operation of the committed OpenAPI document, as `METHOD /fastify/url`. */
function documentedOperations(): string[] {
  const document = JSON.parse(readFileSync(openApiPath, 'utf8')) as {
    paths: Record<string, Record<string, { security: unknown[] }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).filter(([, operation]) => operation.security.length > 0)
      .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`));
}

describe('the route class table', () => {
  it('classifies every authenticated operation of openapi.json', () => {
    const operations = documentedOperations();
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const missing = operations.filter((operation) => {
      const [method = '', url = ''] = operation.split(' ');
      return routeClassOf(method, url) === undefined;
    });
    expect(missing, 'add these routes to http/route-classes.ts').toEqual([]);
  });
  it('names no route that does not exist (only the Kamailio form POSTs are undocumented)', () => {
    // Signed routes take no key, so the document lists them without a bearer scheme.
    const documented = new Set([...documentedOperations(), 'POST /v1/stripe/webhook/:root_id']);
    const extra = Object.keys(routeClassTable).filter((entry) => !documented.has(entry));
    expect(extra.sort()).toEqual(['POST /v1/kamailio/authorize', 'POST /v1/kamailio/end',
      'POST /v1/kamailio/start', 'POST /v1/kamailio/update']);
  });
  it('stops the start on an unclassified /v1 route, HEAD counting as GET', () => {
    expect(unclassifiedMethod(['GET', 'HEAD'], '/v1/accounts/:id')).toBeUndefined();
    expect(unclassifiedMethod('POST', '/v1/accounts/:id/close')).toBe('POST');
    expect(unclassifiedMethod(['GET', 'DELETE'], '/v1/whoami')).toBe('DELETE');
    expect(unclassifiedMethod('POST', '/internal/v1/call')).toBeUndefined();
  });
});

describe('which keys a key may make', () => {
  const account = (scope: ApiKeyScope, expiresAtMs: number | null = null): Principal =>
    ({ kind: 'account', accountId: 'rs', keyId: 'key_1', scope, expiresAtMs });
  it('never wider than its maker', () => {
    const allowed = apiKeyScopes.flatMap((outer) => apiKeyScopes
      .filter((inner) => scopeCovers(outer, inner)).map((inner) => `${outer}>${inner}`));
    expect(allowed).toEqual(['full>full', 'full>charging', 'full>read_only',
      'charging>charging', 'read_only>read_only']);
    for (const outer of apiKeyScopes) {
      for (const inner of apiKeyScopes) {
        const checked = checkNewKey({ creator: account(outer), scope: inner, expiresAtMs: null },
          1_000);
        expect([outer, inner, checked.ok ? 'made' : checked.code])
          .toEqual([outer, inner, scopeCovers(outer, inner) ? 'made' : 'scope_insufficient']);
      }
    }
    expect(checkNewKey({ creator: { kind: 'operator' }, scope: 'full', expiresAtMs: null }, 0))
      .toMatchObject({ ok: true, value: { scope: 'full', expiresAtMs: null } });
  });
  it('never outliving its maker, and never already expired', () => {
    const maker = account('full', 10_000);
    expect(checkNewKey({ creator: maker, scope: 'charging', expiresAtMs: null }, 1_000))
      .toMatchObject({ ok: true, value: { expiresAtMs: 10_000 } });
    expect(checkNewKey({ creator: maker, scope: 'charging', expiresAtMs: 5_000 }, 1_000))
      .toMatchObject({ ok: true, value: { expiresAtMs: 5_000 } });
    expect(checkNewKey({ creator: maker, scope: 'charging', expiresAtMs: 10_001 }, 1_000))
      .toMatchObject({ ok: false, code: 'scope_insufficient' });
    expect(checkNewKey({ creator: account('full'), scope: 'full', expiresAtMs: 1_000 }, 1_000))
      .toMatchObject({ ok: false, code: 'invalid_key_expiry' });
  });
});

let api: TestApi;
let world: World;
const keys = {} as Record<ApiKeyScope, string>;

beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
  for (const scope of apiKeyScopes) {
    const made = await api.call({ method: 'POST', url: '/v1/accounts/rs/api-keys',
      key: world.keys.rs, json: { label: `scope-${scope}`, scope } });
    expect([made.status, made.body['scope'], made.body['expires_at']])
      .toEqual([201, scope, null]);
    keys[scope] = String(made.body['key']);
  }
});
afterAll(async () => api.close());

const authorize = (sessionId: string) => ({ method: 'POST', url: '/v1/sessions',
  json: { session_id: sessionId, account_id: 'cu1', caller: '1', callee: '4420',
    request_number: 0 } }) as const;

/**
 * Representative routes of each class, and which scopes may call them (the keys are the
 * reseller's: its reach covers every probe, so only the scope can refuse).
 */
const probes: Array<{ request: Omit<ApiRequest, 'key'>; scopes: readonly ApiKeyScope[] }> = [
  { request: { method: 'GET', url: '/v1/whoami' }, scopes: ['full', 'charging', 'read_only'] },
  { request: { method: 'GET', url: '/v1/accounts/cu1' }, scopes: ['full', 'read_only'] },
  { request: { method: 'GET', url: '/v1/cdrs' }, scopes: ['full', 'read_only'] },
  { request: { method: 'GET', url: '/v1/accounts/cu1/api-keys' }, scopes: ['full', 'read_only'] },
  { request: { method: 'GET', url: '/v1/rate-decks' }, scopes: ['full', 'read_only'] },
  { request: { method: 'GET', url: '/v1/kamailio/authorize?account=cu1&caller=1&callee=4420' +
    '&callid=scopes-kam' }, scopes: ['full', 'charging'] },
  { request: { method: 'POST', url: '/v1/events', json: { event_id: 'scopes-event',
    account_id: 'cu1', caller: '1', callee: '4420', duration_seconds: 0 } },
  scopes: ['full', 'charging'] },
  { request: { method: 'POST', url: '/v1/accounts/cu1/api-keys', json: {} }, scopes: ['full'] },
  { request: { method: 'PATCH', url: '/v1/accounts/cu1', json: { name: 'Customer 1' } },
    scopes: ['full'] },
  { request: { method: 'POST', url: '/v1/accounts/cu1/suspend' }, scopes: ['full'] },
  { request: { method: 'POST', url: '/v1/accounts/cu1/activate' }, scopes: ['full'] },
];

describe('a key calls only the routes of its scope', () => {
  it('charging: the switch routes and whoami; read_only: reads and whoami', async () => {
    for (const { request, scopes } of probes) {
      for (const scope of apiKeyScopes) {
        const response = await api.call({ ...request, key: keys[scope] });
        const refused = response.status === 403 && response.body['code'] === 'scope_insufficient';
        expect([request.method, request.url, scope, refused])
          .toEqual([request.method, request.url, scope, !scopes.includes(scope)]);
        if (!refused) expect(response.status, `${request.url} ${response.text}`).toBeLessThan(300);
      }
    }
  });
  it('runs a whole call with a charging key', async () => {
    const key = keys.charging;
    const granted = await api.call({ ...authorize('scopes-call'), key });
    expect([granted.status, granted.body['status']]).toEqual([200, 'granted']);
    const updated = await api.call({ method: 'POST', url: '/v1/sessions/scopes-call/update', key,
      json: { request_number: 1, used_seconds: 10 } });
    expect(updated.status).toBe(200);
    const ended = await api.call({ method: 'POST', url: '/v1/sessions/scopes-call/terminate',
      key, json: { request_number: 2, used_seconds: 20 } });
    expect([ended.status, ended.body['status']]).toEqual([200, 'terminated']);
    const listed = await api.call({ method: 'GET', url: '/v1/sessions', key });
    expect([listed.status, listed.body['code']]).toEqual([403, 'scope_insufficient']);
  });
  it('refuses before reading the body, and names the scopes that may', async () => {
    const response = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
      key: keys.read_only, raw: { body: '{not json', contentType: 'application/json' } });
    expect([response.status, response.body['code']]).toEqual([403, 'scope_insufficient']);
    expect(response.body['message']).toBe('a read_only key cannot call POST ' +
      '/v1/accounts/:id/topups; it needs a key with the scope full');
  });
  it('lets no narrow key make a key, even of its own scope', async () => {
    for (const scope of ['charging', 'read_only'] as const) {
      const response = await api.call({ method: 'POST', url: '/v1/accounts/cu1/api-keys',
        key: keys[scope], json: { scope } });
      expect([scope, response.status, response.body['code']])
        .toEqual([scope, 403, 'scope_insufficient']);
    }
  });
  it('makes full keys by default and lists every key with its scope', async () => {
    const made = await api.call({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      key: world.keys.rs, json: { label: 'default-scope' } });
    expect(made.body).toMatchObject({ scope: 'full', expires_at: null });
    const listed = await api.call({ method: 'GET', url: '/v1/accounts/rs/api-keys',
      key: world.keys.rs });
    const scopes = (listed.body['api_keys'] as Array<{ label: string; scope: string }>)
      .filter((entry) => entry.label.startsWith('scope-') || entry.label === 'test')
      .map((entry) => `${entry.label}:${entry.scope}`).sort();
    expect(scopes).toEqual(['scope-charging:charging', 'scope-full:full',
      'scope-read_only:read_only', 'test:full']);
    const unknown = await api.call({ method: 'POST', url: '/v1/accounts/cu1/api-keys',
      key: world.keys.rs, json: { scope: 'admin' } });
    expect([unknown.status, unknown.body['code']]).toEqual([400, 'validation_failed']);
  });
});

describe('expiry', () => {
  it('refuses an expired key like a revoked one, cached or not', async () => {
    const expiresAt = new Date(api.clock.nowMs() + hourMs).toISOString();
    const made = await api.call({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      key: world.keys.rs, json: { label: 'temporary', expires_at: expiresAt } });
    expect([made.status, Date.parse(String(made.body['expires_at']))])
      .toEqual([201, Date.parse(expiresAt)]);
    const key = String(made.body['key']);
    const me = await api.call({ method: 'GET', url: '/v1/whoami', key });
    expect(me.body).toMatchObject({ key_id: made.body['id'], expires_at: made.body['expires_at'] });
    // Just before: still valid (and now cached); at the instant: refused.
    api.clock.advanceMs(hourMs - 1);
    expect((await api.call({ method: 'GET', url: '/v1/accounts/cu2', key })).status).toBe(200);
    api.clock.advanceMs(1);
    const expired = await api.call({ method: 'GET', url: '/v1/accounts/cu2', key });
    expect([expired.status, expired.body['code']]).toEqual([401, 'unauthorized']);
    expect(expired.headers['www-authenticate']).toBe('Bearer');
  });
  it('refuses an expiry in the past or that is not an instant', async () => {
    const past = await api.call({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      key: world.keys.rs, json: { expires_at: new Date(testStartMs).toISOString() } });
    expect([past.status, past.body['code']]).toEqual([400, 'invalid_key_expiry']);
    const garbled = await api.call({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      key: world.keys.rs, json: { expires_at: 'tomorrow' } });
    expect([garbled.status, garbled.body['code']]).toEqual([400, 'invalid_instant']);
  });
  it('gives the keys an expiring key makes its own expiry at most', async () => {
    const makerExpiresAtMs = api.clock.nowMs() + hourMs;
    const maker = await api.call({ method: 'POST', url: '/v1/accounts/rs/api-keys',
      key: world.keys.rs, json: { expires_at: new Date(makerExpiresAtMs).toISOString() } });
    const makerKey = String(maker.body['key']);
    const inherited = await api.call({ method: 'POST', url: '/v1/accounts/cu1/api-keys',
      key: makerKey, json: { scope: 'charging' } });
    expect(Date.parse(String(inherited.body['expires_at']))).toBe(makerExpiresAtMs);
    const longer = await api.call({ method: 'POST', url: '/v1/accounts/cu1/api-keys',
      key: makerKey, json: { expires_at: new Date(makerExpiresAtMs + 1).toISOString() } });
    expect([longer.status, longer.body['code']]).toEqual([403, 'scope_insufficient']);
  });
});

describe('last use', () => {
  it('is listed from the first authentication on', async () => {
    const made = await api.call({ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      key: world.keys.rs, json: { label: 'watched', scope: 'read_only' } });
    const id = String(made.body['id']);
    const lastUsed = async () => {
      const listed = await api.call({ method: 'GET', url: '/v1/accounts/cu2/api-keys',
        key: world.keys.rs });
      const entry = (listed.body['api_keys'] as Array<Record<string, unknown>>)
        .find((item) => item['id'] === id);
      return entry?.['last_used_at'];
    };
    expect(await lastUsed()).toBeNull();
    await api.call({ method: 'GET', url: '/v1/whoami', key: String(made.body['key']) });
    expect(Date.parse(String(await lastUsed()))).toBe(api.clock.nowMs());
    api.clock.advanceMs(7_000);
    await api.call({ method: 'GET', url: '/v1/whoami', key: String(made.body['key']) });
    expect(Date.parse(String(await lastUsed()))).toBe(api.clock.nowMs());
  });
});
