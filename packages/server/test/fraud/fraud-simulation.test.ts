import { assert } from '@tollgate/core';
import { afterAll, describe, expect, it } from 'vitest';
import { money, openFraudHarness, seedTree, strictConfig, type FraudHarness } from
  './fraud-harness.ts';

// No false positive: a seeded month-like stretch of ordinary retail traffic (10,000 calls,
// every rule on) through real charging and fraud control raises no alert at all.
const seed = 20_261_129;
const accountsCount = 50;
const callsTotal = 10_000;
const days = 20;
const dayMs = 86_400_000;
// Ten-minute grants: most calls need no update, which keeps 10,000 calls quick to charge.
const sliceMs = 600_000;
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
const zoneOffsetHours: Record<string, number> = { 'UTC': 0, 'Europe/Berlin': 1,
  'America/New_York': -5, 'Asia/Tokyo': 9 };
const countries = [['44', '4420'], ['49', '4930'], ['33', '3314'], ['1', '1212']] as const;
const rare = ['234', '2348'] as const;

/** mulberry32: a small seeded generator, so a failure is reproducible from the seed. */
function random(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface SimCall { id: string; accountId: string; callee: string; startMs: number;
  durationS: number }

type SimEvent = { atMs: number; order: number; call: SimCall; kind: 'start' | 'update' | 'end';
  usedS: number };

function generate(startMs: number): SimCall[] {
  const next = random(seed);
  const calls: SimCall[] = [];
  const perDay = callsTotal / days / accountsCount;
  for (let index = 0; index < callsTotal; index += 1) {
    const account = index % accountsCount;
    const day = Math.floor(index / (accountsCount * perDay));
    const zone = zones[account % zones.length]!;
    // Business hours, local 08:00-19:00, as UTC.
    const localMs = Math.floor((8 + next() * 11) * 3_600_000);
    const atMs = startMs + day * dayMs + localMs - zoneOffsetHours[zone]! * 3_600_000;
    const home = countries.filter((_, position) => (account + position) % 4 !== 0);
    const [, prefix] = next() < 0.02 ? rare : home[Math.floor(next() * home.length)]!;
    const short = next() < 0.05;
    const durationS = short ? 1 + Math.floor(next() * 5)
      : Math.min(1_800, 1 + Math.floor(-Math.log(1 - next()) * 150));
    calls.push({ id: `sim-${index}`, accountId: `cu${account}`, startMs: atMs, durationS,
      callee: `${prefix}${String(1_000_000 + Math.floor(next() * 8_999_999))}` });
  }
  return calls;
}

function eventsOf(calls: readonly SimCall[]): SimEvent[] {
  const events: SimEvent[] = [];
  let order = 0;
  for (const call of calls) {
    events.push({ atMs: call.startMs, order: order++, call, kind: 'start', usedS: 0 });
    for (let usedMs = sliceMs; usedMs < call.durationS * 1_000; usedMs += sliceMs) {
      events.push({ atMs: call.startMs + usedMs, order: order++, call, kind: 'update',
        usedS: usedMs / 1_000 });
    }
    events.push({ atMs: call.startMs + call.durationS * 1_000, order: order++, call,
      kind: 'end', usedS: call.durationS });
  }
  return events.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
}

async function run(h: FraudHarness, events: readonly SimEvent[]) {
  const requests = new Map<string, number>();
  let granted = 0;
  for (const event of events) {
    if (event.atMs > h.clock.nowMs()) h.clock.setMs(event.atMs);
    const { call } = event;
    if (event.kind === 'start') {
      const answer = await h.charging.authorize({ sessionId: call.id, requestNumber: 0,
        accountId: call.accountId, caller: '100', callee: call.callee });
      assert(answer.ok, `seed ${seed}: authorize ${call.id}`);
      if (answer.value.status === 'granted') granted += 1;
      requests.set(call.id, answer.value.status === 'granted' ? 1 : -1);
      continue;
    }
    const number = requests.get(call.id)!;
    if (number < 0) continue;
    const input = { sessionId: call.id, requestNumber: number, usedSeconds: event.usedS };
    const answer = event.kind === 'update' ? await h.charging.update(input)
      : await h.charging.terminate(input);
    assert(answer.ok, `seed ${seed}: ${event.kind} ${call.id}: ${answer.ok ? '' : answer.message}`);
    requests.set(call.id, number + 1);
  }
  return granted;
}

describe('fraud control on ordinary traffic', () => {
  let harness: FraudHarness | null = null;
  afterAll(async () => {
    await harness?.close();
  });

  it(`raises nothing on ${callsTotal} seeded ordinary calls (seed ${seed})`, async () => {
    const h = harness = await openFraudHarness('sqlite', undefined, undefined, undefined,
      sliceMs / 1_000);
    await seedTree(h, [], '0');
    for (let account = 0; account < accountsCount; account += 1) {
      const id = `cu${account}`;
      const created = await h.ledger.createAccount({ id, tier: 'customer', parentId: 'op',
        name: id, currency: 'USD', rateDeckId: 'retail',
        timeZone: zones[account % zones.length]! });
      assert(created.ok, id);
      await h.ledger.topup({ accountId: id, currency: 'USD', amountMicros: money('1000'),
        reference: `seed-${id}`, idempotencyKey: `seed-${id}` });
    }
    await h.fraud.monitor.setConfig('op', strictConfig());
    await h.fraud.monitor.putRiskList({ id: 'irsf', ownerAccountId: null, name: 'IRSF',
      prefixes: ['88213', '881'], action: 'suspend', callsThreshold: 1, windowMs: 600_000,
      updatedAtMs: h.clock.nowMs() });
    const startMs = Math.floor(h.clock.nowMs() / dayMs + 1) * dayMs;
    const granted = await run(h, eventsOf(generate(startMs)));
    await h.fraud.tick();
    expect(granted, `seed ${seed}`).toBe(callsTotal);
    const alerts = await h.alerts();
    expect(alerts.map((alert) => `${alert.accountId} ${alert.ruleId}: ${alert.message}`),
      `seed ${seed}`).toEqual([]);
    // The rules were armed all along: after the run a 03:00 UTC call is unusual for cu0, and
    // one call of cu1 into the risk list suspends it.
    const nextDayMs = Math.floor(h.clock.nowMs() / dayMs + 1) * dayMs;
    h.clock.setMs(nextDayMs + 3 * 3_600_000);
    const night = await h.charging.authorize({ sessionId: 'night', requestNumber: 0,
      accountId: 'cu0', caller: '100', callee: '4420700000' });
    expect(night.ok && night.value.status).toBe('granted');
    const risky = await h.charging.authorize({ sessionId: 'risky', requestNumber: 0,
      accountId: 'cu1', caller: '100', callee: '8816123456' });
    expect(risky.ok && risky.value.status).toBe('fraud_suspended');
    // (04:00 in Berlin is as unusual for cu1 as 03:00 is for cu0.)
    expect((await h.alerts()).map((alert) => `${alert.accountId} ${alert.ruleId}`).sort())
      .toEqual(['cu0 unusual_hours', 'cu1 destination_risk', 'cu1 unusual_hours']);
  }, 240_000);
});
