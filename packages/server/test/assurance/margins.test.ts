import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, testStartMs, type StoreKind, type TestApi } from '../http/http-fixture.ts';
import { microsOf, seedAssuranceWorld, type AssuranceWorld } from './assurance-world.ts';

// Issue 20, margin reports: per level, per destination (and carrier for the root), the
// revenue from the level below, the cost to the level above, calls, minutes, ASR and ACD,
// in JSON and CSV; a key sees its own level and below, never its supplier's cost.
const storeKinds: StoreKind[] = ['sqlite', 'postgres'];
type Row = Record<string, unknown>;
type Level = { account_id: string; cost: string; prefix: string | null };

describe.each(storeKinds)('margin reports on %s', (kind) => {
  let api: TestApi;
  let seeded: AssuranceWorld;
  const period = () => `from=${new Date(testStartMs - 86_400_000).toISOString()}` +
    `&to=${new Date(api.clock.nowMs() + 86_400_000).toISOString()}`;
  /** From the CDRs the operator reads: per prefix, what `payer` paid and `account` paid. */
  const expected = async (account: string, payer: string) => {
    const cdrs = await api.call({ method: 'GET', url: '/v1/cdrs?account_id=op&limit=1000' });
    const sums = new Map<string, { revenue: bigint; cost: bigint; calls: number }>();
    for (const cdr of cdrs.body['cdrs'] as Array<{ levels: Level[];
      carrier: { carrier_id: string } | null }>) {
      const own = cdr.levels.find((level) => level.account_id === account)!;
      const below = cdr.levels.find((level) => level.account_id === payer);
      if (below === undefined) continue;
      const key = `${below.prefix ?? ''}/${account === 'op' ? cdr.carrier?.carrier_id ?? '' : ''}`;
      const sum = sums.get(key) ?? { revenue: 0n, cost: 0n, calls: 0 };
      sum.revenue += microsOf(below.cost);
      sum.cost += microsOf(own.cost);
      sum.calls += 1;
      sums.set(key, sum);
    }
    return sums;
  };
  const margins = (query: string, key?: string, headers?: Record<string, string>) =>
    api.call({ method: 'GET', url: `/v1/margins?${query}&${period()}`,
      ...(key === undefined ? {} : { key }), ...(headers === undefined ? {} : { headers }) });

  beforeAll(async () => {
    api = await openTestApi(kind);
    seeded = await seedAssuranceWorld(api, `mar-${kind}`);
  });
  afterAll(async () => api?.close());

  it('gives the root its margin per destination and carrier, to the micro', async () => {
    const response = await margins('account_id=op');
    expect(response.status, response.text).toBe(200);
    const rows = response.body['rows'] as Row[];
    const sums = await expected('op', 'ad');
    expect(rows.map((row) => [row['prefix'], row['carrier_id']])).toEqual(
      [['44', 'x'], ['49', null], ['49', 'x']]);
    for (const row of rows) {
      const sum = sums.get(`${String(row['prefix'])}/${String(row['carrier_id'] ?? '')}`)!;
      expect(row).toMatchObject({ calls: sum.calls, revenue_currency: 'USD',
        cost_currency: 'USD' });
      expect(microsOf(String(row['revenue']))).toBe(sum.revenue);
      expect(microsOf(String(row['cost']))).toBe(sum.cost);
      expect(microsOf(String(row['margin']))).toBe(sum.revenue - sum.cost);
    }
    // 14 attempts, one failed (0 s): ASR 13/14; minutes and ACD from the used seconds.
    const [total] = response.body['totals'] as Row[];
    const usedSeconds = 12 * 20 + 13 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11) + 42;
    expect(total).toMatchObject({ calls: 14, answered: 13, asr: '92.85',
      minutes: '19.00', acd: '87.6' });
    expect(usedSeconds).toBe(1140);
  });

  it('shows a reseller its own level, never the carrier nor what its parent pays', async () => {
    const response = await margins('account_id=rs', seeded.world.keys.rs);
    expect(response.status, response.text).toBe(200);
    const sums = await expected('rs', 'cu1');
    const cu2 = await expected('rs', 'cu2');
    const rows = response.body['rows'] as Row[];
    for (const row of rows) {
      expect(row['carrier_id']).toBeNull();
      const prefix = `${String(row['prefix'])}/`;
      const revenue = (sums.get(prefix)?.revenue ?? 0n) + (cu2.get(prefix)?.revenue ?? 0n);
      expect(microsOf(String(row['revenue']))).toBe(revenue);
    }
    expect(response.text).not.toContain('"x"');
    const above = await margins('account_id=ad', seeded.world.keys.rs);
    expect(above.status).toBe(404);
    expect(above.body['code']).toBe('account_not_found');
  });

  it('answers CSV on Accept: text/csv, the same rows', async () => {
    const json = await margins('account_id=op');
    const csv = await margins('account_id=op', undefined, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('prefix,carrier_id,calls,answered,minutes,asr,acd,' +
      'revenue_currency,revenue,cost_currency,cost,margin');
    const rows = json.body['rows'] as Row[];
    expect(lines.slice(1)).toEqual(rows.map((row) => [row['prefix'], row['carrier_id'],
      row['calls'], row['answered'], row['minutes'], row['asr'], row['acd'],
      row['revenue_currency'], row['revenue'], row['cost_currency'], row['cost'],
      row['margin']].join(',')));
  });
});
