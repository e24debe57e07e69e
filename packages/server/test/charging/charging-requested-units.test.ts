import { formatMicros, type GrantAnswer } from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  addDeck,
  balances,
  openHarness,
  storeKinds,
  type ChargingHarness,
} from './charging-harness.ts';

// Requested units (issue 16): grant = min(requested, slice, what every level can pay), on the
// real stores through the charging engine; a request the grant cannot honour changes nothing.
const usd = (micros: bigint) => formatMicros(micros as never, 4);
// 0.60 a minute in one-second blocks: 0.01 a second, so 1.20 pays 120 s.
const perSecondDeck = 'prefix,rate\n44,0.60\n';

describe.each(storeKinds)('requested units on %s', (kind) => {
  let harness: ChargingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function customer(topup: string, slice = 60) {
    harness = await openHarness(kind, { sliceSeconds: slice, callDurationSecondsMax: 3600 });
    addDeck(harness, 'retail', perSecondDeck);
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'op', deck: 'retail', topup });
  }

  function authorize(sessionId: string, requestedSeconds?: number) {
    return harness.charging.authorize({ sessionId, requestNumber: 0, accountId: 'c',
      caller: '15550001', callee: '441234567',
      ...(requestedSeconds === undefined ? {} : { requestedSeconds }) });
  }

  function update(sessionId: string, requestNumber: number, usedSeconds: number,
    requestedSeconds?: number) {
    return harness.charging.update({ sessionId, requestNumber, usedSeconds,
      ...(requestedSeconds === undefined ? {} : { requestedSeconds }) });
  }

  async function granted(result: Awaited<ReturnType<typeof authorize>>): Promise<GrantAnswer> {
    expect(result.ok && result.value.status).toBe('granted');
    return (result.ok ? result.value : undefined) as GrantAnswer;
  }

  it('20 calls asking 10 s on money for 120 s: 12 are granted, 8 refused, none overdraws',
    async () => {
      await customer('1.20');
      const statuses: string[] = [];
      for (let call = 0; call < 20; call += 1) {
        const result = await authorize(`call-${call}`, 10);
        expect(result.ok).toBe(true);
        if (result.ok) statuses.push(result.value.status);
        if (result.ok && result.value.status === 'granted') {
          expect(result.value).toMatchObject({ grantedSeconds: 10, final: false });
        }
      }
      expect(statuses.filter((status) => status === 'granted')).toHaveLength(12);
      expect(statuses.filter((status) => status === 'insufficient_funds')).toHaveLength(8);
      const view = await balances(harness, 'c');
      expect(usd(view.pendingMicros)).toBe('1.2000');
      expect(usd(view.postedMicros)).toBe('1.2000');
    });

  it('without a request the slice is held: 2 calls of 60 s take all the money', async () => {
    await customer('1.20');
    const statuses = [];
    for (let call = 0; call < 4; call += 1) {
      const result = await authorize(`call-${call}`);
      statuses.push(result.ok ? result.value.status : result.code);
    }
    expect(statuses).toEqual(['granted', 'granted', 'insufficient_funds', 'insufficient_funds']);
  });

  it('a request above the slice gets the slice; funds below the request end the call',
    async () => {
      await customer('0.15', 30);
      expect(await granted(await authorize('big', 45)))
        .toMatchObject({ grantedSeconds: 15, final: true });
      await harness.close();
      await customer('1.00', 30);
      expect(await granted(await authorize('big', 45)))
        .toMatchObject({ grantedSeconds: 30, final: false });
    });

  it('each update grants what it asks for, net of the other live calls\' holds', async () => {
    await customer('0.40');
    await granted(await authorize('a', 10));
    await granted(await authorize('b', 20));
    harness.clock.advanceMs(10_000);
    // 0.40 - 0.10 used by a - 0.20 held by b = 0.10 free, plus nothing a releases.
    const first = await update('a', 1, 10, 25);
    expect(first.ok && first.value).toMatchObject({ grantedSeconds: 10, final: true });
    const b = await update('b', 1, 5, 5);
    // b used 5 of its 20: it frees 15 and asks for 5 more.
    expect(b.ok && b.value).toMatchObject({ grantedSeconds: 5, final: false });
    // Held now: a's last 10 s and b's next 5 s.
    const view = await balances(harness, 'c');
    expect(usd(view.pendingMicros)).toBe('0.1500');
  });

  it('zero, negative, fractional and absurd requests change nothing', async () => {
    await customer('1.20');
    for (const requested of [0, -5, 1.5, 3601]) {
      const result = await authorize('bad', requested);
      expect(result.ok ? result.value.status : result.code).toBe('invalid_requested_seconds');
    }
    expect(await harness.charging.getSessionAccountId('bad')).toBeNull();
    await granted(await authorize('ok', 10));
    harness.clock.advanceMs(5000);
    const before = await balances(harness, 'c');
    for (const requested of [0, -1, 3601]) {
      const result = await update('ok', 1, 5, requested);
      expect(result.ok ? 'answered' : result.code).toBe('invalid_requested_seconds');
    }
    expect(await balances(harness, 'c')).toEqual(before);
    const next = await update('ok', 1, 5, 3600);
    expect(next.ok && next.value).toMatchObject({ requestNumber: 1, grantedSeconds: 60 });
  });

  it('a retransmission gets the stored answer and moves no money', async () => {
    await customer('1.20');
    const first = await granted(await authorize('r', 10));
    const held = await balances(harness, 'c');
    expect(await granted(await authorize('r', 10))).toEqual(first);
    expect(await granted(await authorize('r', 30))).toEqual(first);
    expect(await balances(harness, 'c')).toEqual(held);
    harness.clock.advanceMs(10_000);
    const update1 = await update('r', 1, 10, 10);
    const again = await update('r', 1, 10, 40);
    expect(again).toEqual(update1);
    const verified = await harness.ledger.verifyLedger();
    expect(verified.ok && verified.value.findingCount).toBe(0);
  });
});
