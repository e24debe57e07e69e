import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createLedgerService,
  micros,
  parseMicros,
  type LedgerService,
  type LedgerStore,
} from '@tollgate/core';
import { openTempPostgresLedger, postgresTestUrl } from './postgres-fixture.ts';
import { openTempSqliteLedger } from './sqlite-fixture.ts';
import {
  mergeReports,
  runLedgerWorkload,
  systemClock,
  type WorkloadChain,
  type WorkloadReport,
} from './ledger-workload.ts';

const workerPath = fileURLToPath(new URL('./ledger-concurrency-worker.ts', import.meta.url));
const tsconfigPath = fileURLToPath(new URL('./tsconfig.worker.json', import.meta.url));
const iterations = 60;

const chain: WorkloadChain = { root: 'root', admin: 'admin', reseller: 'res',
  customers: ['c-hot', 'c-hot', 'c-hot', 'c-1', 'c-2'] };
/** Tight limits, so that every level runs out at some point and refuses. */
const topups: Record<string, string> = { 'c-hot': '30', 'c-1': '25', 'c-2': '25' };

function money(text: string): bigint {
  const parsed = parseMicros(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

async function setUp(ledger: LedgerService): Promise<void> {
  const results: Array<{ ok: boolean }> = [
    await ledger.createAccount({ id: 'root', tier: 'super_admin', parentId: null, name: 'Root',
      currency: 'USD' }),
    await ledger.createAccount({ id: 'admin', tier: 'admin', parentId: 'root', name: 'Admin',
      currency: 'USD', mode: 'postpaid', creditLimitMicros: micros(money('60')) }),
    await ledger.createAccount({ id: 'res', tier: 'reseller', parentId: 'admin', name: 'Hot',
      currency: 'USD', mode: 'postpaid', creditLimitMicros: micros(money('35')) }),
  ];
  for (const [id, amount] of Object.entries(topups)) {
    results.push(await ledger.createAccount({ id, tier: 'customer', parentId: 'res', name: id,
      currency: 'USD' }));
    results.push(await ledger.topup({ accountId: id, currency: 'USD',
      amountMicros: micros(money(amount)), reference: `topup-${id}`, idempotencyKey: id }));
  }
  for (const result of results) expect(result.ok).toBe(true);
}

function forkWorker(config: unknown): Promise<WorkloadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfigPath },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: WorkloadReport | null = null;
    child.on('message', (message) => { report = message as WorkloadReport; });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && report !== null) resolve(report);
      else reject(new Error(`worker ${child.pid} exited with ${code}`));
    });
  });
}

/** After the run: the ledger agrees with itself and with what every client was told. */
async function checkInvariants(ledger: LedgerService, report: WorkloadReport): Promise<void> {
  const verified = await ledger.verifyLedger();
  if (!verified.ok) throw new Error(verified.message);
  expect(verified.value.findings).toEqual([]);
  expect(verified.value.overdrawn).toEqual([]);
  expect(verified.value.transfersNetByCurrency.get('USD')).toBe(0n);
  for (const id of ['admin', 'res', 'c-hot', 'c-1', 'c-2']) {
    const view = await ledger.getAccount(id);
    if (!view.ok) throw new Error(view.message);
    const { account, postedMicros, pendingMicros } = view.value;
    const initial = money(topups[id] ?? '0');
    expect(postedMicros).toBe(initial - BigInt(report.committedByAccount[id] ?? '0'));
    expect(pendingMicros).toBe(BigInt(report.heldByAccount[id] ?? '0'));
    expect(postedMicros).toBeGreaterThanOrEqual(-(account.creditLimitMicros ?? 0n));
    expect(postedMicros + (account.creditLimitMicros ?? 0n) - pendingMicros)
      .toBeGreaterThanOrEqual(0n);
  }
  console.info(`concurrency: ${report.reserved} reserved, refused`, report.refused);
  expect(report.reserved).toBeGreaterThan(100);
  const fundsRefusals = ['insufficient_funds', 'credit_limit_reached']
    .map((code) => report.refused[code] ?? 0);
  expect(fundsRefusals.every((count) => count > 0)).toBe(true);
}

async function runAll(
  store: LedgerStore,
  inProcess: { loops: number },
  workers: ReadonlyArray<Record<string, unknown>>,
): Promise<WorkloadReport> {
  const reports = await Promise.all([
    runLedgerWorkload(store, { chain, label: 'main', loops: inProcess.loops, iterations,
      seed: 1 }),
    ...workers.map((store, index) => forkWorker({ chain, label: `w${index}`, loops: 3,
      iterations, seed: index + 2, store })),
  ]);
  return mergeReports(reports);
}

describe('ledger concurrency', () => {
  it('sqlite: two processes and one in-process writer share one file', async () => {
    const handle = await openTempSqliteLedger();
    try {
      const ledger = createLedgerService({ store: handle.store, clock: systemClock });
      await setUp(ledger);
      const worker = { kind: 'sqlite', path: handle.path };
      const report = await runAll(handle.store, { loops: 3 }, [worker, worker]);
      await checkInvariants(ledger, report);
    } finally {
      await handle.close();
    }
  });

  it('postgres: two processes and several pooled connections per process', async () => {
    const handle = await openTempPostgresLedger('concurrency', { poolSize: 4 });
    try {
      const ledger = createLedgerService({ store: handle.store, clock: systemClock });
      await setUp(ledger);
      const worker = { kind: 'postgres', connectionString: postgresTestUrl,
        schema: handle.schema, poolSize: 3 };
      const report = await runAll(handle.store, { loops: 4 }, [worker, worker]);
      await checkInvariants(ledger, report);
    } finally {
      await handle.close();
    }
  });
});

/** The same request sent many times at once moves money once; every copy gets the answer. */
async function duplicatesAtOnce(store: LedgerStore): Promise<void> {
  const ledger = createLedgerService({ store, clock: systemClock });
  await setUp(ledger);
  const legs = [
    { accountId: 'c-1', parentId: 'res', currency: 'USD', amountMicros: micros(money('2')) },
    { accountId: 'res', parentId: 'admin', currency: 'USD', amountMicros: micros(money('1')) },
  ];
  const reserve = { reservationId: 'dup', reference: 'dup', idempotencyKey: 'dup#0', legs,
    expiresAtMs: Date.now() + 60_000 };
  const reserved = await Promise.all(Array.from({ length: 8 }, () => ledger.reserveChain(reserve)));
  expect(reserved.every((result) => result.ok)).toBe(true);
  expect(reserved.filter((result) => result.ok && !result.value.replayed)).toHaveLength(1);
  const commit = { reservationId: 'dup', idempotencyKey: 'dup#1',
    amountsMicros: [micros(money('1.5')), micros(money('0.5'))] };
  const committed = await Promise.all(Array.from({ length: 8 },
    () => ledger.commitReservation(commit)));
  expect(committed.every((result) => result.ok)).toBe(true);
  expect(committed.filter((result) => result.ok && !result.value.replayed)).toHaveLength(1);
  const view = await ledger.getAccount('c-1');
  expect(view.ok && [view.value.postedMicros, view.value.pendingMicros])
    .toEqual([money('25') - money('1.5'), 0n]);
  const verified = await ledger.verifyLedger();
  expect(verified.ok && verified.value.ok).toBe(true);
}

describe('ledger idempotency under concurrency', () => {
  it('sqlite: eight copies of a request at once', async () => {
    const handle = await openTempSqliteLedger();
    try {
      await duplicatesAtOnce(handle.store);
    } finally {
      await handle.close();
    }
  });

  it('postgres: eight copies of a request at once, over four connections', async () => {
    const handle = await openTempPostgresLedger('duplicates', { poolSize: 4 });
    try {
      await duplicatesAtOnce(handle.store);
    } finally {
      await handle.close();
    }
  });
});
