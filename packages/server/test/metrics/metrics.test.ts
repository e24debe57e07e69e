import { afterEach, describe, expect, it } from 'vitest';
import { startSweeper } from '../../src/app/sweeper.ts';
import { meteredCharging } from '../../src/metrics/metered-charging.ts';
import { TollgateMetrics } from '../../src/metrics/metrics.ts';
import { openTestApi, seedWorld, type StoreKind, type TestApi } from '../http/http-fixture.ts';

const metricsKey = 'metrics-key-for-prometheus-0123';

/** One sample of the exposition text: the metric with exactly these labels; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).sort();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = (match[2] ?? '').split(/,(?=[a-z_]+=)/).filter((part) => part !== '').sort();
    if (found.join(',') === wanted.join(',')) return Number(match[3]);
  }
  return 0;
}

async function scrape(api: TestApi): Promise<string> {
  const response = await api.call({ method: 'GET', url: '/metrics', key: metricsKey });
  expect(response.status).toBe(200);
  expect(String(response.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text;
}

const sessions = { protocol: 'http', route: 'POST /v1/sessions' };
let open: TestApi | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

// PostgreSQL at DATABASE_URL_TEST: fails, never skips, when unreachable.
describe.each<StoreKind>(['sqlite', 'postgres'])('GET /metrics on %s (issue 21)', (kind) => {
  it('moves the request, engine, session and held-money series with a call', async () => {
    const api = open = await openTestApi(kind, { metricsKey });
    const world = await seedWorld(api);
    const before = await scrape(api);
    expect(sample(before, 'tollgate_live_sessions')).toBe(0);
    const call = { session_id: 'metered-1', account_id: 'cu1', caller: '15551230000',
      callee: '442079460000' };
    const granted = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
      json: { ...call, request_number: 0 } });
    expect(granted.status).toBe(200);
    const during = await scrape(api);
    expect(sample(during, 'tollgate_requests_total', { ...sessions, outcome: '200' })
      - sample(before, 'tollgate_requests_total', { ...sessions, outcome: '200' })).toBe(1);
    expect(sample(during, 'tollgate_request_duration_seconds_count', sessions)
      - sample(before, 'tollgate_request_duration_seconds_count', sessions)).toBe(1);
    expect(sample(during, 'tollgate_request_duration_seconds_sum', sessions)).toBeGreaterThan(0);
    expect(sample(during, 'tollgate_live_sessions')).toBe(1);
    // The first grant (60 s at 0.20/min + 0.05 connect) is held on every level of the chain.
    expect(sample(during, 'tollgate_held_micros', { currency: 'USD', tier: 'customer' }))
      .toBe(250_000);
    expect(sample(during, 'tollgate_held_micros', { currency: 'USD', tier: 'reseller' }))
      .toBeGreaterThan(0);
    expect(sample(during, 'tollgate_engine_decisions_total'))
      .toBeGreaterThan(sample(before, 'tollgate_engine_decisions_total'));
    expect(sample(during, 'tollgate_engine_batch_records_count'))
      .toBeGreaterThan(sample(before, 'tollgate_engine_batch_records_count'));
    expect(sample(during, 'tollgate_engine_commit_duration_seconds_count'))
      .toBe(sample(during, 'tollgate_engine_batches_total'));
    expect(sample(during, 'tollgate_deck_cache_decks')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'tollgate_deck_cache_decks_max')).toBe(api.config.deckCacheDecksMax);

    const ended = await api.call({ method: 'POST', url: '/v1/sessions/metered-1/terminate',
      key: world.keys.cu1, json: { request_number: 1, used_seconds: 47 } });
    expect(ended.status).toBe(200);
    const after = await scrape(api);
    expect(sample(after, 'tollgate_live_sessions')).toBe(0);
    expect(sample(after, 'tollgate_held_micros', { currency: 'USD', tier: 'customer' })).toBe(0);
    const terminate = { protocol: 'http', route: 'POST /v1/sessions/:session_id/terminate' };
    expect(sample(after, 'tollgate_requests_total', { ...terminate, outcome: '200' })).toBe(1);
    // No raw URL becomes a series: the session id is nowhere in the text.
    expect(after).not.toContain('metered-1');
    // A path no route matches counts once under one series, whatever the path.
    await api.call({ method: 'GET', url: '/no/such/path/123', key: null });
    expect(sample(await scrape(api), 'tollgate_requests_total',
      { protocol: 'http', route: 'unmatched', outcome: '404' })).toBe(1);
  });
});

describe('RequestSeries', () => {
  it('prints Prometheus buckets: cumulative, a value on a bound inside it, +Inf last', async () => {
    const metrics = new TollgateMetrics({ processMetrics: false });
    const series = metrics.requests.add('radius', 'authorize');
    for (const seconds of [0.001, 0.0011, 0.2, 60]) series.observe('granted', seconds);
    series.observe('refused', 0.0004);
    const text = await metrics.registry.metrics();
    const labels = { protocol: 'radius', route: 'authorize' };
    const bucket = (le: string) => sample(text, 'tollgate_request_duration_seconds_bucket',
      { ...labels, le });
    expect([bucket('0.0005'), bucket('0.001'), bucket('0.0025'), bucket('0.25'), bucket('10'),
      bucket('+Inf')]).toEqual([1, 2, 3, 4, 4, 5]);
    expect(sample(text, 'tollgate_request_duration_seconds_count', labels)).toBe(5);
    expect(sample(text, 'tollgate_request_duration_seconds_sum', labels)).toBeCloseTo(60.2025, 6);
    expect(sample(text, 'tollgate_requests_total', { ...labels, outcome: 'granted' })).toBe(4);
    expect(text).toContain('# TYPE tollgate_request_duration_seconds histogram');
    expect(text).toContain('# TYPE tollgate_requests_total counter');
  });
});

describe('GET /metrics', () => {
  it('counts a switch protocol\'s charging steps by outcome', async () => {
    const api = open = await openTestApi('sqlite', { metricsKey });
    await seedWorld(api);
    const diameter = meteredCharging(api.services.charging, api.services.metrics, 'diameter');
    const base = { accountId: 'cu1', caller: '15551230000', requestNumber: 0 };
    const granted = await diameter.authorize({ ...base, sessionId: 'dia-1',
      callee: '442079460000' });
    expect(granted.ok && granted.value.status).toBe('granted');
    const refused = await diameter.authorize({ ...base, sessionId: 'dia-2', callee: '99912345' });
    expect(refused.ok && refused.value.status).toBe('no_rate');
    const rejected = await diameter.update({ sessionId: 'dia-ghost', requestNumber: 1,
      usedSeconds: 1 });
    expect(rejected.ok).toBe(false);
    const text = await scrape(api);
    const step = (route: string, outcome: string) => sample(text, 'tollgate_requests_total',
      { protocol: 'diameter', route, outcome });
    expect([step('authorize', 'granted'), step('authorize', 'refused'),
      step('update', 'rejected'), step('update', 'granted')]).toEqual([1, 1, 1, 0]);
    expect(sample(text, 'tollgate_request_duration_seconds_count',
      { protocol: 'diameter', route: 'authorize' })).toBe(2);
  });

  it('counts the sweeper\'s runs', async () => {
    const api = open = await openTestApi('sqlite', { metricsKey });
    const { metrics } = api.services;
    const quiet = { info: () => undefined, error: () => undefined };
    const sweeper = startSweeper({ charging: api.services.charging, intervalMs: 100, log: quiet,
      meters: { closed: (count) => metrics.sweeperClosed.inc(count),
        ran: (result) => metrics.sweeperRuns.inc({ result }) } });
    for (let waited = 0; waited < 50; waited += 1) {
      if (sample(await scrape(api), 'tollgate_sweeper_runs_total', { result: 'ok' }) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await sweeper.stop();
    expect(sample(await scrape(api), 'tollgate_sweeper_runs_total', { result: 'ok' }))
      .toBeGreaterThan(0);
  });

  it('answers the metrics key and the operator key only', async () => {
    const api = open = await openTestApi('sqlite', { metricsKey });
    const world = await seedWorld(api);
    const status = async (key: string | null) =>
      (await api.call({ method: 'GET', url: '/metrics', key })).status;
    expect(await status(metricsKey)).toBe(200);
    const operator = await api.call({ method: 'GET', url: '/metrics' });
    expect(operator.status).toBe(200);
    expect(await status(null)).toBe(401);
    expect(await status('not-the-metrics-key-0123456789')).toBe(401);
    expect(await status(world.keys.rs)).toBe(403);
    // The metrics key opens nothing else.
    expect((await api.call({ method: 'GET', url: '/v1/whoami', key: metricsKey })).status)
      .toBe(401);
  });
});
