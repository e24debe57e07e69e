import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDeckCsv } from '../../src/bench/generate-deck.ts';
import { deckStoreLimits } from '../../src/storage/shared/deck-store-sql.ts';
import { deckCsv, openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

// Issue 14, finding 7: a tenant's deck uploads are bounded in bytes and rows, and its tree in
// decks; the operator key is not. Every refusal has its code and leaves the store, the cache
// and the tree's count as they were. Both dialects: the quota is checked as the deck is stored.
const tenantBytesMax = 2_048;
const tenantRowsMax = 20;
const treeDecksMax = 6;

/** `rows` rows with long destinations: about 150 bytes each. */
function wideDeck(rows: number, start = 100): string {
  const lines = Array.from({ length: rows }, (_, index) =>
    `${start + index},${'Destination '.repeat(11)}${index},0.01`);
  return `prefix,destination,rate\n${lines.join('\n')}\n`;
}

function rowsDeck(rows: number): string {
  return `prefix,rate\n${Array.from({ length: rows }, (_, index) => `${100 + index},0.01`)
    .join('\n')}\n`;
}

describe.each(['sqlite', 'postgres'] as const)('deck upload limits on %s', (kind) => {
  let api: TestApi;
  let world: World;

  beforeAll(async () => {
    api = await openTestApi(kind, { deckTenantBodyBytesMax: tenantBytesMax,
      deckTenantRowsMax: tenantRowsMax, deckTreeDecksMax: treeDecksMax });
    world = await seedWorld(api);
  });
  afterAll(async () => api.close());

  const upload = (csv: string, key?: string, query = '') => api.call({ method: 'POST',
    url: `/v1/rate-decks?name=limited&currency=USD${query}`, csv,
    ...(key === undefined ? {} : { key }) });

  /** What a refused upload must leave as it was. */
  const state = async () => ({
    decks: (await api.call({ method: 'GET', url: '/v1/rate-decks?limit=1000' })).body,
    treeDecks: await api.services.deckStore.countTreeDecks('op'),
    cached: api.services.decks.cachedCount(),
    // Any part without its deck, however young.
    unfinishedParts: await api.services.deckStore.removeUnfinishedParts(api.clock.nowMs() +
      deckStoreLimits.unfinishedPartAgeMsMin + 1),
  });

  it('bounds a tenant\'s upload in bytes (413) and rows (400 with the line)', async () => {
    const before = await state();
    const wide = wideDeck(15);
    expect(Buffer.byteLength(wide)).toBeGreaterThan(tenantBytesMax);
    const tooWide = await upload(wide, world.keys.rs);
    expect([tooWide.status, tooWide.body['code']]).toEqual([413, 'body_too_large']);
    const tooLong = await upload(rowsDeck(tenantRowsMax + 1), world.keys.rs);
    expect([tooLong.status, tooLong.body['code'], tooLong.body['line']])
      .toEqual([400, 'too_many_rows', tenantRowsMax + 2]);
    const broken = await upload(`${rowsDeck(5)}xx,0.01\n`, world.keys.rs);
    expect([broken.status, broken.body['code']]).toEqual([400, 'invalid_prefix']);
    expect(await state()).toEqual(before);
    // The operator's key is bound by the server's limits only.
    expect((await upload(wide)).status).toBe(201);
    expect((await upload(rowsDeck(tenantRowsMax + 1))).status).toBe(201);
    const fits = await upload(rowsDeck(tenantRowsMax), world.keys.rs);
    expect([fits.status, fits.body['rows']]).toEqual([201, tenantRowsMax]);
  });

  it('bounds the decks of a tree; the operator may go beyond', async () => {
    let held = await api.services.deckStore.countTreeDecks('op');
    expect(held).toBeGreaterThanOrEqual(4); // the world's three and the one above
    for (; held < treeDecksMax; held += 1) {
      expect((await upload(deckCsv('0.2'), world.keys.rs)).status).toBe(201);
    }
    const before = await state();
    for (const key of [world.keys.rs, world.keys.other, world.keys.cu1]) {
      const refused = await upload(deckCsv('0.2'), key);
      expect([refused.status, refused.body['code']]).toEqual([403, 'deck_quota_exceeded']);
    }
    expect(await state()).toEqual(before);
    // Another tree is not affected, and the operator may add to a full tree.
    const operatorOwn = await upload(deckCsv('0.2'));
    expect([operatorOwn.status, operatorOwn.body['owner_id']]).toEqual([201, null]);
    const forRs = await upload(deckCsv('0.2'), undefined, '&owner_id=rs');
    expect([forRs.status, forRs.body['owner_id']]).toEqual([201, 'rs']);
    expect(await api.services.deckStore.countTreeDecks('op')).toBe(treeDecksMax + 1);
  });

  it('gives the last place of a tree to one of many uploads racing for it', async () => {
    // The other tree of the world (its own root), so the quota above is not in the way.
    const racers = 12;
    const root = await api.call({ method: 'POST', url: '/v1/accounts', json: { id: 'race-root',
      parent_id: null, tier: 'super_admin', currency: 'USD', mode: 'postpaid',
      rate_deck_id: null } });
    expect(root.status, root.text).toBe(201);
    const held = await api.services.deckStore.countTreeDecks('race-root');
    const outcomes = await Promise.all(Array.from({ length: racers }, (_, index) =>
      api.services.deckStore.saveDeck({ id: `deck_race_${kind}_${index}`, name: 'race',
        ownerAccountId: 'race-root', rootAccountId: 'race-root',
        settings: { currency: 'USD', decimals: 4, rounding: 'half_up', zone: 'UTC' },
        rowCount: 1, bandsId: null, createdAtMs: api.clock.nowMs(),
        csvText: 'prefix,rate\n44,0.1\n', bandsText: null }, { treeDecksMax: held + 1 })));
    expect(outcomes.filter((outcome) => outcome === 'saved')).toHaveLength(1);
    expect(await api.services.deckStore.countTreeDecks('race-root')).toBe(held + 1);
  });

  it('reports what each loaded deck takes, and the total to the operator only', async () => {
    const deck = await api.call({ method: 'GET', url: `/v1/rate-decks/${world.decks.retail}`,
      key: world.keys.rs });
    expect(deck.body['memory_bytes']).toBeGreaterThan(4 * 144);
    const all = await api.call({ method: 'GET', url: '/v1/rate-decks?limit=1000' });
    const decks = all.body['rate_decks'] as Array<{ memory_bytes: number | null }>;
    const sum = decks.reduce((total, each) => total + (each.memory_bytes ?? 0), 0);
    expect(all.body).toMatchObject({ decks_loaded: api.services.decks.cachedCount(),
      memory_bytes_loaded: sum });
    const own = await api.call({ method: 'GET', url: '/v1/rate-decks', key: world.keys.rs });
    expect(own.body['memory_bytes_loaded']).toBeUndefined();
    expect(own.body['decks_loaded']).toBeUndefined();
  });

  it('stores a large deck in parts and reads it back whole', async () => {
    const csv = generateDeckCsv({ rows: 30_000, seed: 11 });
    expect(csv.length).toBeGreaterThan(deckStoreLimits.partCharsMax);
    const uploaded = await upload(csv);
    expect(uploaded.status).toBe(201);
    const id = String(uploaded.body['id']);
    const downloaded = await api.call({ method: 'GET', url: `/v1/rate-decks/${id}/csv` });
    expect(downloaded.text === csv).toBe(true);
    const source = await api.services.deckStore.findDeck(id);
    expect(source?.rowCount).toBe(30_000);
  });
});
