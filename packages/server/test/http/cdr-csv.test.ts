import { afterEach, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi } from './http-fixture.ts';

let api: TestApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

/** The CSV's rows as objects keyed by the header line. */
function rowsOf(text: string): Array<Record<string, string>> {
  const [header = '', ...lines] = text.trimEnd().split('\n');
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',')
    .map((value, index) => [columns[index]!, value])));
}

/** cu1 calls the UK and hangs up after `seconds`. */
async function placeCall(testApi: TestApi, key: string, sessionId: string, seconds: number) {
  await testApi.call({ method: 'POST', url: '/v1/sessions', key, json: { session_id: sessionId,
    account_id: 'cu1', caller: '15551230000', callee: '442079460000', request_number: 0 } });
  const ended = await testApi.call({ method: 'POST', url: `/v1/sessions/${sessionId}/terminate`,
    key, json: { request_number: 1, used_seconds: seconds } });
  expect(ended.status, ended.text).toBe(200);
}

describe('CDR CSV with the caller\'s own figures (issue 21)', () => {
  it('shows each level its price, its cost and its margin, exactly', async () => {
    api = await openTestApi('sqlite');
    const world = await seedWorld(api);
    // charging.md's chain: cu1 pays 0.20/min + 0.05 connect, rs 0.15/min, ad 0.12/min, and the
    // root's own deck is 0.10/min; 30/6 blocks; a 47 s call is billed 48 s.
    await placeCall(api, world.keys.cu1, 'chain-1', 47);
    const csvOf = async (keyOf: string | undefined, url = '/v1/cdrs') => {
      const response = await api!.call({ method: 'GET', url, headers: { accept: 'text/csv' },
        ...(keyOf === undefined ? {} : { key: keyOf }) });
      expect(response.status, response.text).toBe(200);
      const [row] = rowsOf(response.text);
      return [row!['own_price'], row!['own_cost'], row!['own_margin'], row!['cost']];
    };
    expect(await csvOf(world.keys.cu1)).toEqual(['', '0.21', '', '0.21']);
    expect(await csvOf(world.keys.rs)).toEqual(['0.21', '0.12', '0.09', '0.21']);
    // The operator names the root: its own figures are the root's.
    expect(await csvOf(undefined, '/v1/cdrs?account_id=op'))
      .toEqual(['0.096', '0.08', '0.016', '0.21']);
  });

  it('takes days where a day is meant: from its start, to its end', async () => {
    api = await openTestApi('sqlite');
    const world = await seedWorld(api);
    const key = world.keys.cu1;
    await placeCall(api, key, 'day-1', 10);
    // The call ended on 2026-11-30 (the fixture's clock).
    const count = async (query: string) => {
      const response = await api!.call({ method: 'GET', url: `/v1/cdrs?${query}`, key });
      expect(response.status, response.text).toBe(200);
      return (response.body['cdrs'] as unknown[]).length;
    };
    expect(await count('from=2026-11-30&to=2026-11-30')).toBe(1);
    expect(await count('to=2026-11-29')).toBe(0);
    expect(await count('from=2026-12-01')).toBe(0);
    const bad = await api.call({ method: 'GET', url: '/v1/cdrs?from=2026-13-45', key });
    expect([bad.status, bad.body['column']]).toEqual([400, 'from']);
  });
});
