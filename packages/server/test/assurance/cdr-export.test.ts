import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { micros, type Cdr } from '@tollgate/core';
import { cdrCsvChunks, exportLayout } from '../../src/assurance/cdr-export.ts';
import { openTestApi, testStartMs, type StoreKind, type TestApi } from '../http/http-fixture.ts';
import { rawSql, seedAssuranceWorld, type AssuranceWorld } from './assurance-world.ts';

// Issue 20, CDR exchange: the export in Tollgate's columns (chosen ones), CGRateS-style and
// ASTPP-style, streamed page by page; a reseller's export never shows a supplier's cost.
const storeKinds: StoreKind[] = ['sqlite', 'postgres'];

describe('the export generator', () => {
  it('reads a page only when the previous one has been taken', async () => {
    const template = { id: 'c:1', sessionId: 's', accountId: 'cu', caller: '1', callee: '44',
      startedAtMs: 0, endedAtMs: 1_000, usedSeconds: 1, billedSeconds: 1, bundleSeconds: 0,
      costMicros: micros(10n), currency: 'USD', disposition: 'normal', levels: [],
      carrier: null } as unknown as Cdr;
    let reads = 0;
    const layout = exportLayout('csv', ['id', 'cost']);
    expect(layout.ok).toBe(true);
    if (!layout.ok) return;
    const chunks = cdrCsvChunks({ ...layout, shown: (id) => id, view: (cdr) => cdr,
      pageSize: 2, listPage: async () => {
        reads += 1;
        return reads > 3 ? [] : [{ ...template, id: `c:${reads}a` }, { ...template,
          id: `c:${reads}b` }];
      } });
    expect((await chunks.next()).value).toBe('id,cost\n');
    expect(reads).toBe(0);
    expect((await chunks.next()).value).toBe('c:1a,0.00001\nc:1b,0.00001\n');
    expect(reads).toBe(1);
    const rest: string[] = [];
    for await (const chunk of chunks) rest.push(chunk);
    expect(rest).toHaveLength(2);
    expect(reads).toBe(4);
  });
});

describe.each(storeKinds)('CDR export on %s', (kind) => {
  let api: TestApi;
  let seeded: AssuranceWorld;
  const period = () => `from=${new Date(testStartMs - 86_400_000).toISOString()}` +
    `&to=${new Date(api.clock.nowMs() + 86_400_000).toISOString()}`;
  const exported = (query: string, key?: string) => api.call({ method: 'GET',
    url: `/v1/cdrs/export?${query}&${period()}`, ...(key === undefined ? {} : { key }) });
  const linesOf = (text: string) => text.trim().split('\n');

  beforeAll(async () => {
    api = await openTestApi(kind);
    seeded = await seedAssuranceWorld(api, `ex-${kind}`);
  });
  afterAll(async () => api?.close());

  it('exports the chosen columns of every CDR of the subtree', async () => {
    const response = await exported('account_id=op&columns=session_id,callee,cost,carrier_id');
    expect(response.status, response.text).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = linesOf(response.text);
    expect(lines[0]).toBe('session_id,callee,cost,carrier_id');
    expect(lines).toHaveLength(15);
    expect(lines).toContain(`${seeded.calls[0]},442079460000,0.15,x`);
    const unknown = await exported('account_id=op&columns=id,password');
    expect(unknown.status).toBe(400);
    expect(unknown.body['code']).toBe('validation_failed');
  });

  it('speaks CGRateS and ASTPP columns', async () => {
    const cgrates = linesOf((await exported('account_id=op&format=cgrates')).text);
    expect(cgrates[0]).toBe('CGRID,RunID,ToR,OriginID,RequestType,Tenant,Category,Account,' +
      'Subject,Destination,SetupTime,AnswerTime,Usage,Cost');
    expect(cgrates.find((line) => line.includes(`,${seeded.calls[0]},`))).toMatch(
      new RegExp(`^c:${seeded.calls[0]},\\*default,\\*voice,${seeded.calls[0]},\\*prepaid,op,` +
        'call,cu2,1555,442079460000,[^,]+,[^,]+,20s,0.15$'));
    const astpp = linesOf((await exported('account_id=op&format=astpp')).text);
    expect(astpp[0]).toBe('uniqueid,accountid,callerid,callednum,billseconds,disposition,' +
      'callstart,debit,cost,pattern,reseller_id,reseller_cost,provider_id,provider_cost');
    expect(astpp.find((line) => line.startsWith(`${seeded.calls[0]},`))).toMatch(
      /^[^,]+,cu2,1555,442079460000,30,NORMAL_CLEARING,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,0.15,0.07,\^44\.\*,rs,[0-9.]+,x,0.07$/);
  });

  it('never shows a reseller its supplier\'s cost nor the carrier', async () => {
    const astpp = linesOf((await exported('format=astpp', seeded.world.keys.rs)).text);
    expect(astpp).toHaveLength(15);
    for (const line of astpp.slice(1)) {
      const fields = line.split(',');
      // cost is the reseller's own level; no provider.
      expect(fields.slice(12)).toEqual(['', '']);
    }
    const tollgate = (await exported('columns=own_account_id,carrier_id,carrier_cost',
      seeded.world.keys.rs)).text;
    expect(linesOf(tollgate).slice(1).every((line) => line === 'rs,,')).toBe(true);
  });

  it('streams 100,000 CDRs with a bounded heap', async () => {
    const rows = 100_000;
    const numbers = kind === 'sqlite'
      ? `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})`
      : `WITH n(i) AS (SELECT generate_series(1, ${rows}))`;
    await rawSql(api, [`${numbers} INSERT INTO cdrs SELECT 'c:bulk-' || i, 'bulk-' || i,
      account_id, caller, callee, started_at_ms, ended_at_ms, used_seconds, billed_seconds,
      bundle_seconds, cost_micros, currency, disposition, levels_json, carrier_id, carrier_json
      FROM cdrs, n WHERE cdrs.id = 'c:${seeded.calls[0]}'`,
    `${numbers} INSERT INTO cdr_levels (account_id, cdr_id) SELECT 'op', 'c:bulk-' || i FROM n`]);
    const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
    // Live memory is what survives a collection: garbage between collections says nothing.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    collect();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let chunks = 0;
    let bytes = 0;
    let lines = 0;
    const startedMs = Date.now();
    const response = await fetch(`${address}/v1/cdrs/export?account_id=op&format=astpp&` +
      period(), { headers: { authorization: `Bearer ${api.config.adminKey}` } });
    expect(response.status).toBe(200);
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      bytes += chunk.byteLength;
      lines += decoder.decode(chunk, { stream: true }).split('\n').length - 1;
      chunks += 1;
      if (chunks % 10 === 0) {
        collect();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    const seconds = (Date.now() - startedMs) / 1000;
    expect(lines).toBe(1 + 14 + rows);
    // The whole export is far larger than what stayed live: it never held all rows.
    const grownBytes = peak - baseline;
    process.stdout.write(`export ${kind}: ${lines} lines, ${bytes} bytes in ${seconds} s ` +
      `(${Math.round(rows / seconds)} rows/s), heap grew ${grownBytes} bytes\n`);
    expect(grownBytes).toBeLessThan(bytes / 4);
  }, 120_000);
});
