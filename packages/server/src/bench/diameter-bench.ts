import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  chargingDefaults,
  createChargingService,
  createLedgerService,
  parseMicros,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  type RateDeck,
} from '@tollgate/core';
import { systemClock } from '../app/system-clock.ts';
import { encodeAnswer } from '../diameter/base-answers.ts';
import { ccaHead, grantAvps } from '../diameter/cca-build.ts';
import { parseCreditControlRequest } from '../diameter/ccr-parse.ts';
import { avp, decodeMessage, encodeMessage } from '../diameter/diameter-codec.ts';
import { startDiameter } from '../diameter/diameter-service.ts';
import { sqliteSubscriberIdentityStore } from '../diameter/subscriber-identity-store.ts';
import { createSqliteSessionOriginStore } from '../switches/teardown/session-origin-stores.ts';
import { createSwitchServices } from '../switches/teardown/switch-services.ts';
import { createSqliteChargingStore } from '../storage/sqlite/sqlite-charging-store.ts';
import { SqliteDatabase, type SqliteSynchronous } from '../storage/sqlite/sqlite-database.ts';
import { readProcessEnv } from '../config/load-config.ts';
import { SqliteBatchWriter } from '../storage/sqlite/sqlite-batch-writer.ts';
import { sqliteEngineStorage } from '../storage/engine/engine-storage-dialects.ts';
import { engineOver } from '../storage/engine/open-engine.ts';
import type { BenchClientInput, BenchClientReport } from './diameter-bench-client.ts';

/**
 * CCR round trips per second through Tollgate's Diameter server over 1 and over 8 connections
 * (issue 5: goal >= 20,000/s). Each call is CCR-I, CCR-U x3, CCR-T on the real charging path
 * (SQLite, group commit); DWR round trips and an in-thread codec loop give the protocol
 * layer's own ceiling. The clients run in worker threads of this process; the server in its
 * main thread.
 */

export interface DiameterBenchOptions {
  readonly durationMs: number;
  readonly inFlightTotal: number;
  readonly synchronous: SqliteSynchronous;
  /** The charging engine (memory) or one SQL transaction per request (sql). */
  readonly engine: 'memory' | 'sql';
  /** The engine's SQLite batches on a worker thread. */
  readonly writerThread: boolean;
}

export const diameterBenchDefaults: DiameterBenchOptions = {
  durationMs: 10_000,
  inFlightTotal: 64,
  synchronous: 'FULL',
  engine: readProcessEnv()['TOLLGATE_CHARGING_ENGINE'] === 'sql' ? 'sql' : 'memory',
  writerThread: readProcessEnv()['TOLLGATE_SQLITE_WRITER_THREAD'] !== 'false',
};

interface RunResult {
  readonly mode: string;
  readonly connections: number;
  readonly inFlight: number;
  readonly roundTripsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly results: string;
}

function deckOf(): RateDeck {
  const settings = parseRateDeckSettings({ currency: 'USD' });
  if (!settings.ok) throw new Error(settings.message);
  const deck = parseRateDeckCsv('prefix,destination,rate,connect_fee,initial_increment_s,' +
    'increment_s\n44,UK,0.06,0,1,1\n', { settings: settings.value });
  if (!deck.ok) throw new Error(deck.message);
  prefixIndexOf(deck.value);
  return deck.value;
}

function hundredths(value: number): number {
  return Math.round(value * 100) / 100;
}

function runClient(input: BenchClientInput): Promise<BenchClientReport> {
  const suffix = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = new Worker(new URL(`./diameter-bench-client${suffix}`, import.meta.url),
    { workerData: input });
  return new Promise((resolve, reject) => {
    worker.once('message', (report: BenchClientReport) => resolve(report));
    worker.once('error', reject);
  });
}

/**
 * The protocol layer's CPU cost without sockets: decode a Kamailio-shaped CCR-U, read it, and
 * encode its CCA, in this thread.
 */
function measureCodec(durationMs: number): RunResult {
  const request = encodeMessage({ flags: 0x80, commandCode: 272, applicationId: 4,
    hopByHopId: 1, endToEndId: 1 }, [avp('Session-Id', 'kamailio.test.local;1;1'),
    avp('Origin-Host', 'kamailio.test.local'), avp('Origin-Realm', 'test.local'),
    avp('Destination-Realm', 'test.local'), avp('Service-Context-Id', '32260@3gpp.org'),
    avp('CC-Request-Type', 2), avp('CC-Request-Number', 1),
    avp('Subscription-Id', [avp('Subscription-Id-Type', 2),
      avp('Subscription-Id-Data', 'sip:alice@127.0.0.1:5070')]),
    avp('Multiple-Services-Credit-Control', [avp('Used-Service-Unit', [avp('CC-Time', 8)]),
      avp('Requested-Service-Unit', [avp('CC-Time', 10)]), avp('Service-Identifier', 1000),
      avp('Rating-Group', 100)]),
    avp('Service-Information', [avp('IMS-Information', [avp('Role-Of-Node', 0),
      avp('Called-Party-Address', 'sip:4420700000@127.0.0.1')])])]);
  const local = { originHost: 'localhost', originRealm: 'bench.local', productName: 'Tollgate',
    originStateId: 1 };
  const startedMs = performance.now();
  let done = 0;
  while (performance.now() - startedMs < durationMs) {
    for (let index = 0; index < 1_000; index += 1) {
      const message = decodeMessage(request);
      const parsed = parseCreditControlRequest(message.avps);
      encodeAnswer(message, 2001, [...ccaHead(local, parsed, 2001),
        ...grantAvps(parsed, { seconds: 10, final: false })]);
    }
    done += 1_000;
  }
  const elapsedS = (performance.now() - startedMs) / 1_000;
  return { mode: 'codec (no socket)', connections: 0, inFlight: 1,
    roundTripsPerSecond: Math.round(done / elapsedS), p50Ms: 0, p99Ms: 0,
    results: `2001:${done}` };
}

async function measure(options: {
  readonly port: number;
  readonly mode: 'charging' | 'watchdog';
  readonly connections: number;
  readonly inFlightTotal: number;
  readonly durationMs: number;
}): Promise<RunResult> {
  const inFlight = Math.max(1, Math.floor(options.inFlightTotal / options.connections));
  const startedMs = performance.now();
  const reports = await Promise.all(Array.from({ length: options.connections }, (_, index) =>
    runClient({ port: options.port, connectionIndex: index + options.connections * 100,
      inFlight, durationMs: options.durationMs, mode: options.mode, updatesPerCall: 3,
      subscriber: 'sip:bench@127.0.0.1' })));
  const elapsedS = (performance.now() - startedMs) / 1_000;
  const answered = reports.reduce((total, report) => total + report.answered, 0);
  const byResult: Record<string, number> = {};
  for (const report of reports) {
    for (const [code, count] of Object.entries(report.byResult)) {
      byResult[code] = (byResult[code] ?? 0) + count;
    }
  }
  return { mode: options.mode, connections: options.connections, inFlight,
    roundTripsPerSecond: Math.round(answered / elapsedS),
    p50Ms: hundredths(Math.max(...reports.map((report) => report.latencyMs.p50))),
    p99Ms: hundredths(Math.max(...reports.map((report) => report.latencyMs.p99))),
    results: Object.entries(byResult).map(([code, count]) => `${code}:${count}`).join(' ') };
}

export async function runDiameterBench(
  options: DiameterBenchOptions = diameterBenchDefaults,
): Promise<{ results: RunResult[]; allSucceeded: boolean }> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-diameter-bench-'));
  const databasePath = join(directory, 'bench.sqlite');
  const database = new SqliteDatabase({ path: databasePath, synchronous: options.synchronous });
  database.migrate();
  try {
    // The charging engine, as `tollgate serve` runs it (TOLLGATE_CHARGING_ENGINE=sql gives the
    // per-request SQL path; TOLLGATE_SQLITE_WRITER_THREAD=false writes batches on the loop).
    const writer = options.engine === 'memory' && options.writerThread
      ? new SqliteBatchWriter({ path: databasePath, synchronous: options.synchronous,
        busyTimeoutMs: 10_000 }) : null;
    const engine = options.engine === 'sql' ? null
      : engineOver(sqliteEngineStorage(database, writer ?? undefined));
    await engine?.start();
    const store = engine ?? createSqliteChargingStore(database);
    const deck = deckOf();
    const ledger = createLedgerService({ store, clock: systemClock });
    const charging = createChargingService({ store, clock: systemClock,
      decks: { getDeck: async () => deck, loadedDeck: () => deck },
      settings: chargingDefaults, startedAtMs: Date.now() });
    await provision(ledger);
    const identities = sqliteSubscriberIdentityStore(database);
    await identities.put({ kind: 'sip_uri', identity: 'sip:bench@127.0.0.1',
      accountId: 'bench', charging: 'online', createdAtMs: Date.now() });
    // As `tollgate serve` runs it: the kill-aware service, each CCR-I recording its origin.
    const switched = createSwitchServices({ charging, clock: systemClock,
      origins: createSqliteSessionOriginStore(database) });
    const server = await startDiameter({ settings: { host: '127.0.0.1', port: 0,
      originHost: 'localhost', originRealm: 'bench.local', allowedPeers: [] },
    charging: switched.charging, directory: identities, switches: switched.switches,
    clock: systemClock });
    const results: RunResult[] = [measureCodec(Math.min(options.durationMs, 3_000))];
    for (const mode of ['watchdog', 'charging'] as const) {
      for (const connections of [1, 8]) {
        results.push(await measure({ port: server.port, mode, connections,
          inFlightTotal: options.inFlightTotal, durationMs: options.durationMs }));
      }
    }
    await server.close(1_000);
    await engine?.idle();
    await writer?.close();
    const allSucceeded = results.every((result) => /^2001:\d+$/.test(result.results));
    return { results, allSucceeded };
  } finally {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function provision(ledger: ReturnType<typeof createLedgerService>): Promise<void> {
  const zero = parseMicros('0');
  if (!zero.ok) throw new Error(zero.message);
  const base = { name: 'bench', currency: 'USD', creditLimitMicros: zero.value,
    dailyLimitMicros: null, monthlyLimitMicros: null, concurrentCallsMax: null,
    timeZone: 'UTC' } as const;
  const root = await ledger.createAccount({ ...base, id: 'root', tier: 'super_admin',
    parentId: null, mode: 'prepaid', rateDeckId: null });
  const customer = await ledger.createAccount({ ...base, id: 'bench', tier: 'customer',
    parentId: 'root', mode: 'prepaid', rateDeckId: 'd1' });
  const amount = parseMicros('1000000');
  for (const created of [root, customer, amount]) {
    if (!created.ok) throw new Error(`bench accounts: ${created.message}`);
  }
  if (!amount.ok) return;
  const topup = await ledger.topup({ accountId: 'bench', currency: 'USD',
    amountMicros: amount.value, reference: 'bench', idempotencyKey: 'bench' });
  if (!topup.ok) throw new Error(topup.message);
}

/** Prints the table; exit status of the bench run. */
export async function runDiameterBenchReport(): Promise<'ok' | 'failed'> {
  const report = await runDiameterBench();
  console.log('Diameter round trips/s (CCR: I, U x3, T on SQLite synchronous=FULL; DWR: ' +
    'protocol only), %d requests in flight in total', diameterBenchDefaults.inFlightTotal);
  console.table(report.results);
  return report.allSucceeded ? 'ok' : 'failed';
}
