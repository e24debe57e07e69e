import { expect } from 'vitest';
import { withConnection } from '../audit/audit-raw-sql.ts';
import { seedWorld, type TestApi, type World } from '../http/http-fixture.ts';

/**
 * The HTTP test world (op > ad > rs > cu1, cu2) plus one carrier of op, so that every routed
 * call pays the carrier's accrual account, and a month of calls: finished ones, an event, and
 * one call left live (its hold must match a live session).
 */
export interface AssuranceWorld {
  readonly world: World;
  readonly carrierAccountId: string;
  /** Session ids of the finished calls, in order. */
  readonly calls: readonly string[];
  readonly liveSessionId: string;
}

export async function seedAssuranceWorld(api: TestApi, label: string): Promise<AssuranceWorld> {
  const world = await seedWorld(api);
  const csv = ['prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
    '44,United Kingdom,0.07,0,60,60', '49,Germany,0.09,0,1,1'].join('\n');
  const upload = await api.call({ method: 'POST', csv,
    url: '/v1/rate-decks?name=carrier-x&currency=USD&owner_id=op' });
  expect(upload.status, upload.text).toBe(201);
  const carrier = await api.call({ method: 'POST', url: '/v1/carriers',
    json: { id: 'x', root_account_id: 'op', name: 'Carrier X', rate_deck_id: upload.body['id'],
      gateway: 'sofia/gateway/x/' } });
  expect(carrier.status, carrier.text).toBe(200);
  const calls: string[] = [];
  for (let index = 0; index < 12; index += 1) {
    const sessionId = `${label}-call-${index}`;
    const customer = index % 3 === 0 ? 'cu2' : 'cu1';
    await callOnce(api, { sessionId, accountId: customer,
      callee: index % 2 === 0 ? '442079460000' : '4930123456', seconds: 20 + index * 13 });
    calls.push(sessionId);
  }
  // An attempt that failed at the carrier: 0 seconds, a CDR that costs nothing.
  await callOnce(api, { sessionId: `${label}-failed`, accountId: 'cu1', callee: '4930123456',
    seconds: 0 });
  const event = await api.call({ method: 'POST', url: '/v1/events', json: {
    event_id: `${label}-event-1`, account_id: 'cu2', caller: '1555', callee: '4930123456',
    duration_seconds: 42 } });
  expect(event.status, event.text).toBe(200);
  const liveSessionId = `${label}-live`;
  const live = await authorize(api, liveSessionId, 'cu1', '442079460000');
  expect(live.status, live.text).toBe(200);
  const update = await api.call({ method: 'POST', url: `/v1/sessions/${liveSessionId}/update`,
    json: { request_number: 1, used_seconds: 30 } });
  expect(update.status, update.text).toBe(200);
  return { world, carrierAccountId: String(carrier.body['account_id']), calls, liveSessionId };
}

function authorize(api: TestApi, sessionId: string, accountId: string, callee: string) {
  return api.call({ method: 'POST', url: '/v1/sessions', json: { session_id: sessionId,
    account_id: accountId, caller: '1555', callee, request_number: 0 } });
}

async function callOnce(api: TestApi, spec: { sessionId: string; accountId: string;
  callee: string; seconds: number }): Promise<void> {
  const granted = await authorize(api, spec.sessionId, spec.accountId, spec.callee);
  expect(granted.status, granted.text).toBe(200);
  // The switch reports every 50 s, inside each 60 s grant, as a real one would.
  let requestNumber = 1;
  for (let used = 50; used < spec.seconds; used += 50) {
    api.clock.advanceMs(50_000);
    const updated = await api.call({ method: 'POST',
      url: `/v1/sessions/${spec.sessionId}/update`,
      json: { request_number: requestNumber, used_seconds: used } });
    expect(updated.status, updated.text).toBe(200);
    requestNumber += 1;
  }
  api.clock.advanceMs((spec.seconds % 50 === 0 && spec.seconds > 0 ? 50 : spec.seconds % 50) *
    1000);
  const ended = await api.call({ method: 'POST', url: `/v1/sessions/${spec.sessionId}/terminate`,
    json: { request_number: requestNumber, used_seconds: spec.seconds } });
  expect(ended.status, ended.text).toBe(200);
  api.clock.advanceMs(60_000);
}

/** Runs raw SQL statements against the test API's database, past the application. */
export async function rawSql(api: TestApi, statements: readonly string[]): Promise<unknown[][]> {
  return withConnection(api, async (query) => {
    const results: unknown[][] = [];
    for (const statement of statements) results.push(await query(statement));
    return results;
  });
}

/** Micros of a decimal money string (test-side, exact: no float). */
export function microsOf(text: string): bigint {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const value = BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  return text.startsWith('-') ? -value : value;
}
