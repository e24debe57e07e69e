import type { ChargingTransaction } from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  addDeck,
  balances,
  openHarness,
  storeKinds,
  type ChargingHarness,
} from './charging-harness.ts';

// What the core itself answers after kill_session, without the switches' wrapper: the kill is
// stored tagged `killed`, so an update gets a typed "0 seconds, final" grant and a terminate
// the kill's settlement, whatever request number they carry, and no money moves again.
describe.each(storeKinds)('requests after a kill on %s', (kind) => {
  let harness: ChargingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function killedCall(sessionId: string) {
    addDeck(harness, 'retail', 'prefix,rate,connect_fee\n44,0.60,0.05\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'op', deck: 'retail',
      topup: '5.00' });
    const started = await harness.charging.authorize({ sessionId, requestNumber: 0,
      accountId: 'c', caller: '15550001', callee: '441234567' });
    expect(started).toMatchObject({ ok: true, value: { status: 'granted' } });
    expect((await harness.charging.update({ sessionId, requestNumber: 1, usedSeconds: 30 })).ok)
      .toBe(true);
    harness.clock.advanceMs(10_000);
    const killed = await harness.charging.kill({ sessionId });
    if (!killed.ok) throw new Error(`${killed.code}: ${killed.message}`);
    return killed.value;
  }

  const storedAnswerOf = (sessionId: string) => harness.store.transaction(
    async (tx: ChargingTransaction) => (await tx.findSession(sessionId))!.lastAnswerJson);

  it('an update after the kill, with any number, gets 0 s, final, typed as a grant', async () => {
    harness = await openHarness(kind);
    const killed = await killedCall('k1');
    // 30 s reported + 10 s since: 40 s at 0.60/min + 0.05 connect = 0.45.
    expect(killed).toMatchObject({ status: 'killed', requestNumber: 2, usedSeconds: 40,
      costMicros: 450_000n });
    expect(JSON.parse(await storedAnswerOf('k1'))).toMatchObject({ status: 'killed' });
    const after = await balances(harness, 'c');
    for (const requestNumber of [2, 3, 9, 1]) {
      harness.clock.advanceMs(1_000);
      const answer = await harness.charging.update({ sessionId: 'k1', requestNumber,
        usedSeconds: 45 });
      expect(answer).toEqual({ ok: true, value: { status: 'granted', sessionId: 'k1',
        requestNumber, grantedSeconds: 0, final: true, hangupAtMs: harness.clock.nowMs(),
        usedSeconds: 40, costMicros: 450_000n, currency: 'USD' } });
    }
    expect(await balances(harness, 'c')).toEqual(after);
  });

  it('a terminate after the kill, with any number, gets the kill\'s settlement', async () => {
    harness = await openHarness(kind);
    const killed = await killedCall('k2');
    const after = await balances(harness, 'c');
    for (const requestNumber of [2, 5, 1]) {
      const answer = await harness.charging.terminate({ sessionId: 'k2', requestNumber,
        usedSeconds: 50 });
      expect(answer).toEqual({ ok: true, value: { ...killed, status: 'terminated' } });
    }
    expect(await balances(harness, 'c')).toEqual(after);
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'c', limit: 10 });
    expect(cdrs.ok && cdrs.value.map((cdr) => cdr.disposition)).toEqual(['killed']);
  });

  it('a kill stored by the older code (a plain terminate answer) still replays', async () => {
    harness = await openHarness(kind);
    const killed = await killedCall('k3');
    const { status: _killed, ...fields } = killed;
    const oldJson = JSON.stringify({ status: 'terminated', ...fields },
      (_key, value: unknown) => typeof value === 'bigint' ? { $bigint: String(value) } : value);
    await harness.store.transaction(async (tx: ChargingTransaction) => {
      const session = (await tx.findSession('k3'))!;
      await tx.updateSession({ ...session, lastAnswerJson: oldJson });
    });
    const update = await harness.charging.update({ sessionId: 'k3', requestNumber: 2,
      usedSeconds: 41 });
    expect(update).toMatchObject({ ok: true, value: { status: 'granted', grantedSeconds: 0,
      final: true, usedSeconds: 40, costMicros: 450_000n } });
    const terminate = await harness.charging.terminate({ sessionId: 'k3', requestNumber: 2,
      usedSeconds: 41 });
    expect(terminate).toEqual({ ok: true, value: { ...killed, status: 'terminated' } });
    // Not told from a normal end by the core: the switches' wrapper answers these from the
    // kill it kept (kill-aware-charging.test.ts).
    const later = await harness.charging.update({ sessionId: 'k3', requestNumber: 3,
      usedSeconds: 41 });
    expect(later).toMatchObject({ ok: false, code: 'session_closed' });
  });

  it('a normally terminated session still refuses later requests', async () => {
    harness = await openHarness(kind);
    addDeck(harness, 'retail', 'prefix,rate\n44,0.60\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'op', deck: 'retail',
      topup: '5.00' });
    await harness.charging.authorize({ sessionId: 'n1', requestNumber: 0, accountId: 'c',
      caller: '15550001', callee: '441234567' });
    const ended = await harness.charging.terminate({ sessionId: 'n1', requestNumber: 1,
      usedSeconds: 20 });
    expect(ended).toMatchObject({ ok: true, value: { status: 'terminated' } });
    expect(await harness.charging.update({ sessionId: 'n1', requestNumber: 2, usedSeconds: 20 }))
      .toMatchObject({ ok: false, code: 'session_closed' });
    expect(await harness.charging.terminate({ sessionId: 'n1', requestNumber: 2,
      usedSeconds: 20 })).toMatchObject({ ok: false, code: 'session_closed' });
  });
});
