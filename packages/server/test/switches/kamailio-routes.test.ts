import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi, type World } from '../http/http-fixture.ts';

// The plain-text endpoints kamailio.cfg calls, without Kamailio: every bad input gets its code
// as text with the API's status, and nothing moves.
let api: TestApi;
let world: World;
beforeAll(async () => {
  api = await openTestApi();
  world = await seedWorld(api);
});
afterAll(async () => api.close());

const get = (path: string, key?: string | null) =>
  api.call({ method: 'GET', url: path, ...(key === undefined ? {} : { key }) });
const balanceOf = async (id: string) =>
  String((await get(`/v1/accounts/${id}`)).body['balance']);
const authorizeUrl = (fields: Record<string, string>) =>
  `/v1/kamailio/authorize?${new URLSearchParams({ account: 'cu1', caller: '15551230000',
    callee: '442079460000', callid: 'k-1@host', ...fields })}`;

describe('Kamailio plain-text endpoints', () => {
  it('answers bad input with a code, moves nothing', async () => {
    const before = await balanceOf('cu1');
    const cases: Array<[string, number, string]> = [
      [authorizeUrl({ callid: '' }), 400, 'invalid_session_id'],
      [authorizeUrl({ callid: 'x'.repeat(151) }), 400, 'invalid_session_id'],
      [authorizeUrl({ callee: '44abc' }), 400, 'invalid_number'],
      [authorizeUrl({ callid: 'bad id with spaces' }), 400, 'invalid_session_id'],
      [authorizeUrl({ account: 'nobody', callid: 'k-2' }), 404, 'account_not_found'],
      [authorizeUrl({ callee: '999123', callid: 'k-3' }), 403, 'no_rate'],
      ['/v1/kamailio/end?callid=k-1@host&duration=abc', 400, 'invalid_used_seconds'],
      ['/v1/kamailio/end?callid=never-seen&duration=5', 404, 'session_not_found'],
      ['/v1/kamailio/end?duration=5', 400, 'invalid_session_id'],
      ['/v1/kamailio/update?callid=k-1@host&used=-1', 400, 'invalid_used_seconds'],
      ['/v1/kamailio/update?callid=k-1@host', 400, 'invalid_used_seconds'],
      ['/v1/kamailio/update?callid=never-seen&used=5', 404, 'session_not_found'],
      ['/v1/kamailio/update?used=5', 400, 'invalid_session_id'],
      ['/v1/kamailio/start?callid=k-1@host&h_entry=one&h_id=2', 400, 'bad_request'],
      ['/v1/kamailio/start?callid=k-1@host&h_entry=1&h_id=-2', 400, 'bad_request'],
      ['/v1/kamailio/start?callid=never-seen&h_entry=1&h_id=2', 404, 'session_not_found'],
    ];
    for (const [url, status, code] of cases) {
      const answer = await get(url);
      expect([url, answer.status, answer.text]).toEqual([url, status, `${code}\n`]);
    }
    expect((await get(authorizeUrl({}), null)).status).toBe(401);
    expect(await balanceOf('cu1')).toBe(before);
  });

  it('answers a missing or bad key with the JSON problem (found by the HTTP fuzz)', async () => {
    // The 4xx schema was a string only, so the problem object went out as "[object Object]".
    for (const key of [null, 'not-a-key']) {
      for (const path of [authorizeUrl({}), '/v1/kamailio/start', '/v1/kamailio/update',
        '/v1/kamailio/end']) {
        const answer = await get(path, key);
        expect([path, answer.status, answer.body['code']]).toEqual([path, 401,
          'unauthorized']);
      }
    }
  });

  it('grants as plain seconds, replays the same answer, settles on end', async () => {
    const before = await balanceOf('cu1');
    const url = authorizeUrl({ callid: 'k-10@host' });
    expect((await get(url)).text).toBe('60\n');
    expect((await get(url)).text).toBe('60\n');
    const posted = await api.call({ method: 'POST', url: '/v1/kamailio/authorize',
      raw: { contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({ account: 'cu1', caller: '1', callee: '442079460000',
          callid: 'k-10@host' }).toString() } });
    expect([posted.status, posted.text]).toEqual([200, '60\n']);
    const started = await get('/v1/kamailio/start?callid=k-10%40host&h_entry=7&h_id=99');
    expect([started.status, started.text]).toEqual([200, '60\n']);
    expect((await get('/v1/kamailio/start?callid=k-10%40host&h_entry=7&h_id=99',
      world.keys.other)).status).toBe(404);
    expect(await api.services.switches.origins.find('kam:k-10@host')).toMatchObject({
      integration: 'kamailio', callRef: { callId: 'k-10@host', hEntry: 7, hId: 99 } });
    const ended = await get('/v1/kamailio/end?callid=k-10%40host&duration=47');
    expect([ended.status, ended.text]).toEqual([200, 'terminated\n']);
    expect((Number(before) - Number(await balanceOf('cu1'))).toFixed(2)).toBe('0.21');
  });

  it('renews: commits the seconds used, answers the next grant',
    async () => {
      const before = await balanceOf('cu1');
      expect((await get(authorizeUrl({ callid: 'k-20@host' }))).text).toBe('60\n');
      expect((await get('/v1/kamailio/start?callid=k-20%40host&h_entry=1&h_id=2')).text)
        .toBe('60\n');
      const renewed = await get('/v1/kamailio/update?callid=k-20%40host&used=55');
      expect([renewed.status, renewed.text]).toEqual([200, '60\n']);
      // 55 s bills 60 (the first 30 s block, five of 6 s): 0.05 + 0.20 = 0.25, committed.
      expect((Number(before) - Number(await balanceOf('cu1'))).toFixed(2)).toBe('0.25');
      // A renewal after the end is refused (the grants that end at the money are seen with
      // the real Kamailio, kamailio-sipp.test.ts).
      const ended = await get('/v1/kamailio/end?callid=k-20%40host&duration=80');
      expect(ended.status).toBe(200);
      const late = await get('/v1/kamailio/update?callid=k-20%40host&used=81');
      // A 4xx: kamailio.cfg stops renewing the call.
      expect([Math.floor(late.status / 100), late.text]).toEqual([4, 'session_closed\n']);
      // 80 s: 0.05 + 0.20 * 84 / 60 = 0.33 (blocks of 6 s after the first 30).
      expect((Number(before) - Number(await balanceOf('cu1'))).toFixed(2)).toBe('0.33');
    });
});
