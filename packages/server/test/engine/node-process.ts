import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dropSchema, postgresTestUrl, uniqueSchemaName } from '../storage/postgres-fixture.ts';

// Real `tollgate serve` processes ("nodes") for the engine tests: real sockets, real signals,
// real crashes. Each node is a child of the vitest worker, runs the compiled server (build
// first: `npx tsc -b packages/server`) and never outlives the test that started it.
//
// ENGINE_TEST_SERVER_DIR runs them against another build of packages/server instead of this
// one (for instance the last commit, exported with `git archive` and built elsewhere), so the
// same tests measure the old write path and the new engine.

/** The packages/server directory whose dist/ the nodes (and the ledger check) run. */
export const serverDir = process.env['ENGINE_TEST_SERVER_DIR'] ??
  fileURLToPath(new URL('../../', import.meta.url));
const bin = join(serverDir, 'bin', 'tollgate.js');
const compiledCli = join(serverDir, 'dist', 'cli', 'tollgate.js');

export const adminKey = 'engine-operator-key-0123456789';
const startTimeoutMs = 20_000;
const stopTimeoutMs = 8_000;
const healthPollMs = 50;
const outputKeptChars = 64 * 1024;

/**
 * Loaded into every node before the server: a node whose parent is gone (the vitest worker
 * killed by a timeout or a signal, so no exit hook ran) kills itself within half a second.
 * That is the only guard that works when the parent cannot clean up.
 */
const orphanWatchdog = 'data:text/javascript,' + encodeURIComponent(
  'const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) ' +
  'process.kill(process.pid, "SIGKILL"); }, 500).unref();');

/** Every node still running in this worker: killed on test end and, failing that, on exit. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Where the nodes keep their data, as the TOLLGATE_* variables that name it. */
export interface TestStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly env: Readonly<Record<string, string>>;
  /** Deletes the data (the temporary directory or the PostgreSQL schema). */
  remove(): Promise<void>;
}

export function sqliteStore(label: string): TestStore {
  const directory = mkdtempSync(join(tmpdir(), `tollgate-engine-${label}-`));
  return { kind: 'sqlite', env: { TOLLGATE_DB: join(directory, 'tollgate.sqlite') },
    remove: async () => rmSync(directory, { recursive: true, force: true }) };
}

/**
 * A schema of its own on the test PostgreSQL. Checked here, before any node starts, so an
 * unreachable server fails the test with the connection error instead of a start-up timeout.
 */
export async function postgresStore(label: string): Promise<TestStore> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`PostgreSQL at ${postgresTestUrl} is required and unreachable: ${reason}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const schema = uniqueSchemaName(label);
  return { kind: 'postgres', env: { TOLLGATE_DB: postgresTestUrl, TOLLGATE_PG_SCHEMA: schema },
    remove: () => dropSchema(schema) };
}

export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TollgateNode {
  readonly name: string;
  readonly pid: number;
  readonly baseUrl: string;
  /** What the node printed (stdout and stderr, the last 64 KiB). */
  output(): string;
  readonly exited: Promise<NodeExit>;
  /** Sends the signal and waits for the exit (SIGKILL: `kill -9`, nothing runs after it). */
  kill(signal: NodeJS.Signals): Promise<NodeExit>;
  /** SIGTERM (drain, close the database), SIGKILL when that takes too long. */
  stop(): Promise<NodeExit>;
}

export interface StartNodeOptions {
  readonly name: string;
  readonly store: TestStore;
  /** More TOLLGATE_* settings (slice, grace, sweep interval, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `tollgate serve --port 0` and resolves once its /health answers. */
export async function startNode(options: StartNodeOptions): Promise<TollgateNode> {
  if (!existsSync(compiledCli)) {
    throw new Error(`${compiledCli} is missing: build first (npx tsc -b packages/server)`);
  }
  const child = spawn(process.execPath, ['--import', orphanWatchdog, bin, 'serve',
    '--port', '0', '--host', '127.0.0.1'], {
    env: { ...inheritedEnv(), TOLLGATE_ADMIN_KEY: adminKey, TOLLGATE_LOG_LEVEL: 'warn',
      TOLLGATE_SHUTDOWN_TIMEOUT_MS: '2000', ...options.store.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-outputKeptChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('error', (error) => keep(Buffer.from(`spawn failed: ${error.message}\n`)));
  const exited = new Promise<NodeExit>((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const stop = async () => {
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    try {
      return await kill('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const baseUrl = await waitUntilHealthy(child, () => output);
    return { name: options.name, pid: child.pid ?? -1, baseUrl, output: () => output, exited,
      kill, stop };
  } catch (error) {
    await kill('SIGKILL');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`node ${options.name} did not start: ${reason}\n${output}`);
  }
}

/** A short node script run by this build's Node, watched like a node (never an orphan). */
export function runScript(options: {
  script: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--import', orphanWatchdog,
      '--input-type=module', '-e', options.script, '--', ...options.args], {
      env: { ...inheritedEnv(), ...options.env }, timeout: options.timeoutMs,
      killSignal: 'SIGKILL', maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      running.delete(child);
      if (error === null) resolve(stdout);
      else reject(new Error(`${error.message}\n${stdout}${stderr}`));
    });
    running.add(child);
  });
}

/** Stops every node this worker still runs (for afterEach). */
export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map(async (child) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  }));
}

/** The parent's environment without its TOLLGATE_* settings: a node runs what the test says. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('TOLLGATE_')) env[key] = value;
  }
  return env;
}

/** The address serve prints ("listening on http://..."), then a 200 from /health there. */
async function waitUntilHealthy(child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + startTimeoutMs;
  let baseUrl: string | null = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    }
    baseUrl ??= /listening on (http:\/\/\S+)/.exec(output())?.[1] ?? null;
    if (baseUrl !== null && await isHealthy(baseUrl)) return baseUrl;
    await new Promise((resolve) => setTimeout(resolve, healthPollMs));
  }
  throw new Error(`no healthy answer within ${startTimeoutMs} ms`);
}

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** What a node logged as errors (pino level >= 50): the first one says why it answered 500. */
export function errorFindings(node: TollgateNode): string[] {
  const errors = node.output().split('\n').filter((line) => /"level":(?:50|60)/.test(line));
  return errors.length === 0 ? []
    : [`node ${node.name} logged ${errors.length} errors, first: ${errors[0]!.slice(0, 600)}`];
}
