import {
  chargingDefaults,
  createChargingService,
  type ChargingService,
  type ChargingStore,
  type ChargingTransaction,
  type SpendWindowKey,
} from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  addDeck,
  balances,
  openHarness,
  scenarioStartMs,
  storeKinds,
  type ChargingHarness,
} from './charging-harness.ts';

/**
 * The store, with every `findSpendWindows` recorded per run of a transaction's work. A store
 * may run the work of one request more than once (a deck or, in the engine, state to load
 * first, then the work again); the run that answered is the last.
 */
function spendReadSpy(store: ChargingStore) {
  let runs: string[][][] = [];
  const spyOn = (tx: ChargingTransaction): ChargingTransaction => {
    const reads: string[][] = [];
    runs.push(reads);
    return new Proxy(tx, {
      get(target, property, receiver) {
        if (property !== 'findSpendWindows') return Reflect.get(target, property, receiver);
        return (keys: readonly SpendWindowKey[]) => {
          reads.push(keys.map((key) => `${key.accountId} ${key.periodKey}`).sort());
          return target.findSpendWindows(keys);
        };
      },
    });
  };
  const spied = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'transaction') return Reflect.get(target, property, receiver);
      const transaction: ChargingStore['transaction'] = (work, options) =>
        target.transaction((tx) => work(spyOn(tx)), options);
      return transaction;
    },
  });
  /** The reads of the run that answered the last request, as "account period" keys. */
  const take = (): string[][] => {
    const answered = runs.at(-1) ?? [];
    runs = [];
    return answered;
  };
  return { store: spied, take };
}

// A grant is computed from each level's available funds, and the hold it makes is checked
// against the same funds: both need today's and this month's spend of every limited level.
// One request reads each of those windows once, and passes what it read on.
describe.each(storeKinds)('spend windows on %s', (kind) => {
  let harness: ChargingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function limitedChain(): Promise<{ charging: ChargingService; take: () => string[][] }> {
    addDeck(harness, 'wholesale', 'prefix,rate\n44,0.30\n');
    addDeck(harness, 'retail', 'prefix,rate\n44,0.60\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    await account(harness, { id: 'rs', tier: 'admin', parentId: 'op', deck: 'wholesale',
      topup: '10.00', dailyLimit: '8.00' });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'rs', deck: 'retail',
      topup: '5.00', dailyLimit: '1.00' });
    const spy = spendReadSpy(harness.store);
    const charging = createChargingService({ store: spy.store, clock: harness.clock,
      decks: { getDeck: async (id) => harness.decks.get(id) ?? null,
        loadedDeck: (id) => harness.decks.get(id) },
      settings: chargingDefaults, startedAtMs: scenarioStartMs });
    return { charging, take: spy.take };
  }

  const windowsOfDay = ['c D2026-11-30', 'c M2026-11', 'rs D2026-11-30', 'rs M2026-11'];

  it('authorize and every update read each window of the chain once', async () => {
    harness = await openHarness(kind);
    const { charging, take } = await limitedChain();
    const started = await charging.authorize({ sessionId: 'w1', requestNumber: 0,
      accountId: 'c', caller: '15550001', callee: '441234567' });
    expect(started).toMatchObject({ ok: true, value: { status: 'granted', grantedSeconds: 60 } });
    expect(take()).toEqual([windowsOfDay]);
    for (const [requestNumber, usedSeconds] of [[1, 60], [2, 90]] as const) {
      harness.clock.advanceMs(30_000);
      const answer = await charging.update({ sessionId: 'w1', requestNumber, usedSeconds });
      expect(answer).toMatchObject({ ok: true, value: { status: 'granted' } });
      expect(take()).toEqual([windowsOfDay]);
    }
    // A retransmission is answered from the session: no window is read.
    expect((await charging.update({ sessionId: 'w1', requestNumber: 2, usedSeconds: 90 })).ok)
      .toBe(true);
    expect(take()).toEqual([]);
  });

  it('the one read still enforces the daily limit on the grant and its hold', async () => {
    harness = await openHarness(kind);
    const { charging, take } = await limitedChain();
    await charging.authorize({ sessionId: 'w2', requestNumber: 0, accountId: 'c',
      caller: '15550001', callee: '441234567' });
    // 1.00 a day at 0.60/min: 100 s in all, whatever the balance (5.00) would allow.
    let used = 0;
    let granted = 60;
    for (let requestNumber = 1; granted > 0; requestNumber += 1) {
      used += granted;
      const answer = await charging.update({ sessionId: 'w2', requestNumber,
        usedSeconds: used });
      if (!answer.ok || answer.value.status !== 'granted') throw new Error('no grant');
      granted = answer.value.grantedSeconds;
      expect(take()).toHaveLength(1);
    }
    expect(used).toBe(100);
    expect((await balances(harness, 'c')).pendingMicros).toBe(0n);
  });
});
