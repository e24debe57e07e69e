import { describe, expect, it } from 'vitest';
import { ledgerLimits, type ReserveChainInput } from '../../src/index.ts';
import type { HarnessSource } from './ledger-store-contract.ts';
import type { LedgerHarness } from './ledger-fixtures.ts';
import {
  balances,
  buildChain,
  chainLegs,
  expectLedgerConsistent,
  expectProblem,
  money,
  ok,
  type Chain,
} from './ledger-fixtures.ts';

const minuteMs = 60_000;

function reserveInput(chain: Chain, id: string, nowMs: number,
  prices: readonly [string, string, string] = ['1', '0.6', '0.4']): ReserveChainInput {
  return { reservationId: id, reference: `session-${id}`, idempotencyKey: `${id}#0`,
    legs: chainLegs(chain, prices), expiresAtMs: nowMs + minuteMs };
}

export function describeReservationContract(source: HarnessSource): void {
  describe('reservations', () => {
    it('reserves a whole chain and commits in full: every level moves',
      () => reservesAWholeChainAndCommits(source()));

    it('commits part and releases the rest', () => commitsPartAndReleasesTheRest(source()));

    it('commits and holds the next slice in one step (the nibble)',
      () => commitsAndHoldsTheNextSlice(source()));

    it('refuses a commit above what is held and writes nothing',
      () => refusesACommitAboveWhatIs(source()));

    it('releases once; a replay returns the stored answer',
      () => releasesOnceAReplayReturnsThe(source()));

    it('expires at the deadline under a manual clock', () => expiresAtTheDeadlineUnderA(source()));

    it('reserves every level or none, naming the level that cannot pay',
      () => reservesEveryLevelOrNoneNaming(source()));

    it('caps by the daily and monthly limits in the account time zone',
      () => capsByTheDailyAndMonthly(source()));

    it('is idempotent: the same request twice holds money once',
      () => isIdempotentTheSameRequestTwice(source()));

    it('refuses bad reservations with typed problems and writes nothing',
      () => refusesBadReservationsWithTypedProblems(source()));
  });
}

async function reservesAWholeChainAndCommits(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r1');
  const legs = [...chainLegs(chain, ['0.21', '0.12', '0.10']),
    { accountId: chain.root, parentId: null, currency: 'USD', amountMicros: money('0.08') }];
  const held = ok(await ledger.reserveChain({ reservationId: 'r1-s', reference: 'call-1',
    idempotencyKey: 'call-1#0', legs, expiresAtMs: clock.nowMs() + minuteMs }));
  expect(held.reservation.state).toBe('open');
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '10000000', pending: '210000', available: '9790000' });
  expect((await balances(ledger, chain.reseller)).pending).toBe('120000');
  await expectLedgerConsistent(ledger);
  const committed = ok(await ledger.commitReservation({ reservationId: 'r1-s',
    idempotencyKey: 'call-1#1',
    amountsMicros: [money('0.21'), money('0.12'), money('0.08'), money('0.08')] }));
  expect(committed.reservation.state).toBe('committed');
  expect(committed.transfers.map((transfer) => transfer.creditBookId)).toEqual([
    `${chain.reseller}/revenue/USD`, `${chain.admin}/revenue/USD`,
    `${chain.root}/revenue/USD`, '@world/USD']);
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '9790000', pending: '0', available: '9790000' });
  expect((await balances(ledger, chain.reseller)).posted).toBe('-120000');
  expect((await balances(ledger, chain.admin)).posted).toBe('-80000');
  const reseller = ok(await ledger.getAccount(chain.reseller));
  expect(reseller.revenueBooks[0]?.postedMicros).toBe(money('0.21'));
  await expectLedgerConsistent(ledger);
}

async function commitsPartAndReleasesTheRest(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r2');
  ok(await ledger.reserveChain(reserveInput(chain, 'r2-s', clock.nowMs())));
  ok(await ledger.commitReservation({ reservationId: 'r2-s', idempotencyKey: 'r2-s#1',
    amountsMicros: [money('0.25'), money('0.15'), money('0')] }));
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '9750000', pending: '0', available: '9750000' });
  expect((await balances(ledger, chain.admin)).pending).toBe('0');
  expectProblem(await ledger.commitReservation({ reservationId: 'r2-s',
    idempotencyKey: 'r2-s#2', amountsMicros: [money('0'), money('0'), money('0')] }),
    'reservation_already_committed');
  await expectLedgerConsistent(ledger);
}

async function commitsAndHoldsTheNextSlice(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r3', { customerTopup: '2' });
  ok(await ledger.reserveChain(reserveInput(chain, 'r3-s', clock.nowMs())));
  clock.advanceMs(30_000);
  const slice = ok(await ledger.commitReservation({ reservationId: 'r3-s',
    idempotencyKey: 'r3-s#1', amountsMicros: [money('0.5'), money('0.3'), money('0.2')],
    keepOpen: { amountsMicros: [money('0.9'), money('0.5'), money('0.3')],
      expiresAtMs: clock.nowMs() + minuteMs } }));
  expect(slice.reservation.state).toBe('open');
  expect(slice.reservation.legs.map((leg) => [leg.pendingMicros, leg.committedMicros]))
    .toEqual([[money('0.9'), money('0.5')], [money('0.5'), money('0.3')],
      [money('0.3'), money('0.2')]]);
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '1500000', pending: '900000', available: '600000' });
  // The next slice must fit what is left after the commit: 1.5 posted, nothing else held.
  const tooMuch = await ledger.commitReservation({ reservationId: 'r3-s',
    idempotencyKey: 'r3-s#2', amountsMicros: [money('0.9'), money('0'), money('0')],
    keepOpen: { amountsMicros: [money('0.7'), money('0.1'), money('0.1')],
      expiresAtMs: clock.nowMs() + minuteMs } });
  expectProblem(tooMuch, 'insufficient_funds');
  expect(!tooMuch.ok && [tooMuch.accountId, tooMuch.availableMicros])
    .toEqual([chain.customer, money('0.6')]);
  ok(await ledger.commitReservation({ reservationId: 'r3-s', idempotencyKey: 'r3-s#2',
    amountsMicros: [money('0.9'), money('0.5'), money('0.3')] }));
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '600000', pending: '0', available: '600000' });
  await expectLedgerConsistent(ledger);
}

async function refusesACommitAboveWhatIs(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r4');
  ok(await ledger.reserveChain(reserveInput(chain, 'r4-s', clock.nowMs())));
  const over = await ledger.commitReservation({ reservationId: 'r4-s',
    idempotencyKey: 'r4-s#1', amountsMicros: [money('1'), money('0.61'), money('0.4')] });
  expectProblem(over, 'commit_exceeds_reserved');
  expect(!over.ok && [over.accountId, over.legIndex]).toEqual([chain.reseller, 1]);
  expectProblem(await ledger.commitReservation({ reservationId: 'r4-s',
    idempotencyKey: 'r4-s#1', amountsMicros: [money('1')] }), 'legs_mismatch');
  expectProblem(await ledger.commitReservation({ reservationId: 'r4-s',
    idempotencyKey: 'r4-s#1', amountsMicros: [money('-1'), money('0'), money('0')] }),
    'amount_negative');
  expectProblem(await ledger.commitReservation({ reservationId: 'r4-none',
    idempotencyKey: 'r4-s#1', amountsMicros: [] }), 'reservation_not_found');
  expect((await balances(ledger, chain.customer)).pending).toBe('1000000');
  expect((await balances(ledger, chain.customer)).posted).toBe('10000000');
  await expectLedgerConsistent(ledger);
}

async function releasesOnceAReplayReturnsThe(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r5');
  ok(await ledger.reserveChain(reserveInput(chain, 'r5-s', clock.nowMs())));
  const released = ok(await ledger.releaseReservation({ reservationId: 'r5-s',
    idempotencyKey: 'r5-s#9' }));
  expect(released.reservation.state).toBe('released');
  const replay = ok(await ledger.releaseReservation({ reservationId: 'r5-s',
    idempotencyKey: 'r5-s#9' }));
  expect(replay.replayed).toBe(true);
  expectProblem(await ledger.releaseReservation({ reservationId: 'r5-s',
    idempotencyKey: 'r5-s#10' }), 'reservation_already_released');
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '10000000', pending: '0', available: '10000000' });
  await expectLedgerConsistent(ledger);
}

async function expiresAtTheDeadlineUnderA(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r6');
  ok(await ledger.reserveChain(reserveInput(chain, 'r6-a', clock.nowMs())));
  clock.advanceMs(10_000);
  ok(await ledger.reserveChain(reserveInput(chain, 'r6-b', clock.nowMs())));
  clock.advanceMs(minuteMs - 10_001);
  expect(ok(await ledger.expireReservations()).expiredIds).toEqual([]);
  clock.advanceMs(1);
  expectProblem(await ledger.commitReservation({ reservationId: 'r6-a',
    idempotencyKey: 'r6-a#1', amountsMicros: [money('0'), money('0'), money('0')] }),
    'reservation_expired');
  expect(ok(await ledger.expireReservations()).expiredIds).toEqual(['r6-a']);
  expect((await balances(ledger, chain.customer)).pending).toBe('1000000');
  clock.advanceMs(10_000);
  const swept = ok(await ledger.expireReservations({ limit: 1 }));
  expect(swept).toEqual({ expiredIds: ['r6-b'], more: true });
  expect(ok(await ledger.expireReservations({ limit: 1 })).expiredIds).toEqual([]);
  expectProblem(await ledger.commitReservation({ reservationId: 'r6-b',
    idempotencyKey: 'r6-b#1', amountsMicros: [money('0'), money('0'), money('0')] }),
    'reservation_already_expired');
  expectProblem(await ledger.expireReservations({ limit: 0 }), 'invalid_limit');
  expect(await balances(ledger, chain.customer))
    .toEqual({ posted: '10000000', pending: '0', available: '10000000' });
  await expectLedgerConsistent(ledger);
}

async function reservesEveryLevelOrNoneNaming(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r7', { resellerCredit: '0.5' });
  const refused = await ledger.reserveChain(reserveInput(chain, 'r7-s', clock.nowMs()));
  expectProblem(refused, 'credit_limit_reached');
  expect(!refused.ok && [refused.accountId, refused.legIndex, refused.availableMicros])
    .toEqual([chain.reseller, 1, money('0.5')]);
  for (const id of [chain.customer, chain.reseller, chain.admin]) {
    expect((await balances(ledger, id)).pending).toBe('0');
  }
  expectProblem(await ledger.commitReservation({ reservationId: 'r7-s',
    idempotencyKey: 'x', amountsMicros: [] }), 'reservation_not_found');
  const empty = await buildChain(ledger, 'r7b', { customerTopup: '0.5' });
  expectProblem(await ledger.reserveChain(reserveInput(empty, 'r7b-s', clock.nowMs())),
    'insufficient_funds');
  await expectLedgerConsistent(ledger);
}

async function capsByTheDailyAndMonthly(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r8', { customerTopup: '50' });
  ok(await ledger.updateAccount({ id: chain.customer, changes: {
    dailyLimitMicros: money('1.5'), monthlyLimitMicros: money('2.4'),
    timeZone: 'America/New_York' } }));
  ok(await ledger.reserveChain(reserveInput(chain, 'r8-a', clock.nowMs())));
  ok(await ledger.commitReservation({ reservationId: 'r8-a', idempotencyKey: 'r8-a#1',
    amountsMicros: [money('1'), money('0.6'), money('0.4')] }));
  const daily = await ledger.reserveChain(reserveInput(chain, 'r8-b', clock.nowMs()));
  expectProblem(daily, 'daily_limit_reached');
  expect(!daily.ok && daily.availableMicros).toBe(money('0.5'));
  expect(ok(await ledger.getAccount(chain.customer)).funds.constraint).toBe('daily_limit');
  // 12:00 UTC is 08:00 in New York; 16 hours later is the next local day.
  clock.advanceMs(16 * 3_600_000);
  ok(await ledger.reserveChain(reserveInput(chain, 'r8-b', clock.nowMs())));
  ok(await ledger.commitReservation({ reservationId: 'r8-b', idempotencyKey: 'r8-b#1',
    amountsMicros: [money('1'), money('0.6'), money('0.4')] }));
  const monthly = await ledger.reserveChain(reserveInput(chain, 'r8-c', clock.nowMs()));
  expectProblem(monthly, 'monthly_limit_reached');
  expect(!monthly.ok && monthly.availableMicros).toBe(money('0.4'));
  await expectLedgerConsistent(ledger);
}

async function isIdempotentTheSameRequestTwice(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r9');
  const input = reserveInput(chain, 'r9-s', clock.nowMs());
  const first = ok(await ledger.reserveChain(input));
  const second = ok(await ledger.reserveChain(input));
  expect([first.replayed, second.replayed]).toEqual([false, true]);
  expect(second.reservation).toEqual(first.reservation);
  expect((await balances(ledger, chain.customer)).pending).toBe('1000000');
  expectProblem(await ledger.reserveChain({ ...input, idempotencyKey: 'r9-s#1' }),
    'reservation_exists');
  expectProblem(await ledger.reserveChain({ ...input, expiresAtMs: input.expiresAtMs + 1 }),
    'idempotency_key_reused');
  const commit = { reservationId: 'r9-s', idempotencyKey: 'r9-s#2',
    amountsMicros: [money('0.5'), money('0.3'), money('0.2')] };
  ok(await ledger.commitReservation(commit));
  expect(ok(await ledger.commitReservation(commit)).replayed).toBe(true);
  expect((await balances(ledger, chain.customer)).posted).toBe('9500000');
  await expectLedgerConsistent(ledger);
}

async function refusesBadReservationsWithTypedProblems(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'r10');
  const good = reserveInput(chain, 'r10-s', clock.nowMs());
  const [c, r, a] = good.legs;
  if (c === undefined || r === undefined || a === undefined) throw new Error('three legs');
  const cases: Array<[ReserveChainInput, string]> = [
    [{ ...good, legs: [{ ...c, accountId: 'r10-none' }] }, 'account_not_found'],
    [{ ...good, legs: [{ ...c, currency: 'EUR' }, r, a] }, 'currency_mismatch'],
    [{ ...good, legs: [{ ...c, amountMicros: money('0') }, r, a] }, 'amount_not_positive'],
    [{ ...good, legs: [c, { ...r, amountMicros: money('-1') }, a] }, 'amount_not_positive'],
    [{ ...good, legs: [c, r, { ...a, parentId: chain.reseller }] }, 'hierarchy_changed'],
    [{ ...good, legs: [c, c] }, 'duplicate_leg_account'],
    [{ ...good, legs: [] }, 'legs_empty'],
    [{ ...good, legs: Array.from({ length: ledgerLimits.reservationLegsMax + 1 },
      (_unused, index) => ({ ...c, accountId: `r10-${index}` })) }, 'legs_too_many'],
    [{ ...good, expiresAtMs: clock.nowMs() }, 'invalid_expiry'],
    [{ ...good, expiresAtMs: clock.nowMs() + ledgerLimits.reservationTtlMsMax + 1 },
      'reservation_ttl_too_long'],
    [{ ...good, reservationId: '' }, 'invalid_reservation_id'],
    [{ ...good, legs: [{ ...c, accountId: 'no spaces' }] }, 'invalid_account_id'],
  ];
  for (const [input, code] of cases) expectProblem(await ledger.reserveChain(input), code);
  for (const id of [chain.customer, chain.reseller, chain.admin]) {
    expect((await balances(ledger, id)).pending).toBe('0');
  }
  ok(await ledger.reserveChain(good));
  await expectLedgerConsistent(ledger);
}
