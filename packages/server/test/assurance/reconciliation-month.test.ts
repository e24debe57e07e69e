import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, testStartMs, type StoreKind, type TestApi } from '../http/http-fixture.ts';
import { seedAssuranceWorld } from './assurance-world.ts';

// Issue 20, must show: after a seeded simulated month on both stores (calls of every length
// with interim reports, events, refusals, kills, calls the sweeper times out, calls left
// live), reconciliation of the month reports zero. The seed is printed on failure.
const storeKinds: StoreKind[] = ['sqlite', 'postgres'];
const seed = Number(process.env['TOLLGATE_TEST_SEED'] ?? 20);
const dayMs = 86_400_000;

/** A small deterministic generator (mulberry32): the same seed gives the same month. */
function random(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe.each(storeKinds)(`a simulated month on %s (seed ${seed})`, (kind) => {
  let api: TestApi;
  const callees = ['442079460000', '4930123456', '15551234567', '447700900123'];
  const post = (url: string, json: unknown) => api.call({ method: 'POST', url, json });

  beforeAll(async () => {
    api = await openTestApi(kind);
    await seedAssuranceWorld(api, `month-${kind}`);
    // Room for a month of calls at every level.
    for (const [id, limit] of [['cu2', '5000.00'], ['rs', '10000.00'], ['ad', '10000.00']]) {
      const raised = await api.call({ method: 'PATCH', url: `/v1/accounts/${id}`,
        json: { credit_limit: limit } });
      expect(raised.status, raised.text).toBe(200);
    }
    const topup = await post('/v1/accounts/cu1/topups', { amount: '5000.00',
      reference: 'month' });
    expect(topup.status, topup.text).toBe(201);
  }, 120_000);
  afterAll(async () => api?.close());

  /** One call: authorize, report every 50 s, then end it one of four ways. */
  async function oneCall(next: () => number, sessionId: string): Promise<void> {
    const customer = next() < 0.5 ? 'cu1' : 'cu2';
    const callee = callees[Math.floor(next() * callees.length)]!;
    const granted = await post('/v1/sessions', { session_id: sessionId, account_id: customer,
      caller: '1555', callee, request_number: 0 });
    if (granted.body['status'] !== 'granted') return; // refused: no money, no CDR
    const seconds = Math.floor(next() * 400);
    let requestNumber = 1;
    for (let used = 50; used < seconds; used += 50) {
      api.clock.advanceMs(50_000);
      const updated = await post(`/v1/sessions/${sessionId}/update`,
        { request_number: requestNumber, used_seconds: used });
      requestNumber += 1;
      if (updated.body['status'] !== 'granted') return;
    }
    api.clock.advanceMs((seconds % 50) * 1000);
    const ending = next();
    if (ending < 0.08) {
      await post(`/v1/sessions/${sessionId}/kill`, {});
    } else if (ending < 0.15) {
      return; // silent: the sweeper closes it later
    } else {
      await post(`/v1/sessions/${sessionId}/terminate`, { request_number: requestNumber,
        used_seconds: seconds });
    }
  }

  it('reconciles to zero', async () => {
    const next = random(seed);
    const monthStartMs = api.clock.nowMs();
    for (let day = 0; day < 30; day += 1) {
      const calls = 3 + Math.floor(next() * 5);
      for (let index = 0; index < calls; index += 1) {
        await oneCall(next, `m-${kind}-${day}-${index}`);
        api.clock.advanceMs(Math.floor(next() * 3_600_000));
      }
      if (next() < 0.3) {
        const event = await post('/v1/events', { event_id: `m-${kind}-ev-${day}`,
          account_id: 'cu2', caller: '1555', callee: callees[day % callees.length],
          duration_seconds: Math.floor(next() * 200) });
        expect(event.status, event.text).toBeLessThan(500);
      }
      api.clock.setMs(monthStartMs + (day + 1) * dayMs);
      await api.services.charging.sweepStaleSessions();
    }
    // Two calls still live at the end of the month, holding money.
    await oneCall(() => 0.3, `m-${kind}-live-a`);
    await post('/v1/sessions', { session_id: `m-${kind}-live-b`, account_id: 'cu2',
      caller: '1555', callee: callees[0], request_number: 0 });
    const response = await api.call({ method: 'GET', url: '/v1/reconciliation?account_id=op' +
      `&from=${new Date(testStartMs - dayMs).toISOString()}` +
      `&to=${new Date(api.clock.nowMs() + dayMs).toISOString()}` });
    expect(response.status, response.text).toBe(200);
    expect(response.body['findings'], `seed ${seed}`).toEqual([]);
    expect(response.body['cdrs_checked']).toBeGreaterThan(100);
    expect(response.body['live_sessions_checked']).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
