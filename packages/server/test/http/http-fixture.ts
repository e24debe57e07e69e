import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config/config-schema.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { openServices, type RunningServices } from '../../src/app/services.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { dropSchema, postgresTestUrl, uniqueSchemaName } from '../storage/postgres-fixture.ts';

export const adminKey = 'test-operator-key-0123456789';
export const testStartMs = Date.parse('2026-11-30T12:00:00Z');

export type StoreKind = 'sqlite' | 'postgres';

export interface TestApi {
  readonly app: FastifyInstance;
  readonly services: RunningServices;
  readonly clock: ManualClock;
  readonly config: Config;
  call(request: ApiRequest): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  readonly url: string;
  /** The bearer key; null sends no Authorization header. Default: the operator key. */
  readonly key?: string | null;
  readonly json?: unknown;
  readonly csv?: string;
  /** A raw body with its own content type (for malformed input). */
  readonly raw?: { body: string; contentType: string };
  readonly headers?: Record<string, string>;
  /** The client's address (default 127.0.0.1): rate limits count failures per address. */
  readonly remoteAddress?: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: Record<string, unknown>;
}

/** The API over a fresh store (a temporary SQLite file, or a PostgreSQL schema of its own). */
export async function openTestApi(
  kind: StoreKind = 'sqlite',
  overrides: Partial<Config> = {},
): Promise<TestApi> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-http-'));
  const schema = uniqueSchemaName('http');
  const database = kind === 'sqlite' ? join(directory, 'tollgate.sqlite') : postgresTestUrl;
  const loaded = loadConfig({ env: {} });
  if (!loaded.ok) throw new Error(loaded.message);
  const config: Config = Object.freeze({ ...loaded.value, database, adminKey,
    postgresSchema: schema, logLevel: 'silent', ...overrides });
  const clock = new ManualClock(testStartMs);
  const services = await openServices(config, { clock });
  const app = await buildApp(config, services);
  const call = async (request: ApiRequest): Promise<ApiResponse> => {
    const key = request.key === undefined ? adminKey : request.key;
    const headers: Record<string, string> = { ...request.headers };
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    let payload: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(request.json);
    } else if (request.csv !== undefined) {
      headers['content-type'] = 'text/csv';
      payload = request.csv;
    } else if (request.raw !== undefined) {
      headers['content-type'] = request.raw.contentType;
      payload = request.raw.body;
    }
    const response = await app.inject({ method: request.method, url: request.url, headers,
      ...(payload === undefined ? {} : { payload }),
      ...(request.remoteAddress === undefined ? {} : { remoteAddress: request.remoteAddress }) });
    const isJson = String(response.headers['content-type'] ?? '').includes('json');
    const body = isJson && response.body !== '' ? response.json() as Record<string, unknown> : {};
    return { status: response.statusCode, body, text: response.body,
      headers: response.headers };
  };
  return {
    app, services, clock, config, call,
    close: async () => {
      await app.close();
      await services.close();
      rmSync(directory, { recursive: true, force: true });
      if (kind === 'postgres') await dropSchema(schema);
    },
  };
}

/** A deck in the format of rating.md: UK, UK mobile, US, Germany; 30/6 blocks. */
export function deckCsv(rate: string, connectFee = '0'): string {
  return [
    'prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
    `44,United Kingdom,${rate},${connectFee},30,6`,
    `447,United Kingdom Mobile,${rate},${connectFee},30,6`,
    `1,United States,${rate},${connectFee},30,6`,
    `49,Germany,${rate},${connectFee},30,6`,
  ].join('\n');
}

export interface World {
  readonly decks: { carrier: string; wholesale: string; reseller: string; retail: string };
  /** Keys of the reseller, its customers, and another tenant's reseller. */
  readonly keys: { rs: string; cu1: string; cu2: string; other: string };
}

/**
 * Decks are owned by the account that sells with them: carrier (the operator's, on the root),
 * wholesale (op's, sold to ad), reseller (ad's, sold to rs and other), retail (rs's).
 * op (root) > ad (admin) > rs (reseller) > cu1 (prepaid, 10.00), cu2 (postpaid, credit 5.00);
 * and a second tenant op > ad > other. Prices per minute: carrier 0.10, wholesale 0.12,
 * reseller 0.15, retail 0.20 + 0.05 connect (charging.md's chain example).
 */
export async function seedWorld(api: TestApi): Promise<World> {
  const create = async (body: Record<string, unknown>) => {
    const response = await api.call({ method: 'POST', url: '/v1/accounts',
      json: { currency: 'USD', mode: 'postpaid', rate_deck_id: null, ...body } });
    if (response.status !== 201) throw new Error(`create ${String(body['id'])}: ${response.text}`);
  };
  await create({ id: 'op', parent_id: null, tier: 'super_admin' });
  await create({ id: 'ad', parent_id: 'op', tier: 'admin', credit_limit: '1000.00' });
  await create({ id: 'rs', parent_id: 'ad', tier: 'reseller', credit_limit: '100.00' });
  await create({ id: 'other', parent_id: 'ad', tier: 'reseller', credit_limit: '100.00' });
  const upload = async (name: string, owner: string | null, rate: string, fee = '0') => {
    const ownerQuery = owner === null ? '' : `&owner_id=${owner}`;
    const response = await api.call({ method: 'POST', csv: deckCsv(rate, fee),
      url: `/v1/rate-decks?name=${name}&currency=USD${ownerQuery}` });
    if (response.status !== 201) throw new Error(`deck upload: ${response.text}`);
    return String(response.body['id']);
  };
  const decks = { carrier: await upload('carrier', null, '0.10'),
    wholesale: await upload('wholesale', 'op', '0.12'),
    reseller: await upload('reseller', 'ad', '0.15'),
    retail: await upload('retail', 'rs', '0.20', '0.05') };
  const assign = async (id: string, deckId: string) => {
    const response = await api.call({ method: 'PATCH', url: `/v1/accounts/${id}`,
      json: { rate_deck_id: deckId } });
    if (response.status !== 200) throw new Error(`deck of ${id}: ${response.text}`);
  };
  await assign('op', decks.carrier);
  await assign('ad', decks.wholesale);
  await assign('rs', decks.reseller);
  await assign('other', decks.reseller);
  await create({ id: 'cu1', parent_id: 'rs', tier: 'customer', mode: 'prepaid',
    rate_deck_id: decks.retail });
  await create({ id: 'cu2', parent_id: 'rs', tier: 'customer', rate_deck_id: decks.retail,
    credit_limit: '5.00' });
  const topup = await api.call({ method: 'POST', url: '/v1/accounts/cu1/topups',
    json: { amount: '10.00', reference: 'seed' } });
  if (topup.status !== 201) throw new Error(`topup: ${topup.text}`);
  const keyOf = async (id: string) => {
    const response = await api.call({ method: 'POST', url: `/v1/accounts/${id}/api-keys`,
      json: { label: 'test' } });
    if (response.status !== 201) throw new Error(`key ${id}: ${response.text}`);
    return String(response.body['key']);
  };
  return { decks, keys: { rs: await keyOf('rs'), cu1: await keyOf('cu1'),
    cu2: await keyOf('cu2'), other: await keyOf('other') } };
}
