import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { clusterCallPath, clusterCallType, clusterKeyHeader } from
  '../../src/cluster/cluster-routes.ts';
import { dropSchema, postgresTestUrl, uniqueSchemaName } from '../storage/postgres-fixture.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

// The real `tollgate serve` (compiled by `npm test` before vitest starts) on PostgreSQL, so
// that the cluster route exists too, logging at debug. Everything it prints on stdout and
// stderr is captured; after requests with every kind of key and every kind of error, no
// secret may appear in it: not the admin key, the cluster key, the webhook secret, a key made
// over the API (whole, or without its prefix), nor the hash of one.
const schema = uniqueSchemaName('logs');
const secrets = {
  adminKey: `admin-${randomBytes(16).toString('hex')}`,
  clusterKey: `cluster-${randomBytes(16).toString('hex')}`,
  webhookSecret: `hook-${randomBytes(16).toString('hex')}`,
  secretsKey: `seal-${randomBytes(16).toString('hex')}`,
  stripeSecretKey: `sk_test_${randomBytes(16).toString('hex')}`,
  stripeWebhookSecret: `whsec_${randomBytes(16).toString('hex')}`,
};
const failuresPerMinute = 4;

afterAll(async () => dropSchema(schema));

async function startLoggingServe(): Promise<ServeProcess> {
  return startServe(['--db', postgresTestUrl], { TOLLGATE_ADMIN_KEY: secrets.adminKey,
    TOLLGATE_CLUSTER_KEY: secrets.clusterKey, TOLLGATE_PG_SCHEMA: schema,
    TOLLGATE_FRAUD_WEBHOOK_SECRET: secrets.webhookSecret, TOLLGATE_LOG_LEVEL: 'debug',
    TOLLGATE_SECRETS_KEY: secrets.secretsKey,
    TOLLGATE_RATE_LIMIT_UNAUTHENTICATED_PER_IP_PER_MINUTE: String(failuresPerMinute) });
}

interface Client {
  readonly made: Array<{ id: string; key: string }>;
  readonly statuses: number[];
  call(method: string, path: string, key: string | null, body?: string): Promise<number>;
  makeKey(json: Record<string, unknown>): Promise<{ id: string; key: string }>;
}

function clientOf(server: ServeProcess): Client {
  const made: Client['made'] = [];
  const statuses: number[] = [];
  const send = async (method: string, path: string, key: string | null, body?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    const response = await fetch(`${server.baseUrl}${path}`, { method, headers,
      ...(body === undefined ? {} : { body }) });
    statuses.push(response.status);
    const text = await response.text();
    return { status: response.status,
      body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };
  return {
    made,
    statuses,
    call: async (method, path, key, body) => (await send(method, path, key, body)).status,
    makeKey: async (json) => {
      const response = await send('POST', '/v1/accounts/ad/api-keys', secrets.adminKey,
        JSON.stringify(json));
      expect(response.status).toBe(201);
      const entry = { id: String(response.body['id']), key: String(response.body['key']) };
      made.push(entry);
      return entry;
    },
  };
}

/** Accounts, keys of every scope, and requests with valid, revoked and expired keys. */
async function useKeys(client: Client): Promise<void> {
  const { call, makeKey } = client;
  for (const account of [{ id: 'op', parent_id: null, tier: 'super_admin' },
    { id: 'ad', parent_id: 'op', tier: 'admin' }]) {
    expect(await call('POST', '/v1/accounts', secrets.adminKey, JSON.stringify({
      ...account, mode: 'postpaid', currency: 'USD', rate_deck_id: null }))).toBe(201);
  }
  const full = await makeKey({ label: 'full' });
  const charging = await makeKey({ label: 'switch', scope: 'charging' });
  const readOnly = await makeKey({ label: 'report', scope: 'read_only' });
  const revoked = await makeKey({ label: 'revoked' });
  const expiresAtMs = Date.now() + 1_000;
  const expiring = await makeKey({ expires_at: new Date(expiresAtMs).toISOString() });
  for (const key of [full, charging, readOnly, revoked, expiring]) {
    expect(await call('GET', '/v1/whoami', key.key)).toBe(200);
  }
  expect(await call('GET', '/v1/accounts/ad', readOnly.key)).toBe(200);
  expect(await call('PATCH', '/v1/accounts/ad', charging.key, '{}')).toBe(403);
  expect(await call('DELETE', `/v1/accounts/ad/api-keys/${revoked.id}`, full.key)).toBe(204);
  expect(await call('GET', '/v1/whoami', revoked.key)).toBe(401);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAtMs - Date.now())));
  expect(await call('GET', '/v1/whoami', expiring.key)).toBe(401);
  expect(await call('POST', '/v1/accounts', full.key, '{not json')).toBe(400);
  // A root's Stripe keys: saved, shown (without secrets), and a secret in the wrong field
  const stripeKeys = { secret_key: secrets.stripeSecretKey,
    publishable_key: 'pk_test_logcheck0001', webhook_secret: secrets.stripeWebhookSecret };
  const stripeUrl = '/v1/accounts/op/stripe-settings';
  expect(await call('PUT', stripeUrl, secrets.adminKey, JSON.stringify(stripeKeys))).toBe(200);
  expect(await call('GET', stripeUrl, secrets.adminKey)).toBe(200);
  expect(await call('PUT', stripeUrl, secrets.adminKey, JSON.stringify({ ...stripeKeys,
    publishable_key: secrets.stripeSecretKey }))).toBe(400);
}

/** Not found, the cluster route, brute force up to 429, and an outage (500). */
async function failRequests(server: ServeProcess, client: Client): Promise<void> {
  const { call } = client;
  const randomKey = () => `tg_${randomBytes(32).toString('base64url')}`;
  expect(await call('GET', '/v1/accounts/nobody', secrets.adminKey)).toBe(404);
  expect(await call('GET', '/v1/nothing-here', secrets.adminKey)).toBe(404);
  const forward = async (clusterKey: string) => (await fetch(
    `${server.baseUrl}${clusterCallPath}`, { method: 'POST', body: '{}',
      headers: { [clusterKeyHeader]: clusterKey, 'content-type': clusterCallType } })).status;
  expect(await forward(secrets.clusterKey)).toBe(400);
  expect(await forward(`${secrets.clusterKey}x`)).toBe(404);
  // Two failures so far (revoked, expired) and a wrong cluster key: one more guess, then 429.
  expect(await call('GET', '/v1/whoami', randomKey())).toBe(401);
  expect(await call('GET', '/v1/whoami', null)).toBe(429);
  expect(await call('GET', '/v1/whoami', secrets.adminKey)).toBe(429);
  // An outage: the keys table is gone, so looking up an unknown key fails with a 500.
  const database = new pg.Client({ connectionString: postgresTestUrl });
  await database.connect();
  await database.query(`DROP TABLE ${schema}.api_keys`);
  await database.end();
  expect(await call('GET', '/v1/whoami', randomKey())).toBe(500);
}

describe('logs', () => {
  it('never contain a secret, whatever the requests and their errors', async () => {
    const server = await startLoggingServe();
    const client = clientOf(server);
    try {
      await useKeys(client);
      await failRequests(server, client);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const output = server.output();
    // The capture is real: requests, their URLs (with public key ids) and the 500 are in it.
    expect(output).toContain('incoming request');
    expect(output).toContain(`/v1/accounts/ad/api-keys/${client.made[3]?.id ?? 'missing'}`);
    expect(output).toContain('request failed');
    expect(new Set(client.statuses)).toEqual(new Set([200, 201, 204, 400, 401, 403, 404, 429,
      500]));
    const forbidden = [...Object.values(secrets), ...client.made.flatMap(({ key }) =>
      [key, key.slice('tg_'.length), hashApiKey(key)])];
    expect(forbidden.filter((secret) => output.includes(secret))).toEqual([]);
  });
});
