import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseMicros } from '@tollgate/core';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import { Type } from 'typebox';
import { readProcessEnv } from '../config/load-config.ts';
import { armBenchFraudRules } from '../fraud/bench-fraud-rules.ts';
import { generateDeckCsv } from './generate-deck.ts';
import {
  createHttpClient,
  createRawHttpClient,
  field,
  measureFsyncLatency,
  readCpuSeconds,
  readPeakRssBytes,
  round,
  runClosedLoop,
  runCpsSteps,
  runFixedRequestLoop,
  seededRandom,
  type CallRun,
  type CallTraffic,
  type CpsStepResult,
  type FsyncLatency,
  type HttpClient,
  type HttpClientOptions,
  type RecorderSummary,
} from './load-generator.ts';

/**
 * W2 of docs/benchmark.md over real HTTP: Tollgate runs as its own process (`tollgate serve`),
 * is provisioned through the API (admin -> resellers -> customers under the operator's root),
 * and is driven by simulated calls in two modes: the closed-loop maximum and a fixed-CPS ramp
 * that stops at the first step missing the SLO. A bare fastify route in another process,
 * driven by the same client at the same concurrency, is the floor for the ratio. After each
 * mode the invariants are checked through the API.
 */

export interface ChargingBenchOptions {
  readonly store: 'sqlite' | 'postgres';
  readonly postgresUrl: string;
  readonly modes: readonly ('closed' | 'cps')[];
  /** Virtual calls in flight in the closed loop, and client sockets everywhere. */
  readonly concurrency: number;
  readonly closedLoopMs: number;
  readonly warmupMs: number;
  readonly cpsSteps: readonly number[];
  readonly cpsStepMs: number;
  readonly simulatedSecondsPerRealSecond: number;
  readonly durationMeanS: number;
  readonly durationMinS: number;
  readonly durationMaxS: number;
  readonly updateIntervalS: number;
  readonly unansweredShare: number;
  readonly resellers: number;
  readonly customers: number;
  readonly deckRows: number;
  readonly floorMs: number;
  readonly seed: number;
  /** The load client: raw sockets (default, cheap) or node:http with a keep-alive agent. */
  readonly client: 'raw' | 'node-http';
  /** Run every CPS step even after one misses the SLO (the default stops there). */
  readonly allSteps: boolean;
  /** Fraud control on (every rule armed, see fraud/bench-fraud-rules.ts) or off. */
  readonly fraud: 'on' | 'off';
  /** Tollgate nodes on the one PostgreSQL database; each call goes to one of them. */
  readonly nodes: number;
}

export const chargingBenchDefaults: ChargingBenchOptions = {
  store: 'sqlite',
  postgresUrl: 'postgres://postgres@127.0.0.1:5432/test',
  modes: ['closed', 'cps'],
  concurrency: 64,
  closedLoopMs: 20_000,
  warmupMs: 2_000,
  cpsSteps: [10, 50, 100, 200, 400, 800],
  cpsStepMs: 6_000,
  simulatedSecondsPerRealSecond: 60,
  durationMeanS: 180,
  durationMinS: 1,
  durationMaxS: 1_800,
  updateIntervalS: 30,
  unansweredShare: 0.2,
  resellers: 10,
  customers: 1_000,
  deckRows: 20_000,
  floorMs: 5_000,
  seed: 20_261_129,
  client: 'raw',
  allSteps: false,
  fraud: 'on',
  nodes: 1,
};

/** The short-call variant of W2: answered calls last 1-5 s. */
const shortCalls = { durationMeanS: 3, durationMinS: 1, durationMaxS: 5 } as const;

export const chargingBenchLimits = {
  /** Time for several nodes to share the shards out before provisioning starts. */
  clusterSettleMs: 2_500,
  /** A mode (provisioning, load, drain, checks) must end within this; asserted on the plan. */
  modeMsMax: 60_000,
  serverStartMsMax: 30_000,
  serverStopMsMax: 15_000,
  /** Calls may end on their own this long after the last CPS step before being hung up. */
  drainMs: 4_000,
  /** CDR pages read when counting (1,000 per page). */
  cdrPagesMax: 2_000,
  cdrPageSize: 1_000,
  provisioningInFlight: 16,
  fsyncSamples: 200,
  customersMax: 100_000,
} as const;

/** SLO of docs/benchmark.md, for authorize and update. */
export const slo = { p99MsMax: 10, p999MsMax: 50 } as const;

const currency = 'USD';
const adminKeyBytes = 24;

// ---------------------------------------------------------------------------------------------
// Processes

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** The last lines the process wrote to stderr, for a failure message. */
  readonly stderrTail: () => string;
  stop(): Promise<void>;
}

const serverBin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const thisScript = fileURLToPath(import.meta.url);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function track(child: ChildProcess, port: number): ServerProcess {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid ?? 0,
    port,
    child,
    stderrTail: () => stderr,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true),
        sleep(chargingBenchLimits.serverStopMsMax).then(() => false)]);
      if (!stopped) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until the process answers HTTP at all (any status): it has opened its store. */
async function waitUntilListening(server: ServerProcess): Promise<void> {
  const client = createHttpClient({ host: '127.0.0.1', port: server.port, socketsMax: 1 });
  const deadlineMs = performance.now() + chargingBenchLimits.serverStartMsMax;
  try {
    while (performance.now() < deadlineMs) {
      if (server.child.exitCode !== null) {
        throw new Error(`the server exited (${server.child.exitCode}): ${server.stderrTail()}`);
      }
      const answered = await client.get('/health').then(() => true, () => false);
      if (answered) return;
      await sleep(100);
    }
    throw new Error(`the server did not listen within ${chargingBenchLimits.serverStartMsMax} ms`);
  } finally {
    client.close();
  }
}

export interface StoreTarget {
  readonly database: string;
  readonly describe: string;
  readonly env: Readonly<Record<string, string>>;
  /** Moves the write-ahead log into the main file, so its size counts everything. */
  readonly checkpoint?: () => void;
  bytesOnDisk(): Promise<number>;
  cleanUp(): Promise<void>;
}

export function sqliteTarget(directory: string): StoreTarget {
  const path = join(directory, 'tollgate.sqlite');
  return {
    database: path,
    describe: 'SQLite WAL, synchronous FULL, one file in the temp directory',
    env: { TOLLGATE_SQLITE_SYNCHRONOUS: 'FULL' },
    checkpoint: () => {
      const connection = new Database(path, { fileMustExist: true, timeout: 10_000 });
      try {
        connection.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        connection.close();
      }
    },
    bytesOnDisk: async () => ['', '-wal', '-shm'].reduce((sum, suffix) =>
      sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0), 0),
    cleanUp: async () => undefined,
  };
}

function postgresTarget(url: string, label: string): StoreTarget {
  const schema = `bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const query = async (sql: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  };
  return {
    database: url,
    describe: `PostgreSQL (${url.replace(/\/\/[^@]*@/, '//')}), schema ${schema}, ` +
      'default pool size',
    env: { TOLLGATE_PG_SCHEMA: schema },
    bytesOnDisk: async () => {
      const result = await query(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS b
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`, [schema]);
      return Number(result.rows[0]?.b ?? 0);
    },
    cleanUp: async () => {
      await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/** `bin`: another build's `tollgate.js`, to measure a commit against an earlier one. */
export async function startTollgate(target: StoreTarget, adminKey: string, fraud: 'on' | 'off',
  bin = serverBin): Promise<ServerProcess> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS: flags for the server's node (e.g. --cpu-prof to profile it).
  const nodeArgs = (readProcessEnv().BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath,
    [...nodeArgs, bin, 'serve', '--port', String(port), '--db', target.database], {
      env: { ...readProcessEnv(), ...target.env, TOLLGATE_ADMIN_KEY: adminKey,
        TOLLGATE_LOG_LEVEL: 'warn', TOLLGATE_HOST: '127.0.0.1',
        // The bench measures capacity, not the abuse limits: its load would spend them.
        TOLLGATE_RATE_LIMIT_PER_KEY_PER_MINUTE: '0',
        TOLLGATE_RATE_LIMIT_CHARGING_PER_KEY_PER_SECOND: '0',
        TOLLGATE_FRAUD_ENABLED: fraud === 'on' ? 'true' : 'false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  const server = track(child, port);
  try {
    await waitUntilListening(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The floor: `POST /echo` with a TypeBox schema, nothing else, in its own process. */
async function startFloor(): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [thisScript, '--floor-server', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  const server = track(child, port);
  try {
    await waitUntilListening(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

const EchoBody = Type.Object({
  session_id: Type.String({ maxLength: 256 }),
  account_id: Type.String({ minLength: 1, maxLength: 64 }),
  caller: Type.String({ maxLength: 256 }),
  callee: Type.String({ maxLength: 256 }),
  request_number: Type.Integer(),
}, { additionalProperties: false });

async function serveFloor(port: number): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1_024 });
  app.post('/echo', { schema: { body: EchoBody, response: { 200: EchoBody } } },
    async (request) => request.body);
  await app.listen({ host: '127.0.0.1', port });
}

// ---------------------------------------------------------------------------------------------
// Provisioning through the API

export interface Provisioned {
  readonly customerIds: readonly string[];
  readonly accountIds: readonly string[];
  readonly callees: readonly string[];
  /** The key the simulated switch sends: the admin's, so every request walks the chain. */
  readonly switchKey: string;
}

function must(reply: { statusCode: number; body: unknown }, what: string): unknown {
  if (reply.statusCode < 200 || reply.statusCode >= 300) {
    throw new Error(`provisioning: ${what} answered ${reply.statusCode} ` +
      JSON.stringify(reply.body).slice(0, 300));
  }
  return reply.body;
}

async function inParallel<T>(items: readonly T[], inFlight: number,
  work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) await work(items[index]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** Country-code decks for the upper levels, so every retail prefix has a wholesale price. */
function countryDeck(rate: string): string {
  const codes = ['1', '7', '20', '27', '31', '33', '34', '39', '44', '49', '52', '55', '61',
    '62', '63', '81', '82', '86', '90', '91', '234', '254', '351', '353', '380', '852', '880',
    '966', '971', '998'];
  return `prefix,rate\n${codes.map((code) => `${code},${rate}`).join('\n')}\n`;
}

async function uploadDeck(client: HttpClient, name: string, csv: string): Promise<string> {
  const body = must(await client.postText(`/v1/rate-decks?name=${name}&currency=${currency}`,
    csv, 'text/csv'), `deck ${name}`);
  return String(field(body, 'id'));
}

async function createAccount(client: HttpClient, spec: Record<string, unknown>): Promise<void> {
  must(await client.post('/v1/accounts', { currency, ...spec }), `account ${String(spec['id'])}`);
}

async function topup(client: HttpClient, id: string, amount: string): Promise<void> {
  must(await client.post(`/v1/accounts/${id}/topups`, { amount, reference: `bench-${id}` }),
    `top-up ${id}`);
}

function calleesOf(retailCsv: string, random: () => number, count: number): string[] {
  const prefixes = retailCsv.split('\n').slice(2).map((line) => line.split(',')[0] ?? '')
    .filter((prefix) => prefix !== '');
  return Array.from({ length: count }, () => {
    const prefix = prefixes[Math.floor(random() * prefixes.length)] ?? '44';
    return (prefix + String(Math.floor(random() * 1e9)).padStart(9, '0')).slice(0, 15);
  });
}

/**
 * root (super_admin) -> admin (postpaid) -> resellers (prepaid) -> customers (prepaid), every
 * level with its own deck and funds for far more traffic than a run sends: refusals would
 * measure the refusal path, not charging.
 */
export async function provision(client: HttpClient, options: ChargingBenchOptions):
  Promise<Provisioned> {
  const retailCsv = generateDeckCsv({ rows: options.deckRows, seed: options.seed });
  const retail = await uploadDeck(client, 'bench-retail', retailCsv);
  const wholesale = await uploadDeck(client, 'bench-wholesale', countryDeck('0.0100'));
  const carrier = await uploadDeck(client, 'bench-carrier', countryDeck('0.0050'));
  await createAccount(client, { id: 'root', parent_id: null, tier: 'super_admin',
    mode: 'postpaid', credit_limit: null, rate_deck_id: null });
  await createAccount(client, { id: 'admin', parent_id: 'root', tier: 'admin',
    mode: 'postpaid', credit_limit: '100000000', rate_deck_id: carrier });
  const resellerIds = Array.from({ length: options.resellers }, (_, index) => `res${index}`);
  await inParallel(resellerIds, chargingBenchLimits.provisioningInFlight, async (id) => {
    await createAccount(client, { id, parent_id: 'admin', tier: 'reseller', mode: 'prepaid',
      rate_deck_id: wholesale });
    await topup(client, id, '10000000');
  });
  const customerIds = Array.from({ length: options.customers }, (_, index) => `cus${index}`);
  await inParallel(customerIds, chargingBenchLimits.provisioningInFlight, async (id) => {
    const reseller = resellerIds[Number(id.slice(3)) % resellerIds.length];
    await createAccount(client, { id, parent_id: reseller, tier: 'customer', mode: 'prepaid',
      rate_deck_id: retail });
    await topup(client, id, '1000000');
  });
  const key = field(must(await client.post('/v1/accounts/admin/api-keys', {}), 'admin key'),
    'key');
  return { customerIds, accountIds: ['admin', ...resellerIds, ...customerIds],
    callees: calleesOf(retailCsv, seededRandom(options.seed), 10_000), switchKey: String(key) };
}

// ---------------------------------------------------------------------------------------------
// Invariants through the API

export interface InvariantReport {
  readonly cdrs: number;
  readonly terminated: number;
  readonly duplicateCdrs: number;
  readonly accountsChecked: number;
  readonly overdrawn: readonly string[];
  readonly stillReserved: readonly string[];
  readonly unsettled: number;
  readonly ok: boolean;
}

function money(text: unknown): bigint {
  const parsed = parseMicros(String(text), { allowNegative: true });
  if (!parsed.ok) throw new Error(`not an amount: ${String(text)}`);
  return parsed.value;
}

async function countCdrs(client: HttpClient, sessionPrefix: string):
  Promise<{ cdrs: number; duplicates: number }> {
  const sessions = new Set<string>();
  let duplicates = 0;
  let after: string | null = null;
  for (let page = 0; page < chargingBenchLimits.cdrPagesMax; page += 1) {
    const query = `account_id=root&limit=${chargingBenchLimits.cdrPageSize}` +
      (after === null ? '' : `&after=${encodeURIComponent(after)}`);
    const body = must(await client.get(`/v1/cdrs?${query}`), 'CDR listing');
    const cdrs = field(body, 'cdrs') as Array<Record<string, unknown>>;
    for (const cdr of cdrs) {
      // Calls are placed with the customers' keys, so the operator key reads their ids in the
      // keys' namespaces (`<account>~<id>`, http/tenant-ids.ts).
      const named = String(cdr['session_id']);
      const sessionId = named.slice(named.lastIndexOf('~') + 1);
      if (!sessionId.startsWith(`${sessionPrefix}-`)) continue;
      if (sessions.has(sessionId)) duplicates += 1;
      sessions.add(sessionId);
    }
    after = (field(body, 'next_after') as string | null) ?? null;
    if (after === null) break;
  }
  return { cdrs: sessions.size + duplicates, duplicates };
}

/**
 * Every granted session settled exactly once (one CDR per terminate), no account below minus
 * its credit limit, nothing still reserved once every call has ended.
 */
async function checkInvariants(client: HttpClient, provisioned: Provisioned, run: CallRun,
  sessionPrefix: string): Promise<InvariantReport> {
  const { cdrs, duplicates } = await countCdrs(client, sessionPrefix);
  const overdrawn: string[] = [];
  const stillReserved: string[] = [];
  await inParallel(provisioned.accountIds, chargingBenchLimits.provisioningInFlight,
    async (id) => {
      const body = must(await client.get(`/v1/accounts/${id}`), `account ${id}`);
      const limit = field(body, 'credit_limit');
      const floorMicros = limit === null ? null : -money(limit);
      if (floorMicros !== null && money(field(body, 'balance')) < floorMicros) overdrawn.push(id);
      if (money(field(body, 'reserved')) !== 0n) stillReserved.push(id);
    });
  const ok = cdrs === run.terminated && duplicates === 0 && overdrawn.length === 0 &&
    stillReserved.length === 0 && run.unsettled === 0;
  return { cdrs, terminated: run.terminated, duplicateCdrs: duplicates,
    accountsChecked: provisioned.accountIds.length, overdrawn, stillReserved,
    unsettled: run.unsettled, ok };
}

// ---------------------------------------------------------------------------------------------
// One mode against one fresh server

export interface ModeResult {
  readonly mode: 'closed' | 'cps';
  readonly store: string;
  readonly closedLoop?: RecorderSummary;
  readonly cpsSteps?: readonly CpsStepResult[];
  /** The highest CPS step that met the SLO, or null. */
  readonly cpsAtSlo?: number | null;
  readonly calls: { started: number; granted: number; refused: number; terminated: number };
  readonly serverCpuSPer1000Requests: number | null;
  readonly serverMainThreadCpuSPer1000Requests: number | null;
  readonly generatorCpuSPer1000Requests: number;
  /** This process's event-loop delay while driving: it is inside every measured latency. */
  readonly generatorLoopDelayMs: { readonly p99: number; readonly max: number };
  readonly serverPeakRssBytes: number | null;
  readonly bytesOnDiskPerCall: number | null;
  readonly invariants: InvariantReport;
  readonly elapsedMs: number;
}

/** CPU of the server and of this process over the measured windows. */
class CpuMeter {
  /** Null when /proc cannot be read (not Linux). */
  serverS: number | null = 0;
  /** The server's main thread alone. */
  serverMainS: number | null = 0;
  generatorS = 0;
  readonly #pid: number;
  #serverAtStart: number | null = null;
  #serverMainAtStart: number | null = null;
  #generatorAtStart = process.cpuUsage();

  constructor(pid: number) {
    this.#pid = pid;
  }

  edge(edge: 'start' | 'end'): void {
    if (edge === 'start') {
      this.#serverAtStart = readCpuSeconds(this.#pid);
      this.#serverMainAtStart = readCpuSeconds(this.#pid, 'main');
      this.#generatorAtStart = process.cpuUsage();
      return;
    }
    const server = readCpuSeconds(this.#pid);
    this.serverS = server === null || this.#serverAtStart === null || this.serverS === null
      ? null : this.serverS + server - this.#serverAtStart;
    const main = readCpuSeconds(this.#pid, 'main');
    this.serverMainS = main === null || this.#serverMainAtStart === null ||
      this.serverMainS === null ? null : this.serverMainS + main - this.#serverMainAtStart;
    const used = process.cpuUsage(this.#generatorAtStart);
    this.generatorS += (used.user + used.system) / 1e6;
  }
}

/** The client that offers the load; the operator's set-up calls always use node:http. */
function loadClient(options: ChargingBenchOptions, client: HttpClientOptions): HttpClient {
  return options.client === 'raw' ? createRawHttpClient(client) : createHttpClient(client);
}

/** The session a request is about: in the body of an authorize, in the path otherwise. */
function sessionOf(path: string, body: unknown): string {
  const fromBody = (body as { session_id?: unknown } | null)?.session_id;
  if (typeof fromBody === 'string') return fromBody;
  return path.split('/')[3] ?? '';
}

/**
 * One client over several nodes: every request of a call goes to the same node, chosen by its
 * session id, as a switch pinned to one node would send them.
 */
function splitByCall(clients: readonly HttpClient[]): HttpClient {
  if (clients.length === 1) return clients[0]!;
  const pick = (path: string, body: unknown) => {
    const session = sessionOf(path, body);
    let hash = 0;
    for (let index = 0; index < session.length; index += 1) {
      hash = (hash * 31 + session.charCodeAt(index)) >>> 0;
    }
    return clients[hash % clients.length]!;
  };
  return {
    post: (path, body) => pick(path, body).post(path, body),
    postText: (path, text, type) => clients[0]!.postText(path, text, type),
    get: (path) => clients[0]!.get(path),
    close: () => {
      for (const client of clients) client.close();
    },
  };
}

export function trafficOf(client: HttpClient, provisioned: Provisioned,
  options: ChargingBenchOptions,
  sessionPrefix: string): CallTraffic {
  return { client, customerIds: provisioned.customerIds, callees: provisioned.callees,
    durationMeanS: options.durationMeanS, durationMinS: options.durationMinS,
    durationMaxS: options.durationMaxS, updateIntervalS: options.updateIntervalS,
    unansweredShare: options.unansweredShare, sessionPrefix,
    random: seededRandom(options.seed + 1) };
}

export function meetsSlo(summary: RecorderSummary): boolean {
  const live = summary.kinds.filter((kind) => kind.kind === 'authorize' || kind.kind === 'update');
  return summary.serverErrors === 0 && summary.networkErrors === 0 && live.every((kind) =>
    kind.p99Ms <= slo.p99MsMax && kind.p999Ms <= slo.p999MsMax);
}

async function driveMode(mode: 'closed' | 'cps', traffic: CallTraffic,
  options: ChargingBenchOptions, meter: CpuMeter) {
  const onWindow = (edge: 'start' | 'end') => meter.edge(edge);
  if (mode === 'closed') {
    const run = await runClosedLoop(traffic, { concurrency: options.concurrency,
      durationMs: options.closedLoopMs, warmupMs: options.warmupMs, onWindow });
    const summary = run.recorder.summary();
    return { run, requests: summary.requests, extra: { closedLoop: summary } };
  }
  const { run, steps } = await runCpsSteps(traffic, { callsPerS: options.cpsSteps,
    stepMs: options.cpsStepMs, drainMs: chargingBenchLimits.drainMs, meetsSlo, onWindow,
    warmupMs: options.warmupMs, continuePastMiss: options.allSteps,
    simulatedSecondsPerRealSecond: options.simulatedSecondsPerRealSecond });
  const requests = steps.reduce((sum, step) => sum + step.summary.requests, 0);
  // The capacity at SLO is the last step before the first miss, as the ramp defines it.
  const firstMiss = steps.findIndex((step) => !step.meetsSlo);
  const passed = firstMiss < 0 ? steps : steps.slice(0, firstMiss);
  return { run, requests,
    extra: { cpsSteps: steps, cpsAtSlo: passed.at(-1)?.callsPerS ?? null } };
}

/** Bytes of the store once everything written is in the main file (WAL checkpointed). */
async function settledBytes(target: StoreTarget): Promise<number> {
  if (target.checkpoint !== undefined) target.checkpoint();
  return target.bytesOnDisk();
}

/** Provisions, drives and checks one mode against a server that runs on its own store. */
async function measureMode(mode: 'closed' | 'cps', options: ChargingBenchOptions,
  servers: readonly ServerProcess[], target: StoreTarget, operator: HttpClient):
  Promise<Omit<ModeResult, 'elapsedMs'>> {
  const server = servers[0]!;
  const provisioned = await provision(operator, options);
  if (options.fraud === 'on') {
    await armBenchFraudRules({ port: server.port, key: provisioned.switchKey,
      resellerIds: provisioned.accountIds.filter((id) => id.startsWith('res')) });
  }
  const bytesBefore = await settledBytes(target);
  const switchClient = splitByCall(servers.map((node) => loadClient(options, {
    host: '127.0.0.1', port: node.port, socketsMax: options.concurrency,
    authorization: `Bearer ${provisioned.switchKey}` })));
  const meter = new CpuMeter(server.pid);
  const prefix = `${mode}-${options.seed}`;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const driven = await driveMode(mode, trafficOf(switchClient, provisioned, options, prefix),
    options, meter).finally(() => {
    loopDelay.disable();
    switchClient.close();
  });
  const invariants = await checkInvariants(operator, provisioned, driven.run, prefix);
  const serverPeakRssBytes = readPeakRssBytes(server.pid);
  // A clean stop closes the database, so the size below is the store at rest.
  for (const node of servers) await node.stop();
  const bytesAfter = await settledBytes(target);
  const run = driven.run;
  const per1000 = (seconds: number) => driven.requests === 0 ? 0
    : round((seconds * 1_000) / driven.requests, 3);
  const store = servers.length > 1 ? `${target.describe}, ${servers.length} nodes`
    : target.describe;
  return { mode, store, ...driven.extra,
    calls: { started: run.callsStarted, granted: run.granted, refused: run.refused,
      terminated: run.terminated },
    serverCpuSPer1000Requests: meter.serverS === null ? null : per1000(meter.serverS),
    serverMainThreadCpuSPer1000Requests: meter.serverMainS === null ? null
      : per1000(meter.serverMainS),
    generatorCpuSPer1000Requests: per1000(meter.generatorS),
    generatorLoopDelayMs: { p99: round(loopDelay.percentile(99) / 1e6, 1),
      max: round(loopDelay.max / 1e6, 1) },
    serverPeakRssBytes, invariants,
    bytesOnDiskPerCall: run.callsStarted === 0 ? null
      : Math.round((bytesAfter - bytesBefore) / run.callsStarted) };
}

/** One mode on a fresh server and store, removed afterwards whatever happens. */
async function runMode(mode: 'closed' | 'cps', options: ChargingBenchOptions):
  Promise<ModeResult> {
  const startedMs = performance.now();
  const adminKey = randomBytes(adminKeyBytes).toString('hex');
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-load-'));
  const target = options.store === 'sqlite' ? sqliteTarget(directory)
    : postgresTarget(options.postgresUrl, mode);
  const servers: ServerProcess[] = [];
  let operator: HttpClient | null = null;
  try {
    const nodes = options.store === 'postgres' ? options.nodes : 1;
    // One after the other: the first node migrates the schema.
    for (let index = 0; index < nodes; index += 1) {
      servers.push(await startTollgate(target, adminKey, options.fraud));
    }
    // Nodes share the trees out on their ticks (500 ms by default): let them settle first.
    if (nodes > 1) await sleep(chargingBenchLimits.clusterSettleMs);
    operator = createHttpClient({ host: '127.0.0.1', port: servers[0]!.port,
      socketsMax: chargingBenchLimits.provisioningInFlight,
      authorization: `Bearer ${adminKey}` });
    const measured = await measureMode(mode, options, servers, target, operator);
    return { ...measured, elapsedMs: Math.round(performance.now() - startedMs) };
  } finally {
    operator?.close();
    for (const node of servers) await node.stop();
    await target.cleanUp();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function measureFloor(options: ChargingBenchOptions): Promise<RecorderSummary> {
  const floor = await startFloor();
  const client = loadClient(options, { host: '127.0.0.1', port: floor.port,
    socketsMax: options.concurrency });
  const body = { session_id: 'floor-1', account_id: 'cus1', caller: '15550001',
    callee: '4420791234567', request_number: 0 };
  try {
    return await runFixedRequestLoop({ send: () => client.post('/echo', body),
      concurrency: options.concurrency, durationMs: options.floorMs,
      warmupMs: Math.min(options.warmupMs, 1_000) });
  } finally {
    client.close();
    await floor.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

interface Disclosure {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly node: string;
  readonly fsyncOverwrite: FsyncLatency;
  readonly fsyncAppend: FsyncLatency;
  readonly store: string;
  readonly generatorSharesMachine: true;
}

function disclose(options: ChargingBenchOptions): Disclosure {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-fsync-'));
  try {
    const samples = chargingBenchLimits.fsyncSamples;
    return { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryBytes: totalmem(), node: process.version,
      fsyncOverwrite: measureFsyncLatency(directory, samples, 'overwrite'),
      fsyncAppend: measureFsyncLatency(directory, samples, 'append'),
      store: options.store === 'sqlite' ? 'SQLite WAL, synchronous FULL'
        : 'PostgreSQL, server default settings', generatorSharesMachine: true };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function latencyRows(summary: RecorderSummary): string[] {
  return summary.kinds.map((kind) => [kind.kind.padEnd(10), String(kind.count).padStart(8),
    String(kind.perS).padStart(7), ...[kind.p50Ms, kind.p95Ms, kind.p99Ms, kind.p999Ms,
      kind.maxMs].map((value) => value.toFixed(2).padStart(8))].join(' '));
}

const latencyHeader = `${'request'.padEnd(10)} ${'count'.padStart(8)} ${'req/s'.padStart(7)} ` +
  ['p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'max ms'].map((name) => name.padStart(8)).join(' ');

function modeLines(result: ModeResult, floor: RecorderSummary): string[] {
  const lines = [`--- ${result.mode === 'closed' ? 'closed-loop maximum' : 'fixed-CPS ramp'}` +
    ` on ${result.store} (${Math.round(result.elapsedMs / 1_000)} s with setup and checks)`];
  if (result.closedLoop !== undefined) {
    const summary = result.closedLoop;
    lines.push(latencyHeader, ...latencyRows(summary),
      `total ${summary.requestsPerS} req/s over ${summary.elapsedS} s; floor ` +
      `${floor.requestsPerS} req/s; ratio Tollgate/floor ` +
      `${round(summary.requestsPerS / Math.max(1, floor.requestsPerS), 3)}`,
      `non-2xx: ${JSON.stringify(summary.outcomes)}`);
  }
  for (const step of result.cpsSteps ?? []) {
    const stats = (name: string) => {
      const kind = step.summary.kinds.find((found) => found.kind === name);
      // Below 1,000 samples the p99.9 is simply the slowest request: say so next to it.
      return kind === undefined ? `${name} -` : `${name} n=${kind.count} p50 ${kind.p50Ms} ` +
        `p99 ${kind.p99Ms} p99.9 ${kind.p999Ms}${kind.count < 1_000 ? ' (max)' : ''} ms`;
    };
    lines.push(`CPS ${String(step.callsPerS).padStart(5)}: ${step.summary.requestsPerS} req/s; ` +
      ['authorize', 'update', 'terminate'].map(stats).join('; ') +
      `; 5xx ${step.summary.serverErrors}; shed ${step.shed}; ` +
      `SLO ${step.meetsSlo ? 'met' : 'MISSED'}` +
      (Object.keys(step.summary.outcomes).length === 0 ? ''
        : `; non-2xx ${JSON.stringify(step.summary.outcomes)}`));
  }
  if (result.cpsSteps !== undefined) lines.push(`highest CPS at SLO: ${result.cpsAtSlo ?? 'none'}`);
  const rss = result.serverPeakRssBytes;
  lines.push(`calls ${JSON.stringify(result.calls)}; server CPU ` +
    `${result.serverCpuSPer1000Requests ?? '?'} s/1000 req, main thread ` +
    `${result.serverMainThreadCpuSPer1000Requests ?? '?'} (load generator ` +
    `${result.generatorCpuSPer1000Requests}, event-loop delay p99 ` +
    `${result.generatorLoopDelayMs.p99} ms, max ${result.generatorLoopDelayMs.max} ms); peak RSS ` +
    `${rss === null ? '?' : (rss / 1_048_576).toFixed(0)} MB; ` +
    `${result.bytesOnDiskPerCall ?? '?'} B on disk per call`,
  `invariants ${result.invariants.ok ? 'hold' : 'BROKEN'}: ${JSON.stringify(result.invariants)}`);
  return lines;
}

function printReport(disclosure: Disclosure, floor: RecorderSummary,
  results: readonly ModeResult[], options: ChargingBenchOptions): void {
  const fsync = (probe: FsyncLatency) => `p50 ${probe.p50Ms} ms, p99 ${probe.p99Ms} ms, ` +
    `mean ${probe.meanMs} ms`;
  const lines = [
    `W2 charging over HTTP: ${options.customers} customers under ${options.resellers} ` +
      `resellers under one admin; ${options.concurrency} concurrent; call mean ` +
      `${options.durationMeanS} s (${options.durationMinS}-${options.durationMaxS}), update ` +
      `every ${options.updateIntervalS} s, ${options.unansweredShare * 100}% unanswered; ` +
      `client: ${options.client === 'raw' ? 'raw-socket' : 'node:http agent'} keep-alive, ` +
      `${options.concurrency} sockets`,
    `machine: ${disclosure.cores} cores (${disclosure.cpuModel}), ` +
      `${(disclosure.memoryBytes / 1_073_741_824).toFixed(1)} GiB, node ${disclosure.node}; ` +
      `${chargingBenchLimits.fsyncSamples} fsyncs of a 4 KiB block in the temp directory: ` +
      `overwriting ${fsync(disclosure.fsyncOverwrite)}; appending ` +
      `${fsync(disclosure.fsyncAppend)}`,
    `store ${disclosure.store}; the load generator shares the machine (its CPU is shown ` +
      'per mode), so every figure is a lower bound',
    `floor (bare fastify POST /echo, TypeBox schema, same client): ${floor.requestsPerS} ` +
      `req/s, p50 ${floor.kinds[0]?.p50Ms ?? '-'} ms, p99 ${floor.kinds[0]?.p99Ms ?? '-'} ms`,
  ];
  for (const result of results) lines.push(...modeLines(result, floor));
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Entry points

function assertPlanFits(options: ChargingBenchOptions): void {
  const loadMs = { closed: options.warmupMs + options.closedLoopMs,
    cps: options.warmupMs + options.cpsSteps.length * options.cpsStepMs +
      chargingBenchLimits.drainMs };
  // Setup and the checks take a few seconds more; leave them a sixth of the budget.
  const loadMsMax = (chargingBenchLimits.modeMsMax * 5) / 6;
  for (const mode of options.modes) {
    if (loadMs[mode] > loadMsMax) {
      throw new Error(`the ${mode} mode would run ${loadMs[mode]} ms; at most ${loadMsMax}`);
    }
  }
  if (options.customers > chargingBenchLimits.customersMax || options.customers < 1) {
    throw new Error(`customers must be 1-${chargingBenchLimits.customersMax}`);
  }
}

export async function runChargingLoadBench(overrides: Partial<ChargingBenchOptions> = {}):
  Promise<Record<string, unknown>> {
  const options = { ...chargingBenchDefaults, ...overrides };
  assertPlanFits(options);
  const disclosure = disclose(options);
  const floor = await measureFloor(options);
  const results: ModeResult[] = [];
  for (const mode of options.modes) results.push(await runMode(mode, options));
  printReport(disclosure, floor, results, options);
  const closed = results.find((result) => result.mode === 'closed')?.closedLoop;
  return { bench: 'charging-load', options, disclosure, floor, results,
    ratioToFloor: closed === undefined ? null
      : round(closed.requestsPerS / Math.max(1, floor.requestsPerS), 3),
    invariantsHold: results.every((result) => result.invariants.ok) };
}

const usage = `charging load bench flags:
  --postgres [--postgres-url URL]   PostgreSQL instead of SQLite (URL default: DATABASE_URL_TEST)
  --mode closed|cps                 one mode only (default: both)
  --concurrency N                   virtual calls in flight in the closed loop (default 64)
  --seconds S                       closed-loop measured time (default 20)
  --cps 10,50,...                   CPS steps; --step-seconds S each (default 6)
  --all-steps                       keep ramping after a step misses the SLO
  --mean-seconds S | --short        call duration mean; --short: 1-5 s calls
  --interval-seconds S              update interval (default 30)
  --speed K                         simulated seconds per real second in CPS steps (default 60)
  --customers N --resellers N       the hierarchy (default 1000 under 10)
  --node-http                       offer load with node:http instead of the raw-socket client
  --fraud on|off                    fraud control with every rule armed (default on)
  --nodes N                         N Tollgate nodes on one PostgreSQL database; each call is
                                    sent to one of them (the owner of its tree may be another)`;

function positive(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be positive`);
  return value;
}

/**
 * Options from command-line flags (after the bench's name); unknown flags are an error.
 * `help`: the usage was printed and nothing should run.
 */
export function parseChargingBenchArgs(argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>): Partial<ChargingBenchOptions> | 'help' {
  const { values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false,
    options: { 'postgres': { type: 'boolean' }, 'postgres-url': { type: 'string' },
      'mode': { type: 'string' }, 'concurrency': { type: 'string' },
      'seconds': { type: 'string' }, 'cps': { type: 'string' },
      'step-seconds': { type: 'string' }, 'mean-seconds': { type: 'string' },
      'short': { type: 'boolean' }, 'interval-seconds': { type: 'string' },
      'speed': { type: 'string' }, 'customers': { type: 'string' },
      'resellers': { type: 'string' }, 'node-http': { type: 'boolean' },
      'all-steps': { type: 'boolean' }, 'fraud': { type: 'string' },
      'nodes': { type: 'string' },
      'help': { type: 'boolean' } } });
  if (values.help === true) {
    console.log(usage);
    return 'help';
  }
  const picked: Record<string, unknown> = {
    store: values.postgres === true || values['postgres-url'] !== undefined ? 'postgres'
      : undefined,
    postgresUrl: values['postgres-url'] ?? env['DATABASE_URL_TEST'],
    modes: values.mode === undefined ? undefined : [values.mode === 'cps' ? 'cps' : 'closed'],
    concurrency: positive(values.concurrency, 'concurrency'),
    closedLoopMs: mul(positive(values.seconds, 'seconds'), 1_000),
    cpsSteps: values.cps?.split(',').map((step) => positive(step, 'cps') ?? 1),
    cpsStepMs: mul(positive(values['step-seconds'], 'step-seconds'), 1_000),
    durationMeanS: positive(values['mean-seconds'], 'mean-seconds'),
    updateIntervalS: positive(values['interval-seconds'], 'interval-seconds'),
    simulatedSecondsPerRealSecond: positive(values.speed, 'speed'),
    customers: positive(values.customers, 'customers'),
    resellers: positive(values.resellers, 'resellers'),
    client: values['node-http'] === true ? 'node-http' : undefined,
    allSteps: values['all-steps'] === true ? true : undefined,
    fraud: values.fraud === undefined ? undefined : values.fraud === 'off' ? 'off' : 'on',
    nodes: positive(values.nodes, 'nodes'),
    ...(values.short === true ? shortCalls : {}),
  };
  return Object.fromEntries(Object.entries(picked).filter(([, value]) => value !== undefined));
}

function mul(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : value * factor;
}

const invokedDirectly = process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly && process.argv[2] === '--floor-server') {
  await serveFloor(Number(process.argv[3]));
} else if (invokedDirectly) {
  const parsed = parseChargingBenchArgs(process.argv.slice(2), readProcessEnv());
  if (parsed !== 'help') {
    const report = await runChargingLoadBench(parsed);
    process.exitCode = report['invariantsHold'] === true ? 0 : 1;
  }
}
