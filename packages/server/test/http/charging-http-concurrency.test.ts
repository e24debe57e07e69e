import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMicros } from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openServices, type RunningServices } from '../../src/app/services.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { dropSchema, postgresTestUrl, uniqueSchemaName } from '../storage/postgres-fixture.ts';

// Many calls at once over real HTTP (a listening socket, parallel keep-alive clients), from two
// customers of one shared reseller, on limited funds: whatever the interleaving of requests in
// the server, no level is overdrawn, nothing stays reserved, every terminated call has exactly
// one CDR, retransmissions move nothing, and the journal verifies. PostgreSQL is never skipped:
// when it is unreachable this suite fails with the connection error.
const clientsInParallel = 16;
const callsPerCustomer = 32;
const updatesPerCall = 3;
const usedPerUpdateS = 20;
const usedAfterLastGrantS = 7;
const storeKinds = ['sqlite', 'postgres'] as const;
type StoreKind = (typeof storeKinds)[number];

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface Running {
  readonly services: RunningServices;
  readonly baseUrl: string;
  readonly adminKey: string;
  close(): Promise<void>;
}

function configFor(kind: StoreKind, directory: string, schema: string, adminKey: string):
  Config {
  const loaded = loadConfig({ env: {
    TOLLGATE_DB: kind === 'sqlite' ? join(directory, 'tollgate.sqlite') : postgresTestUrl,
    TOLLGATE_PG_SCHEMA: schema, TOLLGATE_ADMIN_KEY: adminKey, TOLLGATE_LOG_LEVEL: 'silent',
    TOLLGATE_SLICE_SECONDS: '30', TOLLGATE_SQLITE_SYNCHRONOUS: 'FULL',
  } });
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.value;
}

async function startServer(kind: StoreKind): Promise<Running> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-http-'));
  const schema = uniqueSchemaName('http');
  const adminKey = randomBytes(24).toString('hex');
  const config = configFor(kind, directory, schema, adminKey);
  const cleanUp = async () => {
    rmSync(directory, { recursive: true, force: true });
    if (kind === 'postgres') await dropSchema(schema);
  };
  let services: RunningServices;
  try {
    services = await openServices(config);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const app = await buildApp(config, services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { services, adminKey, baseUrl: `http://127.0.0.1:${port}`, close: async () => {
    await app.close();
    await services.close();
    await cleanUp();
  } };
}

function client(running: Running, key: string) {
  const send = async (method: string, path: string, body?: unknown, contentType?: string):
    Promise<Reply> => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
    const response = await fetch(`${running.baseUrl}${path}`, { method, headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body
        : JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status,
      body: text === '' ? {} : JSON.parse(text) as Record<string, unknown> };
  };
  return {
    post: (path: string, body: unknown) => send('POST', path, body),
    csv: (path: string, text: string) => send('POST', path, text, 'text/csv'),
    get: (path: string) => send('GET', path),
  };
}
type Client = ReturnType<typeof client>;

function micros(text: unknown): bigint {
  const parsed = parseMicros(String(text), { allowNegative: true });
  if (!parsed.ok) throw new Error(`not an amount: ${String(text)}`);
  return parsed.value;
}

async function ok(reply: Promise<Reply>, what: string): Promise<Record<string, unknown>> {
  const settled = await reply;
  if (settled.status >= 300) {
    throw new Error(`${what}: ${settled.status} ${JSON.stringify(settled.body)}`);
  }
  return settled.body;
}

/** op -> adm (postpaid) -> res (prepaid 3.00, shared) -> c1 (prepaid 4.00), c2 (postpaid 3.00). */
async function provision(operator: Client): Promise<string> {
  const deck = async (name: string, rate: string) => String((await ok(operator.csv(
    `/v1/rate-decks?name=${name}&currency=USD`, `prefix,rate\n44,${rate}\n`), name))['id']);
  const [retail, wholesale, plan] = [await deck('retail', '0.60'),
    await deck('wholesale', '0.30'), await deck('admin-plan', '0.10')];
  const account = (spec: Record<string, unknown>) => ok(operator.post('/v1/accounts',
    { currency: 'USD', ...spec }), `account ${String(spec['id'])}`);
  await account({ id: 'op', parent_id: null, tier: 'super_admin', mode: 'postpaid',
    credit_limit: null, rate_deck_id: null });
  await account({ id: 'adm', parent_id: 'op', tier: 'admin', mode: 'postpaid',
    credit_limit: '1000', rate_deck_id: plan });
  await account({ id: 'res', parent_id: 'adm', tier: 'reseller', mode: 'prepaid',
    rate_deck_id: wholesale });
  await account({ id: 'c1', parent_id: 'res', tier: 'customer', mode: 'prepaid',
    rate_deck_id: retail });
  await account({ id: 'c2', parent_id: 'res', tier: 'customer', mode: 'postpaid',
    credit_limit: '3.00', rate_deck_id: retail });
  for (const [id, amount] of [['res', '3.00'], ['c1', '4.00']] as const) {
    await ok(operator.post(`/v1/accounts/${id}/topups`, { amount, reference: `t-${id}` }), id);
  }
  // The switch holds the reseller's key, as a reseller's softswitch would.
  return String((await ok(operator.post('/v1/accounts/res/api-keys', {}), 'key'))['key']);
}

type CallOutcome = 'terminated' | 'refused';

/** One call as a switch drives it; every third terminate is sent twice (a retransmission). */
async function call(sw: Client, sessionId: string, accountId: string, index: number):
  Promise<CallOutcome> {
  const started = await sw.post('/v1/sessions', { session_id: sessionId, account_id: accountId,
    caller: '1', callee: '4420', request_number: 0 });
  if (started.status === 402) return 'refused';
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  let used = 0;
  let granted = Number(started.body['granted_seconds']);
  let request = 1;
  for (; request <= updatesPerCall && granted > 0; request += 1) {
    used += Math.min(granted, usedPerUpdateS);
    const updated = await sw.post(`/v1/sessions/${sessionId}/update`,
      { request_number: request, used_seconds: used });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    granted = Number(updated.body['granted_seconds']);
  }
  const usage = { request_number: request,
    used_seconds: used + Math.min(granted, usedAfterLastGrantS) };
  const ended = await ok(sw.post(`/v1/sessions/${sessionId}/terminate`, usage), 'terminate');
  expect(ended['status']).toBe('terminated');
  if (index % 3 === 0) {
    const again = await ok(sw.post(`/v1/sessions/${sessionId}/terminate`, usage), 'again');
    expect(again['cdr_id']).toBe(ended['cdr_id']);
    expect(again['cost']).toBe(ended['cost']);
  }
  return 'terminated';
}

/** Runs the calls on `clientsInParallel` workers, each with its own keep-alive connection. */
async function runCalls(running: Running, switchKey: string): Promise<CallOutcome[]> {
  const plans = Array.from({ length: 2 * callsPerCustomer }, (_, index) =>
    ({ sessionId: `s-${index}`, accountId: index % 2 === 0 ? 'c1' : 'c2', index }));
  const outcomes: CallOutcome[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: clientsInParallel }, async () => {
    const sw = client(running, switchKey);
    for (let taken = next++; taken < plans.length; taken = next++) {
      const plan = plans[taken]!;
      outcomes.push(await call(sw, plan.sessionId, plan.accountId, plan.index));
    }
  }));
  return outcomes;
}

async function listCdrSessions(operator: Client): Promise<string[]> {
  const body = await ok(operator.get('/v1/cdrs?account_id=op&limit=1000'), 'cdrs');
  expect(body['next_after']).toBeNull();
  return (body['cdrs'] as Array<Record<string, unknown>>).map((cdr) => String(cdr['session_id']));
}

describe.each(storeKinds)('charging over HTTP with parallel clients on %s', (kind) => {
  let running: Running | null = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  it('never overdraws a level, settles each call once, and the journal verifies', async () => {
    running = await startServer(kind);
    const operator = client(running, running.adminKey);
    const switchKey = await provision(operator);
    const outcomes = await runCalls(running, switchKey);
    const terminated = outcomes.filter((outcome) => outcome === 'terminated').length;
    expect(terminated).toBeGreaterThan(0);
    expect(terminated).toBeLessThan(outcomes.length); // funds ran out: the race was real
    for (const id of ['adm', 'res', 'c1', 'c2']) {
      const view = await ok(operator.get(`/v1/accounts/${id}`), id);
      expect(micros(view['reserved'])).toBe(0n);
      const limit = view['credit_limit'];
      const floor = limit === null ? null : -micros(limit);
      if (floor !== null) expect(micros(view['balance']) >= floor, id).toBe(true);
    }
    const c1 = await ok(operator.get('/v1/accounts/c1'), 'c1');
    expect(micros(c1['balance']) >= 0n && micros(c1['balance']) < micros('4.00')).toBe(true);
    const sessions = await listCdrSessions(operator);
    expect(sessions.length).toBe(terminated);
    expect(new Set(sessions).size).toBe(sessions.length);
    const live = await ok(operator.get('/v1/sessions?account_id=op&limit=1000'), 'live');
    expect(live['sessions']).toEqual([]);
    const verified = await running.services.ledger.verifyLedger();
    expect(verified.ok && verified.value.findingCount).toBe(0);
    expect(verified.ok && verified.value.overdrawnCount).toBe(0);
  });
});
