import { afterEach, describe, expect, it } from 'vitest';
import {
  addDeck,
  money,
  openFraudHarness,
  placeCall,
  seedTree,
  strictConfig,
  type FraudHarness,
} from './fraud-harness.ts';

// Whole stories under a manual clock over real charging on SQLite (issue 8, "Must show").
const minuteMs = 60_000;
let harness: FraudHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function authorize(h: FraudHarness, sessionId: string, accountId: string, callee: string) {
  const result = await h.charging.authorize({ sessionId, requestNumber: 0, accountId,
    caller: '100', callee });
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe('fraud scenarios', () => {
  it('suspends an IRSF burst within the window; its live calls get no further grant', async () => {
    const h = harness = await openFraudHarness();
    await seedTree(h, ['cu1', 'cu2']);
    await h.fraud.monitor.setConfig('op', strictConfig());
    const put = await h.fraud.monitor.putRiskList({ id: 'irsf', ownerAccountId: null,
      name: 'IRSF premium', prefixes: ['88213'], action: 'suspend', callsThreshold: 5,
      windowMs: 10 * minuteMs, updatedAtMs: h.clock.nowMs() });
    expect(put.ok).toBe(true);
    const startMs = h.clock.nowMs();
    // Given four calls up at once to the premium range,
    for (let index = 0; index < 4; index += 1) {
      const answer = await authorize(h, `irsf-${index}`, 'cu1', `8821300000${index}`);
      expect(answer.status).toBe('granted');
      h.clock.advanceMs(15_000);
    }
    // when the fifth attempt comes, the account is suspended and that call refused,
    const fifth = await authorize(h, 'irsf-4', 'cu1', '882130000004');
    expect(fifth.status).toBe('fraud_suspended');
    expect(h.clock.nowMs() - startMs).toBeLessThan(10 * minuteMs);
    const view = await h.ledger.getAccount('cu1');
    expect(view.ok && view.value.account.state).toBe('suspended');
    expect(h.suspendedHook).toEqual(['cu1']);
    // then every live call is told to hang up at its next update (a final zero grant),
    for (let index = 0; index < 4; index += 1) {
      const updated = await h.charging.update({ sessionId: `irsf-${index}`, requestNumber: 1,
        usedSeconds: 30 });
      expect(updated.ok && updated.value).toMatchObject({ status: 'granted', grantedSeconds: 0,
        final: true });
    }
    // new calls are refused, a retransmitted refusal is the same answer, cu2 is untouched.
    expect((await authorize(h, 'next', 'cu1', '4420700000')).status).toBe('fraud_suspended');
    expect((await authorize(h, 'irsf-4', 'cu1', '882130000004')).status)
      .toBe('fraud_suspended');
    expect((await authorize(h, 'other', 'cu2', '4420700000')).status).toBe('granted');
    const alerts = await h.alerts();
    // (the live calls' first minutes at 2.50 also crossed the 1.00 per minute ceiling: alert)
    expect(alerts.map((alert) => alert.ruleId).sort()).toEqual(['cost_per_minute',
      'destination_risk']);
    expect(alerts.find((alert) => alert.ruleId === 'destination_risk')).toMatchObject({
      accountId: 'cu1', ruleId: 'destination_risk',
      action: 'suspend', destination: '88213', rootAccountId: 'op', scopePath: '/op/cu1/' });
    expect(h.fraud.monitor.activeMeasures('cu1')).toHaveLength(1);
  });

  it('alerts on a spend spike to a country the account never called', async () => {
    const h = harness = await openFraudHarness();
    await seedTree(h, ['cu1']);
    await h.fraud.monitor.setConfig('cu1', strictConfig());
    // Given ten days of ordinary calls to the UK and Germany,
    for (let day = 0; day < 10; day += 1) {
      for (let call = 0; call < 4; call += 1) {
        await placeCall(h, { sessionId: `d${day}-${call}`, accountId: 'cu1',
          callee: call % 2 === 0 ? '4420700000' : '4930123456', durationS: 120, sliceS: 60 });
        h.clock.advanceMs(30 * minuteMs);
      }
      h.clock.advanceMs(22 * 60 * minuteMs);
    }
    expect(await h.alerts()).toEqual([]);
    // when the account spends 8.00 in an hour on Nigeria,
    for (let call = 0; call < 4; call += 1) {
      const status = await placeCall(h, { sessionId: `ng-${call}`, accountId: 'cu1',
        callee: '2348012345678', durationS: 300, sliceS: 60 });
      expect(status).toBe('terminated');
    }
    // then one destination-anomaly alert names it, and the calls were not stopped.
    const alerts = await h.alerts();
    expect(alerts.map((alert) => alert.ruleId)).toEqual(['destination_anomaly']);
    expect(alerts[0]).toMatchObject({ action: 'alert', destination: '234', measureId: null });
    expect(alerts[0]!.details['new_spend']).toBe('5.20');
    const view = await h.ledger.getAccount('cu1');
    expect(view.ok && view.value.account.state).toBe('active');
  });

  it('lifts a suspension when its cool-down ends, and a block on manual release', async () => {
    const h = harness = await openFraudHarness();
    await seedTree(h, ['cu1']);
    await h.fraud.monitor.setConfig('cu1', strictConfig({ coolDownMs: 30 * minuteMs,
      spendVelocity: { tenMinutesMicrosMax: money('3'), hourMicrosMax: null, dayMicrosMax: null,
        action: 'suspend' },
      costPerMinute: { ceilingMicros: money('1.00'), usedSecondsMin: 30,
        action: 'block_destination' } }));
    // A satellite call at 1.20 a minute is blocked after 30 s (cost per minute ceiling),
    await placeCall(h, { sessionId: 'sat', accountId: 'cu1', callee: '881612345', durationS: 60,
      sliceS: 30 });
    expect((await authorize(h, 'sat-2', 'cu1', '881612346')).status).toBe('destination_blocked');
    // and 4.00 in ten minutes to Nigeria suspends the account.
    await placeCall(h, { sessionId: 'ng', accountId: 'cu1', callee: '2348012345678',
      durationS: 600, sliceS: 60 });
    expect((await authorize(h, 'uk-1', 'cu1', '4420700000')).status).toBe('fraud_suspended');
    const measures = h.fraud.monitor.activeMeasures('cu1');
    expect(measures.map((measure) => measure.kind).sort()).toEqual(['block_destination',
      'suspend']);
    const suspension = measures.find((measure) => measure.kind === 'suspend')!;
    const block = measures.find((measure) => measure.kind === 'block_destination')!;
    expect(block.createdAtMs).toBeLessThan(suspension.createdAtMs);
    // A minute before its cool-down ends the suspension holds (the older block has lifted);
    h.clock.setMs(suspension.createdAtMs + 29 * minuteMs);
    await h.fraud.tick();
    expect(h.fraud.monitor.activeMeasures('cu1').map((measure) => measure.kind))
      .toEqual(['suspend']);
    expect((await authorize(h, 'uk-2', 'cu1', '4420700000')).status).toBe('fraud_suspended');
    // at thirty minutes the cool-down lifts it, and the ledger state is active again.
    h.clock.setMs(suspension.createdAtMs + 30 * minuteMs);
    await h.fraud.tick();
    const view = await h.ledger.getAccount('cu1');
    expect(view.ok && view.value.account.state).toBe('active');
    expect((await authorize(h, 'uk-3', 'cu1', '4420700000')).status).toBe('granted');
    const released = await h.fraud.store.listMeasures({ scopeAccountId: 'cu1',
      activeOnly: false, limit: 10 });
    expect(released.map((measure) => measure.releasedBy)).toEqual(['cool_down', 'cool_down']);
    // A manual release lifts a block before its cool-down, once.
    await placeCall(h, { sessionId: 'sat-3', accountId: 'cu1', callee: '881612347',
      durationS: 60, sliceS: 30 });
    const [second] = h.fraud.monitor.activeMeasures('cu1');
    expect(second?.kind).toBe('block_destination');
    const manual = await h.fraud.monitor.release(second!.id);
    expect(manual.ok && manual.value.releasedBy).toBe('manual');
    const again = await h.fraud.monitor.release(second!.id);
    expect(!again.ok && again.code).toBe('fraud_measure_released');
    expect((await authorize(h, 'sat-4', 'cu1', '881612348')).status).toBe('granted');
  });

  it('does not lift a suspension it did not make', async () => {
    const h = harness = await openFraudHarness();
    await seedTree(h, ['cu1']);
    await h.fraud.monitor.setConfig('cu1', strictConfig({ coolDownMs: minuteMs }));
    await h.fraud.monitor.putRiskList({ id: 'sat', ownerAccountId: null, name: 'satellite',
      prefixes: ['881'], action: 'suspend', callsThreshold: 1, windowMs: minuteMs,
      updatedAtMs: h.clock.nowMs() });
    // The operator suspended the account by hand before fraud control fired.
    await h.ledger.updateAccount({ id: 'cu1', changes: { state: 'suspended' } });
    expect((await authorize(h, 's1', 'cu1', '881612345')).status).toBe('fraud_suspended');
    h.clock.advanceMs(2 * minuteMs);
    await h.fraud.tick();
    const view = await h.ledger.getAccount('cu1');
    expect(view.ok && view.value.account.state).toBe('suspended');
  });

  // On both stores: the restart reads charging's tables through the fraud history SQL.
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`rebuilds its windows from the last day of CDRs and the live calls (${kind})`,
      async () => {
        let h = harness = await openFraudHarness(kind);
        await seedTree(h, ['cu1']);
        await h.fraud.monitor.setConfig('cu1', strictConfig({ spendVelocity: {
          tenMinutesMicrosMax: null, hourMicrosMax: null, dayMicrosMax: money('10'),
          action: 'alert' }, concurrentCalls: { callsMax: 2, action: 'alert' } }));
        // 8.00 spent today, and two calls still up when the process stops,
        await placeCall(h, { sessionId: 'a', accountId: 'cu1', callee: '2348012345678',
          durationS: 1_200, sliceS: 60 });
        expect((await authorize(h, 'live-1', 'cu1', '4420700000')).status).toBe('granted');
        expect((await authorize(h, 'live-2', 'cu1', '4420700000')).status).toBe('granted');
        h = harness = await h.restart();
        expect(h.fraud.rebuilt).toMatchObject({ configs: 1, cdrs: 1, liveSessions: 2,
          profiles: 1 });
        // then after the restart a third call is the third concurrent one,
        expect((await authorize(h, 'live-3', 'cu1', '4420700000')).status).toBe('granted');
        // and 2.40 more (live-1's first minute and another call) crosses the daily 10.00.
        const updated = await h.charging.update({ sessionId: 'live-1', requestNumber: 1,
          usedSeconds: 60 });
        expect(updated.ok).toBe(true);
        await placeCall(h, { sessionId: 'b', accountId: 'cu1', callee: '2348012345678',
          durationS: 300, sliceS: 60 });
        const rules = (await h.alerts()).map((alert) => alert.ruleId).sort();
        expect(rules).toEqual(['concurrent_calls', 'spend_velocity']);
      });
  }

  it('alerts a postpaid account at 80 % and 95 % of its credit, once per month', async () => {
    const h = harness = await openFraudHarness();
    await seedTree(h, []);
    addDeck(h, 'retail', ['44,United Kingdom,1.00,0,1,1']);
    const created = await h.ledger.createAccount({ id: 'pp', tier: 'customer', parentId: 'op',
      name: 'pp', currency: 'USD', mode: 'postpaid', creditLimitMicros: money('10'),
      rateDeckId: 'retail' });
    expect(created.ok).toBe(true);
    await placeCall(h, { sessionId: 'c1', accountId: 'pp', callee: '4420700000',
      durationS: 480, sliceS: 60 });
    await h.fraud.tick();
    expect((await h.alerts()).map((alert) => alert.details['threshold_percent'])).toEqual(['80']);
    await placeCall(h, { sessionId: 'c2', accountId: 'pp', callee: '4420700000',
      durationS: 60, sliceS: 60 });
    await h.fraud.tick();
    await placeCall(h, { sessionId: 'c3', accountId: 'pp', callee: '4420700000',
      durationS: 30, sliceS: 30 });
    await h.fraud.tick();
    const thresholds = (await h.alerts()).map((alert) => alert.details['threshold_percent']);
    expect(thresholds).toEqual(['80', '95']);
    expect((await h.alerts())[1]).toMatchObject({ ruleId: 'credit_limit', action: 'alert',
      dedupeKey: 'credit_limit:pp:2026-11:95' });
  });

  it('counts one-shot events as spend, once per event id', async () => {
    const h = harness = await openFraudHarness();
    await seedTree(h, ['cu1']);
    await h.fraud.monitor.setConfig('cu1', strictConfig({ spendVelocity: {
      tenMinutesMicrosMax: money('3'), hourMicrosMax: null, dayMicrosMax: null,
      action: 'alert' } }));
    const event = (eventId: string) => h.charging.event({ eventId, accountId: 'cu1',
      caller: '100', callee: '2348012345678', durationSeconds: 240 });
    // 1.60 each: the same event sent twice is one event (1.60), a second one makes 3.20.
    expect((await event('e1')).ok).toBe(true);
    expect((await event('e1')).ok).toBe(true);
    expect(await h.alerts()).toEqual([]);
    expect((await event('e2')).ok).toBe(true);
    expect((await h.alerts()).map((alert) => [alert.ruleId, alert.details['spent']]))
      .toEqual([['spend_velocity', '3.20']]);
  });
});
