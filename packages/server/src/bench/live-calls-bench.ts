import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { micros } from '@tollgate/core';
import { openServices, type RunningServices } from '../app/services.ts';
import { loadConfig } from '../config/load-config.ts';
import { seedDemo } from '../app/demo-seed.ts';

/**
 * Live calls held by one node: N calls authorized and left running (no update, no
 * terminate), through the charging service in-process (no HTTP, so the figure is the engine's
 * and the store's, not the sockets'). Reports the process RSS with the calls held, the time to
 * authorize them, and the time a restart takes to load them back (the engine's snapshot).
 */
export interface LiveCallsBenchOptions {
  /** A SQLite file in a temporary directory, or a PostgreSQL URL (a schema of its own). */
  readonly database?: string;
  readonly calls: number;
  readonly customers: number;
  readonly inFlight: number;
}

export const liveCallsDefaults: LiveCallsBenchOptions = {
  calls: 100_000,
  customers: 1_000,
  inFlight: 256,
};

const mebibyte = 1024 * 1024;
const unitsMicros = (units: bigint) => micros(units * 1_000_000n);

async function open(path: string, schema: string): Promise<RunningServices> {
  const loaded = loadConfig({ env: { TOLLGATE_DB: path, TOLLGATE_LOG_LEVEL: 'silent',
    TOLLGATE_FRAUD_ENABLED: 'false', TOLLGATE_SQLITE_SYNCHRONOUS: 'FULL',
    TOLLGATE_PG_SCHEMA: schema } });
  if (!loaded.ok) throw new Error(loaded.message);
  return openServices(loaded.value);
}

/** A reseller tree whose customers can pay for many concurrent calls (postpaid, credit). */
async function provision(services: RunningServices, customers: number): Promise<string[]> {
  await seedDemo(services);
  const create = async (input: Parameters<RunningServices['ledger']['createAccount']>[0]) => {
    const created = await services.ledger.createAccount(input);
    if (!created.ok) throw new Error(`${input.id}: ${created.message}`);
  };
  await create({ id: 'live-admin', tier: 'admin', parentId: 'operator', name: 'live admin',
    currency: 'USD', mode: 'postpaid', creditLimitMicros: unitsMicros(100_000_000n),
    rateDeckId: 'demo-wholesale' });
  await create({ id: 'live-res', tier: 'reseller', parentId: 'live-admin', name: 'live res',
    currency: 'USD', mode: 'postpaid', creditLimitMicros: unitsMicros(100_000_000n),
    rateDeckId: 'demo-reseller' });
  const ids: string[] = [];
  for (let index = 0; index < customers; index += 1) {
    const id = `live-c${index}`;
    await create({ id, tier: 'customer', parentId: 'live-res', name: id, currency: 'USD',
      mode: 'postpaid', creditLimitMicros: unitsMicros(1_000_000n), rateDeckId: 'demo-retail' });
    ids.push(id);
  }
  return ids;
}

async function authorizeAll(services: RunningServices, customers: readonly string[],
  options: LiveCallsBenchOptions): Promise<number> {
  let next = 0;
  let granted = 0;
  const worker = async () => {
    for (let index = next++; index < options.calls; index = next++) {
      const result = await services.charging.authorize({ sessionId: `live-${index}`,
        requestNumber: 0,
        accountId: customers[index % customers.length]!, caller: '15550001000',
        callee: `4420794${String(index % 100_000).padStart(5, '0')}` });
      if (result.ok && result.value.status === 'granted') granted += 1;
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  return granted;
}

export async function runLiveCallsBench(options: LiveCallsBenchOptions = liveCallsDefaults):
  Promise<Record<string, unknown>> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-live-'));
  const path = options.database ?? join(directory, 'tollgate.sqlite');
  const schema = `live_calls_${process.pid}`;
  try {
    let services = await open(path, schema);
    const customers = await provision(services, options.customers);
    const rssBeforeMb = process.memoryUsage().rss / mebibyte;
    const started = performance.now();
    const granted = await authorizeAll(services, customers, options);
    const authorizeS = (performance.now() - started) / 1000;
    const rssHeldMb = process.memoryUsage().rss / mebibyte;
    const engine = services.engineStats();
    await services.close();
    const restartStarted = performance.now();
    services = await open(path, schema);
    const restartS = (performance.now() - restartStarted) / 1000;
    const rssAfterRestartMb = process.memoryUsage().rss / mebibyte;
    const live = await services.charging.listLiveSessions({ scopeAccountId: 'live-res',
      limit: 1 });
    await services.close();
    return {
      calls: options.calls, granted, inFlight: options.inFlight,
      authorizeSeconds: round(authorizeS), authorizesPerSecond: Math.round(granted / authorizeS),
      rssBeforeCallsMb: Math.round(rssBeforeMb), rssWithCallsMb: Math.round(rssHeldMb),
      rssPerCallBytes: Math.round(((rssHeldMb - rssBeforeMb) * mebibyte) / granted),
      restartLoadSeconds: round(restartS), rssAfterRestartMb: Math.round(rssAfterRestartMb),
      liveAfterRestart: live.ok && live.value.length > 0,
      batches: engine?.batches, decisionsPerBatchMax: engine?.batchDecisionsMax,
      commitMsPerBatch: engine === null || engine === undefined || engine.batches === 0 ? null
        : round(engine.commitMsTotal / engine.batches),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
