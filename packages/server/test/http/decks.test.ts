import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deckCsv, openTestApi, seedWorld, type TestApi, type World } from './http-fixture.ts';

let api: TestApi;
let world: World;

beforeAll(async () => {
  // A small CSV limit, so the oversized upload below stays cheap.
  api = await openTestApi('sqlite', { deckBodyBytesMax: 4_096 });
  world = await seedWorld(api);
});
afterAll(async () => api.close());

const upload = (url: string, csv: string, key?: string) =>
  api.call({ method: 'POST', url, csv, ...(key === undefined ? {} : { key }) });

describe('POST /v1/rate-decks', () => {
  it('imports a deck and answers its id, rows and settings', async () => {
    const response = await upload('/v1/rate-decks?name=uk&currency=GBP&decimals=2' +
      '&rounding=up&zone=Europe/London', deckCsv('0.06'), world.keys.rs);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'uk', rows: 4, currency: 'GBP', decimals: 2,
      rounding: 'up', zone: 'Europe/London', bands_id: null, owner_id: 'rs',
      created_at: '2026-11-30T12:00:00Z' });
    expect(response.body['id']).toMatch(/^deck_[0-9a-f]{24}$/);
    // The deck is parsed and indexed at once: the first call does not pay for it.
    expect(api.services.decks.cachedCount()).toBeGreaterThan(0);
  });
  it('answers the first problem with its line and column, and stores nothing', async () => {
    const before = await api.call({ method: 'GET', url: '/v1/rate-decks' });
    const cases: Array<[string, string, number | undefined, string | undefined]> = [
      ['prefix,rate\n44,0.06\n45,-0.5\n', 'negative_amount', 3, 'rate'],
      ['prefix,rate,colour\n44,0.06,red\n', 'unknown_column', 1, 'colour'],
      ['prefix,rate\n4x,0.06\n', 'invalid_prefix', 2, 'prefix'],
      ['prefix,rate\n44,0.06\n44,0.07\n', 'duplicate_rate', 3, undefined],
      ['prefix,rate\n', 'empty_deck', 1, undefined],
      ['', 'missing_header', 1, undefined],
      ['prefix,rate,time_band\n44,0.06,night\n', 'unknown_time_band', 2, 'time_band'],
    ];
    for (const [csv, code, line, column] of cases) {
      const response = await upload('/v1/rate-decks?name=bad&currency=USD', csv);
      expect([code, response.status, response.body['code']]).toEqual([code, 400, code]);
      expect(response.body['line']).toBe(line);
      if (column !== undefined) expect(response.body['column']).toBe(column);
    }
    const after = await api.call({ method: 'GET', url: '/v1/rate-decks' });
    expect(after.body['rate_decks']).toEqual(before.body['rate_decks']);
  });
  it('validates the settings, naming the parameter', async () => {
    const cases: Array<[string, string, string]> = [
      ['currency=usd', 'invalid_currency', 'currency'],
      ['currency=USD&decimals=9', 'invalid_decimals', 'decimals'],
      ['currency=USD&rounding=sideways', 'invalid_rounding', 'rounding'],
      ['currency=USD&zone=Nowhere/City', 'invalid_zone', 'zone'],
    ];
    for (const [query, code, column] of cases) {
      const response = await upload(`/v1/rate-decks?name=s&${query}`, deckCsv('0.06'));
      expect([query, response.status, response.body['code'], response.body['column']])
        .toEqual([query, 400, code, column]);
    }
    const missing = await upload('/v1/rate-decks?currency=USD', deckCsv('0.06'));
    expect([missing.status, missing.body['code']]).toEqual([400, 'validation_failed']);
  });
});

describe('POST /v1/rate-decks: limits, time bands, owners', () => {
  it('takes CSV only, and refuses an upload beyond the deck size limit', async () => {
    const json = await api.call({ method: 'POST', url: '/v1/rate-decks?name=j&currency=USD',
      json: { csv: 'prefix,rate' } });
    expect([json.status, json.body['code']]).toEqual([415, 'unsupported_media_type']);
    const big = `prefix,rate\n${Array.from({ length: 800 }, (_, i) => `${1000 + i},0.01`)
      .join('\n')}\n`;
    const tooLarge = await upload('/v1/rate-decks?name=big&currency=USD', big);
    expect([tooLarge.status, tooLarge.body['code']]).toEqual([413, 'body_too_large']);
  });
  it('imports time bands first, then a deck naming them', async () => {
    const bands = await upload('/v1/time-bands?name=nights',
      'band,days,start,end\nnight,Mon-Sun,22:00,06:00\n', world.keys.rs);
    expect(bands.status).toBe(201);
    expect(bands.body).toMatchObject({ name: 'nights', bands: 1, owner_id: 'rs' });
    const bandsId = String(bands.body['id']);
    const deck = await upload(`/v1/rate-decks?name=banded&currency=USD&bands_id=${bandsId}`,
      'prefix,rate,time_band\n1,0.60,\n1,0.06,night\n', world.keys.rs);
    expect(deck.status).toBe(201);
    expect(deck.body).toMatchObject({ rows: 2, bands_id: bandsId });
    const badBands = await upload('/v1/time-bands?name=x',
      'band,days,start,end\nn,Mon,25:00,06:00\n');
    expect(badBands.status).toBe(400);
    expect(badBands.body).toMatchObject({ code: 'invalid_band_time', line: 2 });
    const unknown = await upload('/v1/rate-decks?name=b&currency=USD&bands_id=bands_nope',
      'prefix,rate\n1,0.6\n');
    expect([unknown.status, unknown.body['code']]).toEqual([404, 'time_bands_not_found']);
    const foreign = await upload(`/v1/rate-decks?name=b&currency=USD&bands_id=${bandsId}`,
      'prefix,rate\n1,0.6\n', world.keys.other);
    expect([foreign.status, foreign.body['code']]).toEqual([404, 'time_bands_not_found']);
  });
  it('lets a key upload for an account below it, not above', async () => {
    const below = await upload('/v1/rate-decks?name=c&currency=USD&owner_id=cu1',
      deckCsv('0.3'), world.keys.rs);
    expect([below.status, below.body['owner_id']]).toEqual([201, 'cu1']);
    const above = await upload('/v1/rate-decks?name=c&currency=USD&owner_id=ad',
      deckCsv('0.3'), world.keys.rs);
    expect([above.status, above.body['code']]).toEqual([404, 'account_not_found']);
  });
});

describe('GET /v1/rate-decks', () => {
  it('lists the decks a key owns; the operator sees all, paged by id', async () => {
    const own = await api.call({ method: 'GET', url: '/v1/rate-decks', key: world.keys.rs });
    const ownNames = (own.body['rate_decks'] as Array<{ owner_id: string }>)
      .map((deck) => deck.owner_id);
    expect(ownNames.length).toBeGreaterThan(0);
    expect(new Set(ownNames)).toEqual(new Set(['rs']));
    const all = await api.call({ method: 'GET', url: '/v1/rate-decks?limit=1000' });
    const ids = (all.body['rate_decks'] as Array<{ id: string }>).map((deck) => deck.id);
    expect(ids).toContain(world.decks.carrier);
    expect(ids).toEqual([...ids].sort());
    const page = await api.call({ method: 'GET', url: '/v1/rate-decks?limit=2' });
    expect((page.body['rate_decks'] as unknown[]).length).toBe(2);
    expect(page.body['next_after']).toBe(ids[1]);
  });
  it('shows a deck to its owner\'s tree and to the account it is sold to', async () => {
    const retail = await api.call({ method: 'GET', url: `/v1/rate-decks/${world.decks.retail}`,
      key: world.keys.cu1 });
    expect(retail.status).toBe(200);
    expect(retail.body).toMatchObject({ id: world.decks.retail, rows: 4, owner_id: 'rs' });
    const carrier = await api.call({ method: 'GET', key: world.keys.rs,
      url: `/v1/rate-decks/${world.decks.carrier}` });
    expect([carrier.status, carrier.body]).toEqual([404,
      { code: 'rate_deck_not_found', message: `no rate deck ${world.decks.carrier}` }]);
    const missing = await api.call({ method: 'GET', url: '/v1/rate-decks/deck_nope' });
    expect([missing.status, missing.body['code']]).toEqual([404, 'rate_deck_not_found']);
  });
  it('downloads the deck as it was uploaded', async () => {
    const response = await api.call({ method: 'GET', key: world.keys.rs,
      url: `/v1/rate-decks/${world.decks.retail}/csv` });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.text).toBe(deckCsv('0.20', '0.05'));
  });
});
