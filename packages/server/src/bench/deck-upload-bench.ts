import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  chargingBenchDefaults,
  provision,
  sqliteTarget,
  startTollgate,
  trafficOf,
  type ChargingBenchOptions,
} from './charging-load-bench.ts';
import { generateDeckCsv } from './generate-deck.ts';
import {
  CallRun,
  createHttpClient,
  createRawHttpClient,
  field,
  launchAtRate,
  readPeakRssBytes,
  readRssBytes,
  RequestRecorder,
  round,
  type HttpReply,
  type KindSummary,
} from './load-generator.ts';

/**
 * Issue 14, finding 7: what a large deck upload does to everyone's calls. A real server
 * (`tollgate serve`, SQLite FULL) prices a steady load of calls (fixed calls per second, each
 * authorized, updated and terminated over HTTP) while the operator uploads a 1,000,000-row
 * deck; charging latency is reported before, during and after the upload, with the server's
 * memory and the deck's own `memory_bytes`. `--server-bin` runs another build's server (an
 * earlier commit), so the same load measures both.
 */

export interface DeckUploadBenchOptions {
  readonly rows: number;
  readonly callsPerS: number;
  readonly warmupMs: number;
  /** Length of the windows before and after the upload. */
  readonly phaseMs: number;
  readonly serverBin?: string;
}

export const deckUploadBenchDefaults: DeckUploadBenchOptions = {
  rows: 1_000_000, callsPerS: 100, warmupMs: 3_000, phaseMs: 8_000,
};

export const deckUploadBenchLimits = {
  /** The upload must end within this (on a busy shared machine a 1M-row one takes tens of s). */
  uploadMsMax: 180_000,
  /** Calls are launched in slices of this while the upload runs, until it answers. */
  launchSliceMs: 250,
  /** Calls may end on their own this long after the last phase before being hung up. */
  drainMs: 4_000,
  customers: 200,
  resellers: 4,
} as const;

const deckSeed = 20_240_101;

interface PhaseResult {
  readonly phase: 'before' | 'during' | 'after';
  readonly seconds: number;
  readonly kinds: readonly KindSummary[];
  readonly serverErrors: number;
}

function phaseOf(phase: PhaseResult['phase'], recorder: RequestRecorder): PhaseResult {
  const summary = recorder.summary();
  return { phase, seconds: summary.elapsedS, kinds: summary.kinds,
    serverErrors: summary.serverErrors + summary.networkErrors };
}

/** The load offered while the upload runs, until it has answered. */
async function driveDuring(run: CallRun, launch: (ms: number) => Promise<void>,
  upload: Promise<HttpReply>): Promise<{ reply: HttpReply; uploadMs: number }> {
  const startedMs = performance.now();
  let reply: HttpReply | null = null;
  const answered = upload.then((found) => {
    reply = found;
  });
  const slicesMax = deckUploadBenchLimits.uploadMsMax / deckUploadBenchLimits.launchSliceMs;
  for (let slice = 0; slice < slicesMax && reply === null; slice += 1) {
    await launch(deckUploadBenchLimits.launchSliceMs);
  }
  await answered;
  const uploadMs = performance.now() - startedMs;
  if (reply === null) throw new Error('the upload did not answer');
  return { reply, uploadMs };
}

export async function runDeckUploadBench(overrides: Partial<DeckUploadBenchOptions> = {}):
  Promise<Record<string, unknown>> {
  const options = { ...deckUploadBenchDefaults, ...overrides };
  const csv = generateDeckCsv({ rows: options.rows, seed: deckSeed });
  const adminKey = randomBytes(24).toString('hex');
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-deck-upload-'));
  const target = sqliteTarget(directory);
  const server = await startTollgate(target, adminKey, 'off', options.serverBin);
  const operator = createHttpClient({ host: '127.0.0.1', port: server.port, socketsMax: 4,
    authorization: `Bearer ${adminKey}`, requestTimeoutMs: deckUploadBenchLimits.uploadMsMax });
  try {
    const charging: ChargingBenchOptions = { ...chargingBenchDefaults,
      customers: deckUploadBenchLimits.customers, resellers: deckUploadBenchLimits.resellers };
    const provisioned = await provision(operator, charging);
    const switchClient = createRawHttpClient({ host: '127.0.0.1', port: server.port,
      socketsMax: charging.concurrency, authorization: `Bearer ${provisioned.switchKey}` });
    const traffic = trafficOf(switchClient, provisioned, charging, 'upload');
    const run = new CallRun(charging.simulatedSecondsPerRealSecond);
    const calls = new Set<Promise<void>>();
    const launch = (ms: number) => launchAtRate(traffic, run, calls, options.callsPerS, ms);
    await launch(options.warmupMs);
    const before = new RequestRecorder();
    run.recorder = before;
    await launch(options.phaseMs);
    before.close();
    const rssBeforeBytes = readRssBytes(server.pid);
    const during = new RequestRecorder();
    run.recorder = during;
    const upload = operator.postText(`/v1/rate-decks?name=big&currency=USD`, csv, 'text/csv');
    const { reply, uploadMs } = await driveDuring(run, launch, upload);
    during.close();
    const rssAfterUploadBytes = readRssBytes(server.pid);
    const after = new RequestRecorder();
    run.recorder = after;
    await launch(options.phaseMs);
    after.close();
    const hangUp = setTimeout(() => {
      run.hangUpNow = true;
    }, deckUploadBenchLimits.drainMs);
    await Promise.all(calls);
    clearTimeout(hangUp);
    switchClient.close();
    // Summed only now: a request sent during the upload and answered after it belongs to it.
    const phases = [phaseOf('before', before), phaseOf('during', during),
      phaseOf('after', after)];
    const report = { bench: 'deck-upload', options, csvBytes: csv.length,
      upload: { status: reply.statusCode, ms: Math.round(uploadMs),
        code: field(reply.body, 'code') ?? null, rows: field(reply.body, 'rows') ?? null,
        memoryBytes: field(reply.body, 'memory_bytes') ?? null },
      serverRssBytes: { beforeUpload: rssBeforeBytes, afterUpload: rssAfterUploadBytes,
        peak: readPeakRssBytes(server.pid) },
      calls: { started: run.callsStarted, granted: run.granted, refused: run.refused,
        unsettled: run.unsettled }, phases };
    printReport(report, phases);
    return report;
  } finally {
    operator.close();
    await server.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

const megabyte = 1_048_576;

function printReport(report: { options: DeckUploadBenchOptions; csvBytes: number;
  upload: { status: number; ms: number; code: unknown; memoryBytes: unknown };
  serverRssBytes: { beforeUpload: number | null; afterUpload: number | null;
    peak: number | null }; calls: Record<string, number> }, phases: readonly PhaseResult[]):
  void {
  const mb = (bytes: unknown) => typeof bytes === 'number'
    ? `${(bytes / megabyte).toFixed(0)} MB` : '?';
  const lines = [
    `deck upload during charging: ${report.options.callsPerS} calls/s (authorize, updates, ` +
      `terminate) against tollgate serve on SQLite FULL${report.options.serverBin === undefined
        ? '' : ` (server ${report.options.serverBin})`}, while the operator uploads a ` +
      `${report.options.rows}-row deck (${mb(report.csvBytes)})`,
    `upload: ${report.upload.status} ${String(report.upload.code ?? '')} in ` +
      `${report.upload.ms} ms; deck memory_bytes ${mb(report.upload.memoryBytes)}; server RSS ` +
      `${mb(report.serverRssBytes.beforeUpload)} before, ${mb(report.serverRssBytes.afterUpload)}` +
      ` after, peak ${mb(report.serverRssBytes.peak)}`,
    `${'phase'.padEnd(7)} ${'request'.padEnd(10)} ${'count'.padStart(6)} ` +
      ['p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'].map((name) => name.padStart(9)).join(' '),
  ];
  for (const phase of phases) {
    for (const kind of phase.kinds) {
      lines.push(`${phase.phase.padEnd(7)} ${kind.kind.padEnd(10)} ` +
        `${String(kind.count).padStart(6)} ` + [kind.p50Ms, kind.p99Ms, kind.p999Ms,
        kind.maxMs].map((value) => round(value, 2).toFixed(2).padStart(9)).join(' '));
    }
    if (phase.serverErrors > 0) lines.push(`${phase.phase}: ${phase.serverErrors} errors`);
  }
  lines.push(`calls ${JSON.stringify(report.calls)}`);
  console.log(lines.join('\n'));
}

export function parseDeckUploadBenchArgs(argv: readonly string[]):
  Partial<DeckUploadBenchOptions> {
  const { values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false,
    options: { 'rows': { type: 'string' }, 'cps': { type: 'string' },
      'server-bin': { type: 'string' }, 'phase-seconds': { type: 'string' } } });
  const positive = (text: string | undefined, name: string) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name}: a count`);
    return value;
  };
  const picked = { rows: positive(values.rows, 'rows'), callsPerS: positive(values.cps, 'cps'),
    phaseMs: (positive(values['phase-seconds'], 'phase-seconds') ?? 0) * 1_000 || undefined,
    serverBin: values['server-bin'] };
  return Object.fromEntries(Object.entries(picked).filter(([, value]) =>
    value !== undefined)) as Partial<DeckUploadBenchOptions>;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runDeckUploadBench(parseDeckUploadBenchArgs(process.argv.slice(2)));
  process.exitCode = (report['upload'] as { status: number }).status === 201 ? 0 : 1;
}
