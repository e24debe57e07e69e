import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deckCsv,
  openTestApi,
  testStartMs,
  type StoreKind,
  type TestApi,
} from '../http/http-fixture.ts';
import { seedAssuranceWorld, type AssuranceWorld } from './assurance-world.ts';

// Issue 20, must show: re-rating a month against a deck 10 % dearer on one destination reports
// the exact difference, touching no money; a deck that undercuts the level's cost lists the
// calls that would turn unprofitable.
const storeKinds: StoreKind[] = ['sqlite', 'postgres'];
type Row = Record<string, unknown>;

describe.each(storeKinds)('what-if re-rating on %s', (kind) => {
  let api: TestApi;
  let seeded: AssuranceWorld;
  const period = () => `from=${new Date(testStartMs - 86_400_000).toISOString()}` +
    `&to=${new Date(api.clock.nowMs() + 86_400_000).toISOString()}`;
  /** A deck the reseller owns: the retail deck with another price for 44. */
  const upload = async (name: string, csv: string) => {
    const response = await api.call({ method: 'POST', csv, key: seeded.world.keys.rs,
      url: `/v1/rate-decks?name=${name}&currency=USD` });
    expect(response.status, response.text).toBe(201);
    return String(response.body['id']);
  };
  const rerate = (deckId: string, key?: string) => api.call({ method: 'GET',
    url: `/v1/rerating?account_id=rs&deck_id=${deckId}&${period()}`,
    ...(key === undefined ? {} : { key }) });

  beforeAll(async () => {
    api = await openTestApi(kind);
    seeded = await seedAssuranceWorld(api, `rr-${kind}`);
  });
  afterAll(async () => api?.close());

  it('reports the exact difference of a deck 10 % dearer on the UK', async () => {
    const retail = deckCsv('0.20', '0.05').split('\n');
    const dearer = await upload('dearer', [...retail.slice(0, 1),
      retail[1]!.replace('0.20', '0.22'), ...retail.slice(2)].join('\n'));
    const balanceBefore = await api.call({ method: 'GET', url: '/v1/accounts/rs' });
    const response = await rerate(dearer, seeded.world.keys.rs);
    expect(response.status, response.text).toBe(200);
    // The UK calls (even indices): 20, 46, 72, 98, 124 and 150 s, billed in 30/6 blocks
    // 30 + 48 + 72 + 102 + 126 + 150 = 528 s; 0.02 more a minute: 528 / 60 x 0.02 = 0.176.
    const rows = response.body['rows'] as Row[];
    const uk = rows.find((row) => row['prefix'] === '44')!;
    expect(uk).toMatchObject({ calls: 6, difference: '0.176' });
    expect(uk['new_revenue']).not.toBe(uk['old_revenue']);
    expect(uk['old_cost']).toBe(uk['new_cost']);
    for (const row of rows.filter((entry) => entry['prefix'] !== '44')) {
      expect(row['difference']).toBe('0.00');
    }
    expect(response.body['total']).toMatchObject({ calls: 14, difference: '0.176' });
    expect(response.body).toMatchObject({ unprofitable_count: 0, unrated_count: 0 });
    // Nothing moved.
    expect((await api.call({ method: 'GET', url: '/v1/accounts/rs' })).body)
      .toEqual(balanceBefore.body);
  });

  it('lists the calls a price below cost would make unprofitable', async () => {
    const cheap = await upload('cheap', deckCsv('0.01'));
    const response = await rerate(cheap, seeded.world.keys.rs);
    expect(response.status, response.text).toBe(200);
    // Every answered call (12 calls and the event) now sells below the reseller's cost;
    // the failed attempt costs nothing either way.
    expect(response.body['unprofitable_count']).toBe(13);
    const listed = response.body['unprofitable'] as Row[];
    expect(listed).toHaveLength(13);
    expect(listed.map((call) => call['session_id'])).toContain(seeded.calls[0]);
    for (const call of listed) expect(String(call['new_margin'])).toMatch(/^-/);
  });

  it('keeps decks and accounts out of reach hidden', async () => {
    const other = await rerate('no-such-deck', seeded.world.keys.rs);
    expect(other.body['code']).toBe('rate_deck_not_found');
    const above = await api.call({ method: 'GET', key: seeded.world.keys.rs,
      url: `/v1/rerating?account_id=ad&deck_id=x&${period()}` });
    expect(above.body['code']).toBe('account_not_found');
    const carrier = await api.call({ method: 'GET', key: seeded.world.keys.rs,
      url: `/v1/rerating?account_id=rs&deck_id=x&carrier_id=x&${period()}` });
    expect(carrier.status).toBe(403);
  });
});
