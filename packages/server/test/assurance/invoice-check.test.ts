import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, testStartMs, type StoreKind, type TestApi } from '../http/http-fixture.ts';
import { microsOf, seedAssuranceWorld, type AssuranceWorld } from './assurance-world.ts';

// Issue 20, must show: a carrier CDR file with known missing, extra and mispriced calls
// yields exactly those; the rest match despite the carrier's own number formats, clock skew
// and rounding of durations.
const storeKinds: StoreKind[] = ['sqlite', 'postgres'];
type Cdr = { session_id: string; started_at: string; caller: string; callee: string;
  used_seconds: number; carrier: { cost: string } | null };

describe.each(storeKinds)('carrier invoice check on %s', (kind) => {
  let api: TestApi;
  let seeded: AssuranceWorld;
  let carried: Cdr[];
  const period = () => `from=${new Date(testStartMs - 3_600_000).toISOString()}` +
    `&to=${new Date(api.clock.nowMs() + 3_600_000).toISOString()}`;
  const check = (csv: string, extra = '') => api.call({ method: 'POST', csv,
    url: `/v1/carriers/x/invoice-check?${period()}&time_column=StartTime&caller_column=ANI` +
      `&callee_column=DNIS&duration_column=Seconds&cost_column=Amount${extra}` });

  beforeAll(async () => {
    api = await openTestApi(kind);
    seeded = await seedAssuranceWorld(api, `inv-${kind}`);
    const cdrs = await api.call({ method: 'GET', url: '/v1/cdrs?account_id=op&limit=1000' });
    carried = (cdrs.body['cdrs'] as Cdr[]).filter((cdr) => cdr.carrier !== null &&
      cdr.used_seconds > 0);
  });
  afterAll(async () => api?.close());

  /** The carrier's view of a call: its clock 3 s late, its own formats, durations rounded. */
  const lineOf = (cdr: Cdr, cost = cdr.carrier!.cost) => {
    const started = new Date(Date.parse(cdr.started_at) + 3_000).toISOString()
      .replace('T', ' ').slice(0, 19);
    return `${started},+${cdr.caller},00${cdr.callee},${cdr.used_seconds + 1},${cost},0.07`;
  };

  it('finds exactly the missing, the extra and the mispriced calls', async () => {
    expect(carried).toHaveLength(12);
    const [dropped, mispriced, ...rest] = carried;
    const extraLine = '2026-11-30 12:30:00,+15559999,0044207946999,61,0.09,0.07';
    const csv = ['StartTime,ANI,DNIS,Seconds,Amount,Rate', lineOf(mispriced!, '0.5'),
      ...rest.map((cdr) => lineOf(cdr)), extraLine].join('\n');
    const response = await check(csv);
    expect(response.status, response.text).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({ records: 12, calls: 12, matched: 11 });
    expect(body['mispriced']).toEqual([{ line: 2, session_id: mispriced!.session_id,
      callee: mispriced!.callee, prefix: expect.any(String), theirs: '0.50',
      ours: mispriced!.carrier!.cost, difference: expect.any(String) }]);
    expect(body['missing_ours']).toEqual([{ line: 13, time: '2026-11-30T12:30:00Z',
      caller: '+15559999', callee: '0044207946999', duration_s: 61, cost: '0.09' }]);
    expect((body['missing_theirs'] as Cdr[]).map((call) => call.session_id)).toEqual(
      [dropped!.session_id]);
    // Per destination, theirs - ours adds up to the three faults exactly.
    const total = (body['by_destination'] as Array<{ difference: string }>).reduce(
      (sum, line) => sum + microsOf(line.difference), 0n);
    expect(total).toBe(microsOf('0.5') - microsOf(mispriced!.carrier!.cost) +
      microsOf('0.09') - microsOf(dropped!.carrier!.cost));
  });

  it('matches everything when the durations differ by no more than the tolerance', async () => {
    const csv = ['StartTime,ANI,DNIS,Seconds,Amount,Rate',
      ...carried.map((cdr) => lineOf(cdr))].join('\n');
    expect((await check(csv)).body).toMatchObject({ matched: 12, mispriced: [],
      missing_ours: [], missing_theirs: [] });
    // No duration tolerance: every call is a second longer on their side, nothing matches.
    const strict = await check(csv, '&duration_tolerance_s=0');
    expect(strict.body).toMatchObject({ matched: 0 });
  });

  it('names the line of a bad file, and the missing column', async () => {
    const bad = await check('StartTime,ANI,DNIS,Seconds,Amount\n2026-11-30 12:00:00,1,2,x,0.1');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_carrier_file', line: 2 });
    const noColumn = await check('StartTime,ANI,DNIS,Seconds\n');
    expect(noColumn.body['code']).toBe('invalid_carrier_file');
    const reseller = await api.call({ method: 'POST', csv: 'a\n', key: seeded.world.keys.rs,
      url: `/v1/carriers/x/invoice-check?${period()}` });
    // A key below the carrier's root is told it is not the root, as on every carrier route.
    expect(reseller.status).toBe(403);
  });
});
