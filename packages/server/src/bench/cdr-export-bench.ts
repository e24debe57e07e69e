import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { micros, type Cdr } from '@tollgate/core';
import { openServices } from '../app/services.ts';
import { loadConfig } from '../config/load-config.ts';
import { buildApp } from '../http/build-app.ts';
import { cdrColumns, toDbCdr } from '../storage/shared/charging-mapping.ts';

/**
 * Issue 20: `GET /v1/cdrs/export` of a million CDRs (SQLite, the engine's store, over a real
 * socket, ASTPP layout): rows/s and the server process's peak RSS while it streams, beside the
 * size of the export. The CDRs are copied in SQL from one template, so seeding is quick.
 */
export async function runCdrExportBench(rows = 1_000_000): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-export-bench-'));
  const adminKey = 'bench-operator-key-0123456789';
  const loaded = loadConfig({ env: {} });
  if (!loaded.ok) throw new Error(loaded.message);
  const config = Object.freeze({ ...loaded.value, adminKey, logLevel: 'silent' as const,
    database: join(directory, 'tollgate.sqlite') });
  const services = await openServices(config);
  try {
    const root = await services.ledger.createAccount({ id: 'op', parentId: null,
      tier: 'super_admin', name: 'op', currency: 'USD', mode: 'postpaid' });
    if (!root.ok) throw new Error(root.message);
    seedCdrs(join(directory, 'tollgate.sqlite'), rows);
    const app = await buildApp(config, services);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const startedMs = performance.now();
    const response = await fetch(`${address}/v1/cdrs/export?account_id=op&format=astpp` +
      '&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z',
    { headers: { authorization: `Bearer ${adminKey}` } });
    let bytes = 0;
    for await (const chunk of response.body!) bytes += (chunk as Uint8Array).byteLength;
    const seconds = (performance.now() - startedMs) / 1000;
    clearInterval(sampler);
    await app.close();
    const mb = (value: number) => (value / 1_048_576).toFixed(1);
    process.stdout.write(`cdr export (SQLite, ASTPP, ${rows} CDRs): ${seconds.toFixed(1)} s, ` +
      `${Math.round(rows / seconds)} rows/s, ${mb(bytes)} MB out; RSS ${mb(rssBefore)} MB ` +
      `before, peak ${mb(rssPeak)} MB (client and server in one process)\n`);
  } finally {
    await services.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** One CDR written as the store writes it, then copied `rows - 1` times in SQL. */
function seedCdrs(path: string, rows: number): void {
  const template: Cdr = { id: 'c:bench-0', sessionId: 'bench-0', accountId: 'op',
    caller: '15550001', callee: '442079460000', startedAtMs: Date.parse('2026-06-01T10:00:00Z'),
    endedAtMs: Date.parse('2026-06-01T10:01:30Z'), usedSeconds: 90, billedSeconds: 90,
    bundleSeconds: 0, costMicros: micros(150_000n), currency: 'USD' as Cdr['currency'],
    disposition: 'normal', levels: [{ accountId: 'op', deckId: 'd', prefix: '44',
      currency: 'USD' as Cdr['currency'], costMicros: micros(150_000n), billedSeconds: 90 }],
    carrier: null };
  const connection = new Database(path, { timeout: 5_000 });
  try {
    const marks = cdrColumns.map(() => '?').join(', ');
    connection.prepare(`INSERT INTO cdrs (${cdrColumns.join(', ')}) VALUES (${marks})`)
      .run(...toDbCdr(template));
    const numbers = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
      WHERE i < ${rows - 1})`;
    connection.exec(`${numbers} INSERT INTO cdrs SELECT 'c:bench-' || i, 'bench-' || i,
      account_id, caller, callee, started_at_ms, ended_at_ms, used_seconds, billed_seconds,
      bundle_seconds, cost_micros, currency, disposition, levels_json, carrier_id,
      carrier_json FROM cdrs, n WHERE cdrs.id = 'c:bench-0'`);
    connection.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
      WHERE i < ${rows - 1}) INSERT INTO cdr_levels (account_id, cdr_id)
      SELECT 'op', 'c:bench-' || i FROM n`);
  } finally {
    connection.close();
  }
}
