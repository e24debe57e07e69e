import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  addDeck,
  balances,
  money,
  openHarness,
  storeKinds,
  type ChargingHarness,
} from './charging-harness.ts';

// Many calls at once from two customers of one reseller, on limited funds: whatever the
// interleaving, no level is overdrawn, the journal balances, nothing stays held, and every call
// that was granted has exactly one CDR.
const callsPerCustomer = 24;
const updatesPerCall = 3;

describe.each(storeKinds)('concurrent calls on %s', (kind) => {
  let harness: ChargingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function call(sessionId: string, accountId: string): Promise<boolean> {
    const started = await harness.charging.authorize({ sessionId, requestNumber: 0, accountId,
      caller: '1', callee: '4420' });
    if (!started.ok) throw new Error(started.message);
    if (started.value.status !== 'granted') return false;
    let used = 0;
    let granted = started.value.grantedSeconds;
    let request = 1;
    for (; request <= updatesPerCall; request += 1) {
      used += Math.min(granted, 20);
      const updated = await harness.charging.update({ sessionId, requestNumber: request,
        usedSeconds: used });
      if (!updated.ok) throw new Error(updated.message);
      granted = updated.value.grantedSeconds;
      if (granted === 0) {
        request += 1;
        break;
      }
    }
    const ended = await harness.charging.terminate({ sessionId, requestNumber: request,
      usedSeconds: used + Math.min(granted, 7) });
    if (!ended.ok) throw new Error(ended.message);
    return true;
  }

  it('never overdraws a customer or the shared reseller', async () => {
    harness = await openHarness(kind, { sliceSeconds: 30 });
    addDeck(harness, 'retail', 'prefix,rate\n44,0.60\n');
    addDeck(harness, 'wholesale', 'prefix,rate\n44,0.30\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    addDeck(harness, 'admin-plan', 'prefix,rate\n44,0.10\n');
    await account(harness, { id: 'adm', tier: 'admin', parentId: 'op', mode: 'postpaid',
      creditLimit: '1000', deck: 'admin-plan' });
    await account(harness, { id: 'res', tier: 'reseller', parentId: 'adm', deck: 'wholesale',
      topup: '3.00' });
    await account(harness, { id: 'c1', tier: 'customer', parentId: 'res', deck: 'retail',
      topup: '4.00' });
    await account(harness, { id: 'c2', tier: 'customer', parentId: 'res', deck: 'retail',
      mode: 'postpaid', creditLimit: '3.00' });
    const flows = [];
    for (let index = 0; index < callsPerCustomer; index += 1) {
      flows.push(call(`a-${index}`, 'c1'), call(`b-${index}`, 'c2'));
    }
    const granted = (await Promise.all(flows)).filter(Boolean).length;
    expect(granted).toBeGreaterThan(0);
    expect(granted).toBeLessThan(2 * callsPerCustomer); // funds ran out: the race was real
    const verified = await harness.ledger.verifyLedger();
    expect(verified.ok && verified.value.findingCount).toBe(0);
    expect(verified.ok && verified.value.overdrawnCount).toBe(0);
    for (const id of ['adm', 'res', 'c1', 'c2']) {
      const view = await balances(harness, id);
      expect(view.pendingMicros).toBe(0n);
      expect(view.postedMicros >= -(view.account.creditLimitMicros ?? 0n)).toBe(true);
    }
    const c1 = await balances(harness, 'c1');
    expect(c1.postedMicros >= 0n && c1.postedMicros < money('4.00')).toBe(true);
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'op', limit: 500 });
    expect(cdrs.ok && cdrs.value.length).toBe(granted);
    const live = await harness.charging.listLiveSessions({ scopeAccountId: 'op', limit: 500 });
    expect(live.ok && live.value.length).toBe(0);
  });
});
