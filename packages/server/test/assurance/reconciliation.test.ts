import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ManualClock } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconcileJob } from '../../src/assurance/reconcile-job.ts';
import { openTestApi, testStartMs, type StoreKind, type TestApi } from '../http/http-fixture.ts';
import { rawSql, seedAssuranceWorld, type AssuranceWorld } from './assurance-world.ts';

// Issue 20, must show: on both stores, reconciliation reports zero after a run of calls, and
// after each injected fault (a carrier accrual off by one micro, a transfer without its CDR,
// a CDR without its transfers: rows changed with raw SQL) it reports exactly that fault.
const storeKinds: StoreKind[] = ['sqlite', 'postgres'];
type Finding = Record<string, unknown>;
const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));

/** `tollgate reconcile` on the test API's database: its exit code and report. */
async function cli(api: TestApi, args: string[]): Promise<{ code: number; report: Finding }> {
  const target = api.services.target;
  const db = target.kind === 'sqlite' ? target.path : target.url;
  const outcome = await promisify(execFile)(process.execPath, [bin, 'reconcile', '--db', db,
    ...args], { env: { ...process.env, TOLLGATE_PG_SCHEMA: api.config.postgresSchema } })
    .then((done) => ({ code: 0, stdout: done.stdout }))
    .catch((error: { code: number; stdout: string }) => error);
  return { code: outcome.code, report: JSON.parse(outcome.stdout) as Finding };
}

describe.each(storeKinds)('reconciliation on %s', (kind) => {
  let api: TestApi;
  let seeded: AssuranceWorld;
  const period = () => `from=${new Date(testStartMs - 86_400_000).toISOString()}` +
    `&to=${new Date(api.clock.nowMs() + 86_400_000).toISOString()}`;
  const reconcile = (query = `account_id=op&${period()}`, key?: string) =>
    api.call({ method: 'GET', url: `/v1/reconciliation?${query}`,
      ...(key === undefined ? {} : { key }) });
  const findings = async () => {
    const response = await reconcile();
    expect(response.status, response.text).toBe(200);
    expect(response.body['finding_count']).toBe((response.body['findings'] as []).length);
    return response.body['findings'] as Finding[];
  };

  /** The scheduled run over the whole test month, its error log collected. */
  const scheduledRun = async () => {
    const errors: object[] = [];
    const job = startReconcileJob({ assurance: api.services.assurance!,
      leases: api.services.billing!.store, clock: new ManualClock(api.clock.nowMs() + 600_000),
      intervalMs: 7 * 86_400_000, holder: 'test', timers: false,
      log: { info: () => undefined, error: (details) => errors.push(details) } });
    await job.runOnce();
    await job.stop();
    return { stats: job.stats(), errors };
  };

  beforeAll(async () => {
    api = await openTestApi(kind);
    seeded = await seedAssuranceWorld(api, `rec-${kind}`);
  });
  afterAll(async () => api?.close());

  it('reports zero on a healthy run, with every level and the carrier matched', async () => {
    const response = await reconcile();
    expect(response.status, response.text).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({ ok: true, finding_count: 0, findings: [], cdrs_checked: 14,
      live_sessions_checked: 1, journal_net: [{ currency: 'USD', net: '0.00' }] });
    const levels = body['levels'] as Finding[];
    expect(levels.map((level) => level['account_id']).sort()).toEqual(
      ['ad', 'cu1', 'cu2', 'op', 'rs']);
    for (const level of levels) {
      expect(level['difference']).toBe('0.00');
      expect(level['rated']).not.toBe('0.00');
    }
    expect(body['carriers']).toEqual([expect.objectContaining({ carrier_id: 'x', calls: 13,
      difference: '0.00' })]);
    expect(await scheduledRun()).toEqual({ errors: [],
      stats: { runs: 1, runsWithFindings: 0, findingsLastRun: 0 } });
    // A subtree: the reseller's calls only, the same zero.
    const subtree = await reconcile(`account_id=rs&${period()}`);
    expect(subtree.body).toMatchObject({ ok: true, cdrs_checked: 14, carriers: [] });
  });

  it('runs from the command line on the same database', async () => {
    const args = ['--account', 'op', '--from', new Date(testStartMs - 86_400_000).toISOString(),
      '--to', new Date(api.clock.nowMs() + 86_400_000).toISOString()];
    const healthy = await cli(api, args);
    expect(healthy.code).toBe(0);
    expect(healthy.report).toMatchObject({ ok: true, finding_count: 0, cdrs_checked: 14 });
    const missing = await cli(api, ['--account', 'op']);
    expect(missing.code).toBe(2);
  });

  it('refuses every key but the operator and a root', async () => {
    for (const key of [seeded.world.keys.rs, seeded.world.keys.cu1]) {
      const response = await reconcile(`account_id=cu1&${period()}`, key);
      expect(response.status, response.text).toBe(403);
    }
    expect((await reconcile(period())).body['code']).toBe('scope_required');
    const backwards = await reconcile('account_id=op&from=2026-12-02T00:00:00Z' +
      '&to=2026-12-01T00:00:00Z');
    expect(backwards.body['code']).toBe('invalid_period');
    expect((await reconcile(`account_id=nobody&${period()}`)).status).toBe(404);
  });

  it('finds a carrier accrual off by one micro, and only that', async () => {
    const session = seeded.calls[0]!;
    const [rows] = await rawSql(api, [`SELECT id, debit_book_id, credit_book_id FROM transfers
      WHERE reference = 's:${session}' AND credit_book_id LIKE '\\_carrier.%' ESCAPE '\\'`]);
    const accrual = (rows as Array<Record<string, unknown>>)[0]!;
    // A consistent forgery: the books move with the transfer, so the ledger's own
    // verification still balances; only the comparison with the CDR can see it.
    const shift = async (micros: number) => rawSql(api, [
      `UPDATE transfers SET amount_micros = amount_micros + ${micros} WHERE id = ${accrual['id']}`,
      `UPDATE books SET posted_micros = posted_micros - ${micros}
        WHERE id = '${accrual['debit_book_id']}'`,
      `UPDATE books SET posted_micros = posted_micros + ${micros}
        WHERE id = '${accrual['credit_book_id']}'`]);
    await shift(1);
    expect(await findings()).toEqual([{ kind: 'carrier_accrual_mismatch', account_id: 'op',
      session_id: session, carrier_id: 'x', currency: 'USD', expected: '0.07',
      actual: '0.070001', difference: '0.000001', transfer_ids: [String(accrual['id'])] }]);
    await shift(-1);
    expect(await findings()).toEqual([]);
  });

  it('finds a CDR without its transfers, and only that', async () => {
    await rawSql(api, [
      `CREATE TEMPORARY TABLE ghost AS SELECT * FROM cdrs WHERE id = 'c:${seeded.calls[2]}'`,
      "UPDATE ghost SET id = 'c:ghost', session_id = 'ghost'",
      'INSERT INTO cdrs SELECT * FROM ghost',
      `INSERT INTO cdr_levels (account_id, cdr_id) SELECT account_id, 'c:ghost'
        FROM cdr_levels WHERE cdr_id = 'c:${seeded.calls[2]}'`]);
    const found = await findings();
    expect(found.map((finding) => [finding['kind'], finding['session_id'],
      finding['account_id'], finding['actual']])).toEqual(['cu1', 'rs', 'ad', 'op'].map(
      (account) => ['cdr_without_transfer', 'ghost', account, '0.00']));
    await rawSql(api, ["DELETE FROM cdr_levels WHERE cdr_id = 'c:ghost'",
      "DELETE FROM cdrs WHERE id = 'c:ghost'"]);
    expect(await findings()).toEqual([]);
  });

  it('finds the transfers of a call whose CDR is gone, and only those', async () => {
    const session = seeded.calls[1]!;
    await rawSql(api, [`DELETE FROM cdr_levels WHERE cdr_id = 'c:${session}'`,
      `DELETE FROM cdrs WHERE id = 'c:${session}'`]);
    const found = await findings();
    expect(new Set(found.map((finding) => finding['kind']))).toEqual(
      new Set(['transfer_without_cdr']));
    expect(new Set(found.map((finding) => finding['session_id']))).toEqual(new Set([session]));
    expect(found.map((finding) => finding['account_id']).sort()).toEqual(
      ['ad', 'cu1', 'op', 'rs']);
    for (const finding of found) {
      expect(finding['expected']).toBe('0.00');
      expect((finding['transfer_ids'] as string[]).length).toBeGreaterThan(0);
    }
    const fromCli = await cli(api, ['--account', 'op', '--from',
      new Date(testStartMs - 86_400_000).toISOString(), '--to',
      new Date(api.clock.nowMs() + 86_400_000).toISOString()]);
    expect(fromCli.code).toBe(3);
    expect(fromCli.report['findings']).toEqual(found);
    // The scheduled run alerts: one error line naming the operator, counted.
    const scheduled = await scheduledRun();
    expect(scheduled.stats).toEqual({ runs: 1, runsWithFindings: 1, findingsLastRun: 4 });
    expect(JSON.stringify(scheduled.errors)).toContain('"root":"op"');
  });
});
