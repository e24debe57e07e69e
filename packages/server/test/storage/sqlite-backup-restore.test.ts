import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openServices } from '../../src/app/services.ts';
import {
  backupCommand,
  migrateCommand,
  restoreCommand,
} from '../../src/cli/commands/database-commands.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';

/** Exact decimal string -> micros, for comparing balances with sums of CDR costs. */
function micros(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  return amount.startsWith('-') ? -value : value;
}

interface CdrView {
  readonly id: string;
  readonly levels: ReadonlyArray<{ account_id: string; cost: string }>;
}

const chainAccounts = ['cu1', 'cu2', 'rs', 'ad', 'op'] as const;
const topupsMicros: Record<string, bigint> = { cu1: 10_000_000n };

async function cdrsOf(api: TestApi): Promise<CdrView[]> {
  const response = await api.call({ method: 'GET', url: '/v1/cdrs?account_id=op&limit=1000' });
  expect(response.status).toBe(200);
  return response.body['cdrs'] as CdrView[];
}

async function balancesOf(api: TestApi): Promise<Record<string, string>> {
  const balances: Record<string, string> = {};
  for (const id of chainAccounts) {
    const response = await api.call({ method: 'GET', url: `/v1/accounts/${id}` });
    balances[id] = String(response.body['balance']);
  }
  return balances;
}

/** Calls of cu1 and cu2, several at once: authorize, then terminate after 5 to 40 s. */
async function placeCalls(api: TestApi, keys: { cu1: string; cu2: string }, label: string,
  callsPerWorker: number): Promise<void> {
  const worker = async (workerIndex: number) => {
    for (let call = 0; call < callsPerWorker; call += 1) {
      const customer = (workerIndex + call) % 2 === 0 ? 'cu1' : 'cu2';
      const sessionId = `${label}-${workerIndex}-${call}`;
      const key = keys[customer];
      const granted = await api.call({ method: 'POST', url: '/v1/sessions', key, json: {
        session_id: sessionId, account_id: customer, caller: '15551230000',
        callee: '442079460000', request_number: 0 } });
      if (granted.status !== 200) continue;
      await api.call({ method: 'POST', url: `/v1/sessions/${sessionId}/terminate`, key,
        json: { request_number: 1, used_seconds: 5 + ((workerIndex * 7 + call * 13) % 36) } });
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
}

/**
 * With terminate only (no updates), money is posted when a call ends: every account's balance
 * is its top-ups less its cost on the CDRs. A torn copy (CDRs of one instant, balances of
 * another) breaks this.
 */
function expectBalancesExplainedByCdrs(balances: Record<string, string>,
  cdrs: readonly CdrView[]): void {
  for (const id of chainAccounts) {
    let spent = 0n;
    for (const cdr of cdrs) {
      for (const level of cdr.levels) if (level.account_id === id) spent += micros(level.cost);
    }
    expect(micros(balances[id]!), id).toBe((topupsMicros[id] ?? 0n) - spent);
  }
}

const directories: string[] = [];
const opened: TestApi[] = [];
afterEach(async () => {
  for (const api of opened.splice(0)) await api.close();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-backup-'));
  directories.push(directory);
  return directory;
}

async function openOn(path: string): Promise<TestApi> {
  const api = await openTestApi('sqlite', { database: path });
  opened.push(api);
  return api;
}

describe('tollgate backup and restore (issue 21)', () => {
  it('backs up under load; restored servers match the source', async () => {
    const directory = scratch();
    const sourcePath = join(directory, 'source.sqlite');
    const source = await openOn(sourcePath);
    const world = await seedWorld(source);
    // A backup in the middle of the calls: the server keeps charging while it is copied.
    const load = placeCalls(source, world.keys, 'busy', 12);
    for (let waited = 0; waited < 200 && (await cdrsOf(source)).length < 8; waited += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const duringPath = join(directory, 'during.sqlite');
    const during = await backupCommand(['--db', sourcePath, '--to', duringPath]);
    expect(during.exitCode, JSON.stringify(during.stdout)).toBe(0);
    await load;
    const sourceCdrs = await cdrsOf(source);
    expect(sourceCdrs.length).toBeGreaterThan(20);

    // Restored into a fresh server: one instant of the source, whole.
    const restoredPath = join(directory, 'restored-during.sqlite');
    expect(restoreCommand(['--from', duringPath, '--db', restoredPath], 0).exitCode).toBe(0);
    const restoredDuring = await openOn(restoredPath);
    const duringCdrs = await cdrsOf(restoredDuring);
    // Taken while calls ran: some calls had ended, others had not.
    expect(duringCdrs.length).toBeGreaterThanOrEqual(8);
    expect(duringCdrs.length).toBeLessThan(sourceCdrs.length);
    // Every CDR of the copy is one of the source's, unchanged (CDRs are never edited).
    const sourceById = new Map(sourceCdrs.map((cdr) => [cdr.id, cdr]));
    for (const cdr of duringCdrs) expect(cdr).toEqual(sourceById.get(cdr.id));
    expectBalancesExplainedByCdrs(await balancesOf(restoredDuring), duringCdrs);

    // Once the calls are over, a backup restored elsewhere equals the source exactly.
    const afterPath = join(directory, 'after.sqlite');
    expect((await backupCommand(['--db', sourcePath, '--to', afterPath])).exitCode).toBe(0);
    const restoredAfterPath = join(directory, 'restored-after.sqlite');
    expect(restoreCommand(['--from', afterPath, '--db', restoredAfterPath], 0).exitCode)
      .toBe(0);
    const restoredAfter = await openOn(restoredAfterPath);
    expect(await cdrsOf(restoredAfter)).toEqual(sourceCdrs);
    const sourceBalances = await balancesOf(source);
    expect(await balancesOf(restoredAfter)).toEqual(sourceBalances);
    expectBalancesExplainedByCdrs(sourceBalances, sourceCdrs);
    // The restored database charges: a call on it moves its money, not the source's.
    await placeCalls(restoredAfter, world.keys, 'after-restore', 1);
    expect((await cdrsOf(restoredAfter)).length).toBe(sourceCdrs.length + 4);
    expect(await cdrsOf(source)).toEqual(sourceCdrs);
  });

  it('never overwrites, refuses a running database, keeps what it replaces', async () => {
    const directory = scratch();
    const sourcePath = join(directory, 'source.sqlite');
    const source = await openOn(sourcePath);
    await seedWorld(source);
    const backupPath = join(directory, 'backup.sqlite');
    expect((await backupCommand(['--db', sourcePath, '--to', backupPath])).exitCode).toBe(0);
    const again = await backupCommand(['--db', sourcePath, '--to', backupPath]);
    expect([again.exitCode, (again.stdout as { code: string }).code]).toEqual([1, 'target_exists']);
    // The server holds its database: a restore onto it is refused, the database untouched.
    const busy = restoreCommand(['--from', backupPath, '--db', sourcePath, '--replace'], 0);
    expect((busy.stdout as { code: string }).code).toBe('database_busy');
    const existing = restoreCommand(['--from', backupPath, '--db', sourcePath], 0);
    expect((existing.stdout as { code: string }).code).toBe('target_exists');
    await source.close();
    opened.splice(0);
    const replaced = restoreCommand(['--from', backupPath, '--db', sourcePath, '--replace'], 42);
    expect(replaced.exitCode).toBe(0);
    expect(existsSync(`${sourcePath}.replaced-42`)).toBe(true);
    const garbage = join(directory, 'garbage.sqlite');
    new Database(garbage).close();
    const invalid = restoreCommand(['--from', garbage, '--db', join(directory, 'x.sqlite')], 0);
    expect((invalid.stdout as { code: string }).code).toBe('backup_invalid');
    expect(existsSync(join(directory, 'x.sqlite'))).toBe(false);
  });
});

describe('tollgate migrate (issue 21)', () => {
  it('migrates, then refuses a database a newer Tollgate migrated, as serve does', async () => {
    const directory = scratch();
    const path = join(directory, 'db.sqlite');
    const first = await migrateCommand(['--db', path]);
    expect(first.exitCode).toBe(0);
    const stdout = first.stdout as { applied: number; schema_version: number };
    expect(stdout.applied).toBeGreaterThan(5);
    const second = await migrateCommand(['--db', path]);
    expect((second.stdout as { applied: number }).applied).toBe(0);
    const connection = new Database(path);
    connection.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)')
      .run(stdout.schema_version + 1, 'from_the_future', 0);
    connection.close();
    const newer = await migrateCommand(['--db', path]);
    expect([newer.exitCode, (newer.stdout as { code: string }).code])
      .toEqual([1, 'database_newer']);
    const api = openTestApi('sqlite', { database: path });
    await expect(api).rejects.toThrow(/newer Tollgate migrated it/);
  });
});
