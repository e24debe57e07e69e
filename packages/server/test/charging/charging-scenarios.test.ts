import { formatMicros, type GrantAnswer, type RefusalAnswer } from '@tollgate/core';
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

// Whole stories of charging.md under a manual clock, on both real stores, asserting exact
// micros: the shared pool, the reseller chain, prepaid exhaustion, postpaid and daily limits,
// retransmissions, the sweeper and bundles.
const usd = (micros: bigint) => formatMicros(micros as never, 4);

describe.each(storeKinds)('charging scenarios on %s', (kind) => {
  let harness: ChargingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function operatorWithCustomer(customer: Parameters<typeof account>[1] extends infer S
    ? Partial<S & object> : never, deckCsv: string) {
    addDeck(harness, 'retail', deckCsv);
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'op', deck: 'retail',
      ...customer } as Parameters<typeof account>[1]);
  }

  function grant(answer: unknown): GrantAnswer {
    expect(answer).toMatchObject({ status: 'granted' });
    return answer as GrantAnswer;
  }

  async function start(sessionId: string, accountId = 'c', callee = '441234567') {
    const result = await harness.charging.authorize({ sessionId, requestNumber: 0, accountId,
      caller: '15550001', callee });
    expect(result.ok).toBe(true);
    return result.ok ? result.value : (undefined as never);
  }

  async function report(sessionId: string, requestNumber: number, usedSeconds: number) {
    const result = await harness.charging.update({ sessionId, requestNumber, usedSeconds });
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    return result.value;
  }

  async function end(sessionId: string, requestNumber: number, usedSeconds: number) {
    const result = await harness.charging.terminate({ sessionId, requestNumber, usedSeconds });
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    return result.value;
  }

  it('three calls sharing 1.00 at 0.60/min never overdraw and split the 100 s', async () => {
    harness = await openHarness(kind, { sliceSeconds: 1 });
    await operatorWithCustomer({ topup: '1.00' }, 'prefix,rate\n44,0.60\n');
    const ids = ['a', 'b', 'c3'];
    for (const id of ids) grant(await start(id));
    const next = new Map(ids.map((id) => [id, 1]));
    const live = new Set(ids);
    for (let second = 1; live.size > 0 && second <= 200; second += 1) {
      harness.clock.advanceMs(1000);
      for (const id of [...live]) {
        const answer = await report(id, next.get(id)!, second);
        next.set(id, next.get(id)! + 1);
        if (answer.grantedSeconds === 0) {
          await end(id, next.get(id)!, second);
          live.delete(id);
        }
      }
    }
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'c', limit: 10 });
    const durations = cdrs.ok ? cdrs.value.map((cdr) => cdr.billedSeconds) : [];
    expect(durations).toHaveLength(3);
    expect(durations.reduce((a, b) => a + b, 0)).toBe(100);
    for (const seconds of durations) expect(seconds === 33 || seconds === 34).toBe(true);
    const customer = await balances(harness, 'c');
    expect(usd(customer.postedMicros)).toBe('0.0000');
    expect(customer.pendingMicros).toBe(0n);
  });

  it('the reseller chain debits 0.2100 / 0.1200 / 0.0800 for a 47 s call', async () => {
    harness = await openHarness(kind);
    addDeck(harness, 'carrier', 'prefix,rate,initial_increment_s,increment_s\n44,0.10,30,6\n');
    addDeck(harness, 'wholesale', 'prefix,rate,initial_increment_s,increment_s\n44,0.15,30,6\n');
    addDeck(harness, 'retail',
      'prefix,rate,connect_fee,initial_increment_s,increment_s\n44,0.20,0.05,30,6\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null,
      deck: 'carrier' });
    await account(harness, { id: 'r', tier: 'admin', parentId: 'op', deck: 'wholesale',
      topup: '10' });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'r', deck: 'retail',
      topup: '5' });
    grant(await start('call-1'));
    harness.clock.advanceMs(47_000);
    const closed = await end('call-1', 1, 47);
    expect(closed).toMatchObject({ status: 'terminated', billedSeconds: 48 });
    expect(usd(closed.costMicros)).toBe('0.2100');
    const [c, r, op] = [await balances(harness, 'c'), await balances(harness, 'r'),
      await balances(harness, 'op')];
    expect(usd(c.postedMicros)).toBe('4.7900');
    expect(usd(r.postedMicros)).toBe('9.8800');
    expect(usd(op.postedMicros)).toBe('-0.0800');
    expect(usd(r.revenueBooks[0]!.postedMicros)).toBe('0.2100');
    expect(usd(op.revenueBooks[0]!.postedMicros)).toBe('0.1200');
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'op', limit: 10 });
    expect(cdrs.ok && cdrs.value.map((cdr) => cdr.levels.map((level) => usd(level.costMicros))))
      .toEqual([['0.2100', '0.1200', '0.0800']]);
    const verified = await harness.ledger.verifyLedger();
    expect(verified.ok && verified.value.findingCount).toBe(0);
  });

  it('a prepaid call is told final and settled exactly at exhaustion', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '1.00' },
      'prefix,rate,connect_fee,initial_increment_s,increment_s\n44,0.20,0.05,30,6\n');
    expect(grant(await start('s'))).toMatchObject({ grantedSeconds: 60, final: false });
    let used = 0;
    let requestNumber = 0;
    let last: GrantAnswer;
    do {
      used += 60;
      requestNumber += 1;
      harness.clock.advanceMs(60_000);
      last = await report('s', requestNumber, Math.min(used, 282));
    } while (!last.final);
    expect(last.usedSeconds + last.grantedSeconds).toBe(282);
    const closed = await end('s', requestNumber + 1, 282);
    expect(usd(closed.costMicros)).toBe('0.9900');
    const customer = await balances(harness, 'c');
    expect(usd(customer.postedMicros)).toBe('0.0100');
    expect(customer.pendingMicros).toBe(0n);
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'c', limit: 10 });
    expect(cdrs.ok && cdrs.value[0]?.disposition).toBe('out_of_credit');
  });

  it('a postpaid account stops at its credit limit, then is refused', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ mode: 'postpaid', creditLimit: '0.50' }, 'prefix,rate\n44,0.60\n');
    expect(grant(await start('p1'))).toMatchObject({ grantedSeconds: 50, final: true });
    await end('p1', 1, 50);
    expect(usd((await balances(harness, 'c')).postedMicros)).toBe('-0.5000');
    expect(await start('p2')).toMatchObject({ status: 'credit_limit_reached', accountId: 'c' });
  });

  it('a daily limit caps the grant and refuses the next call', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5', dailyLimit: '0.30' }, 'prefix,rate\n44,0.60\n');
    expect(grant(await start('d1'))).toMatchObject({ grantedSeconds: 30, final: true });
    await end('d1', 1, 30);
    expect(await start('d2')).toMatchObject({ status: 'daily_limit_reached' });
  });

  it('a retransmitted update returns the stored answer and moves no money', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5' }, 'prefix,rate\n44,0.60\n');
    const started = grant(await start('r1'));
    expect(await start('r1')).toEqual(started);
    harness.clock.advanceMs(30_000);
    const first = await report('r1', 1, 30);
    const before = await balances(harness, 'c');
    harness.clock.advanceMs(1_000);
    const again = await report('r1', 1, 30);
    expect(again).toEqual(first);
    const after = await balances(harness, 'c');
    expect([after.postedMicros, after.pendingMicros]).toEqual([before.postedMicros,
      before.pendingMicros]);
    expect(usd(after.postedMicros)).toBe('4.7000');
    expect(await harness.charging.authorize({ sessionId: 'r1', requestNumber: 0,
      accountId: 'c', caller: '15550001', callee: '441234567' })).toMatchObject({ ok: false,
      code: 'request_out_of_order' });
  });

  it('rejects out-of-order, decreasing and unknown requests without moving money', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5' }, 'prefix,rate\n44,0.60\n');
    grant(await start('x'));
    const before = await balances(harness, 'c');
    const cases = [
      [{ sessionId: 'x', requestNumber: 3, usedSeconds: 10 }, 'request_out_of_order'],
      [{ sessionId: 'nope', requestNumber: 1, usedSeconds: 10 }, 'session_not_found'],
      [{ sessionId: 'x', requestNumber: 1, usedSeconds: -1 }, 'invalid_used_seconds'],
      [{ sessionId: 'x', requestNumber: 1.5, usedSeconds: 1 }, 'invalid_request_number'],
    ] as const;
    for (const [input, code] of cases) {
      expect(await harness.charging.update(input)).toMatchObject({ ok: false, code });
    }
    await report('x', 1, 20);
    expect(await harness.charging.update({ sessionId: 'x', requestNumber: 2, usedSeconds: 10 }))
      .toMatchObject({ ok: false, code: 'used_seconds_decreased' });
    await end('x', 2, 25);
    expect(await harness.charging.update({ sessionId: 'x', requestNumber: 3, usedSeconds: 30 }))
      .toMatchObject({ ok: false, code: 'session_closed' });
    expect(usd((await balances(harness, 'c')).postedMicros)).toBe('4.7500');
    expect(before.postedMicros).toBe(money('5'));
    expect(await harness.charging.authorize({ sessionId: 'y', requestNumber: 0,
      accountId: 'ghost', caller: '1', callee: '44' })).toMatchObject({ ok: false,
      code: 'account_not_found' });
  });

  it('refuses unknown destinations, suspended accounts and the concurrent-call limit', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5', concurrentCallsMax: 1 }, 'prefix,rate\n44,0.60\n');
    expect(await start('n1', 'c', '3312')).toMatchObject({ status: 'no_rate' });
    grant(await start('n2'));
    expect(await start('n3')).toMatchObject({ status: 'concurrent_calls_limit' });
    await end('n2', 1, 10);
    const suspended = await harness.ledger.updateAccount({ id: 'c',
      changes: { state: 'suspended' } });
    expect(suspended.ok).toBe(true);
    expect(await start('n4')).toMatchObject({ status: 'account_suspended' });
    expect((await balances(harness, 'c')).pendingMicros).toBe(0n);
  });

  it('the sweeper closes a silent session after its deadline, not before', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5' }, 'prefix,rate\n44,0.60\n');
    grant(await start('quiet'));
    harness.clock.advanceMs(20_000);
    await report('quiet', 1, 20);
    harness.clock.advanceMs(60_000 + 29_000);
    expect(await harness.charging.sweepStaleSessions()).toEqual({ closed: 0, more: false });
    harness.clock.advanceMs(2_000);
    expect(await harness.charging.sweepStaleSessions()).toEqual({ closed: 1, more: false });
    const customer = await balances(harness, 'c');
    expect(usd(customer.postedMicros)).toBe('4.8000');
    expect(customer.pendingMicros).toBe(0n);
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'op', limit: 10 });
    expect(cdrs.ok && cdrs.value[0]).toMatchObject({ disposition: 'timeout', usedSeconds: 20 });
  });

  it('a bundle covers the first billed seconds; the rest is paid', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5' },
      'prefix,rate,initial_increment_s,increment_s\n44,0.06,30,6\n');
    const bundle = { bundleId: 'b1', accountId: 'c', prefixes: ['44'], timeBand: null,
      seconds: 20, validUntilMs: null };
    expect(await harness.charging.createBundle(bundle)).toMatchObject({ ok: true });
    expect(await harness.charging.createBundle({ ...bundle, bundleId: 'b2', prefixes: ['4x'] }))
      .toMatchObject({ ok: false, code: 'invalid_bundle' });
    expect(await harness.charging.createBundle({ ...bundle, bundleId: 'b3', accountId: 'nobody' }))
      .toMatchObject({ ok: false, code: 'account_not_found' });
    grant(await start('bun'));
    harness.clock.advanceMs(47_000);
    const closed = await end('bun', 1, 47);
    expect(usd(closed.costMicros)).toBe('0.0280');
    const cdrs = await harness.charging.listCdrs({ scopeAccountId: 'c', limit: 10 });
    expect(cdrs.ok && cdrs.value[0]).toMatchObject({ billedSeconds: 48, bundleSeconds: 20 });
    const bundles = await harness.store.transaction((tx) => tx.findBundles('c'));
    expect(bundles[0]?.secondsRemaining).toBe(0);
  });

  it('charges a one-shot event once, however often it is sent', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '1' }, 'prefix,rate\n44,0.60\n');
    const event = { eventId: 'ev1', accountId: 'c', caller: '1', callee: '4477',
      durationSeconds: 30 };
    const first = await harness.charging.event(event);
    expect(first).toMatchObject({ ok: true, value: { status: 'charged' } });
    expect(await harness.charging.event(event)).toEqual(first);
    expect(usd((await balances(harness, 'c')).postedMicros)).toBe('0.7000');
    const tooLong = await harness.charging.event({ ...event, eventId: 'ev2',
      durationSeconds: 1000 });
    expect(tooLong.ok && (tooLong.value as RefusalAnswer).status).toBe('insufficient_funds');
  });

  it('converts a deck in another currency with the rate in force at the call start', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '1.00', currency: 'EUR' }, 'prefix,rate\n44,0.60\n');
    expect(await start('fx0')).toMatchObject({ status: 'exchange_rate_not_found' });
    const rate = await harness.ledger.setExchangeRate({ fromCurrency: 'USD', toCurrency: 'EUR',
      rate: '0.5', validFromMs: 0 });
    expect(rate.ok).toBe(true);
    // 0.60 USD/min at 0.5 EUR per USD: 0.30 EUR/min, so 1.00 EUR lasts 200 s.
    expect(grant(await start('fx1'))).toMatchObject({ grantedSeconds: 60, currency: 'EUR' });
    harness.clock.advanceMs(60_000);
    const closed = await end('fx1', 1, 60);
    expect([usd(closed.costMicros), closed.currency]).toEqual(['0.3000', 'EUR']);
    const maxed = grant(await start('fx2'));
    harness.clock.advanceMs(60_000);
    const second = await report('fx2', 1, 60);
    harness.clock.advanceMs(60_000);
    const third = await report('fx2', 2, 120);
    expect([maxed.grantedSeconds, second.grantedSeconds, third]).toMatchObject([60, 60,
      { grantedSeconds: 20, final: true }]);
  });

  it('a call whose account is suspended mid-call is told final and still pays', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5' }, 'prefix,rate\n44,0.60\n');
    grant(await start('sus'));
    harness.clock.advanceMs(30_000);
    const suspended = await harness.ledger.updateAccount({ id: 'c',
      changes: { state: 'suspended' } });
    expect(suspended.ok).toBe(true);
    expect(await report('sus', 1, 30)).toMatchObject({ grantedSeconds: 0, final: true });
    expect(usd((await balances(harness, 'c')).postedMicros)).toBe('4.7000');
    const closed = await end('sus', 2, 30);
    expect(usd(closed.costMicros)).toBe('0.3000');
    expect((await balances(harness, 'c')).pendingMicros).toBe(0n);
  });

  it('checks the caller\'s scope inside the transaction, before any money moves', async () => {
    harness = await openHarness(kind);
    await operatorWithCustomer({ topup: '5' }, 'prefix,rate\n44,0.60\n');
    await account(harness, { id: 'other', tier: 'customer', parentId: 'op', deck: 'retail' });
    const call = { sessionId: 'sc', requestNumber: 0, accountId: 'c', caller: '1',
      callee: '4420' };
    // Outside the scope, the account and the session answer as if they did not exist.
    expect(await harness.charging.authorize({ ...call, scopeAccountId: 'other' }))
      .toMatchObject({ ok: false, code: 'account_not_found', message: 'no account c' });
    expect(await harness.charging.authorize({ ...call, scopeAccountId: 'op' }))
      .toMatchObject({ ok: true, value: { status: 'granted' } });
    expect(await harness.charging.update({ sessionId: 'sc', requestNumber: 1, usedSeconds: 30,
      scopeAccountId: 'other' })).toMatchObject({ ok: false, code: 'session_not_found',
      message: 'no session sc' });
    expect(await harness.charging.terminate({ sessionId: 'sc', requestNumber: 1,
      usedSeconds: 30, scopeAccountId: 'c' })).toMatchObject({ ok: true });
    expect(usd((await balances(harness, 'c')).postedMicros)).toBe('4.7000');
  });
});
