import { describe, expect, it } from 'vitest';
import { ledgerLimits, type AccountId } from '../../src/index.ts';
import type { HarnessSource } from './ledger-store-contract.ts';
import type { LedgerHarness } from './ledger-fixtures.ts';
import {
  buildChain,
  chainLegs,
  expectLedgerConsistent,
  expectProblem,
  freshKey,
  money,
  ok,
} from './ledger-fixtures.ts';

export function describeAccountContract(source: HarnessSource): void {
  describe('accounts', () => {
    it('creates a chain, reads it back with balances, walks it and pages children',
      () => createsAChainReadsItBack(source()));

    it('refuses bad accounts with typed problems and writes nothing',
      () => refusesBadAccountsWithTypedProblems(source()));

    it('nests resellers up to resellerDepthMax and no deeper',
      () => nestsResellersUpToResellerdepthmaxAnd(source()));

    it('updates limits, deck and state; suspension refuses reservations',
      () => updatesLimitsDeckAndStateSuspension(source()));

    it('closes an account only after its children', () => closesAnAccountOnlyAfterIts(source()));

    it('re-parents with tier, cycle and depth checks', () => reParentsWithTierCycleAnd(source()));

    it('keeps books per currency for a child paying in another currency',
      () => keepsBooksPerCurrencyForA(source()));
  });
}

async function createsAChainReadsItBack(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 'a1');
  const view = ok(await ledger.getAccount(chain.customer));
  expect(view.account).toMatchObject({ tier: 'customer', parentId: chain.reseller,
    currency: 'USD', mode: 'prepaid', creditLimitMicros: 0n, state: 'active',
    timeZone: 'UTC' });
  expect(view.postedMicros).toBe(money('10'));
  expect(view.funds).toEqual({ availableMicros: money('10'), constraint: 'balance',
    refusalCode: 'insufficient_funds' });
  const root = ok(await ledger.getAccount(chain.root));
  expect(root.funds.availableMicros).toBeNull();
  const walked = ok(await ledger.getAccountChain(chain.customer));
  expect(walked.map((account) => account.id))
    .toEqual([chain.customer, chain.reseller, chain.admin, chain.root]);
  for (const id of ['a1-c3', 'a1-c1', 'a1-c2']) {
    ok(await ledger.createAccount({ id, tier: 'customer', parentId: chain.reseller,
      name: id, currency: 'USD', rateDeckId: 'retail-1', timeZone: 'Europe/Paris' }));
  }
  const first = ok(await ledger.listChildren({ parentId: chain.reseller, limit: 2 }));
  expect(first.accounts.map((account) => account.id)).toEqual(['a1-c1', 'a1-c2']);
  const second = ok(await ledger.listChildren({ parentId: chain.reseller, limit: 2,
    afterId: first.nextAfterId ?? '' }));
  expect(second.accounts.map((account) => account.id)).toEqual(['a1-c3', 'a1-cus']);
  expect(ok(await ledger.getAccount('a1-c1')).account.rateDeckId).toBe('retail-1');
  await expectLedgerConsistent(ledger);
}

async function refusesBadAccountsWithTypedProblems(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 'a2');
  const base = { name: 'x', currency: 'USD' } as const;
  const cases: Array<[Parameters<typeof ledger.createAccount>[0], string]> = [
    [{ ...base, id: 'bad id!', tier: 'customer', parentId: chain.reseller },
      'invalid_account_id'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: 'a2-none' }, 'parent_not_found'],
    [{ ...base, id: chain.customer, tier: 'customer', parentId: chain.reseller },
      'account_exists'],
    [{ ...base, id: 'a2-x', tier: 'admin', parentId: chain.admin }, 'parent_tier_not_allowed'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.customer },
      'parent_tier_not_allowed'],
    [{ ...base, id: 'a2-x', tier: 'reseller', parentId: chain.root },
      'parent_tier_not_allowed'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: null }, 'parent_required'],
    [{ ...base, id: 'a2-x', tier: 'super_admin', parentId: chain.root }, 'root_has_parent'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.reseller, currency: 'usd' },
      'invalid_currency'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.reseller,
      timeZone: 'Mars/Olympus' }, 'invalid_time_zone'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.reseller,
      creditLimitMicros: money('5') }, 'credit_limit_not_allowed'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.reseller, mode: 'postpaid',
      creditLimitMicros: null }, 'unlimited_credit_not_allowed'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.reseller,
      dailyLimitMicros: money('-1') }, 'invalid_limit'],
    [{ ...base, id: 'a2-x', tier: 'customer', parentId: chain.reseller, name: '' },
      'invalid_name'],
  ];
  for (const [input, code] of cases) expectProblem(await ledger.createAccount(input), code);
  expectProblem(await ledger.getAccount('a2-x'), 'account_not_found');
  const children = ok(await ledger.listChildren({ parentId: chain.reseller }));
  expect(children.accounts.map((account) => account.id)).toEqual([chain.customer]);
  await expectLedgerConsistent(ledger);
}

async function nestsResellersUpToResellerdepthmaxAnd(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 'a3');
  let parent: string = chain.reseller;
  for (let depth = 2; depth <= ledgerLimits.resellerDepthMax; depth += 1) {
    const id = `a3-r${depth}`;
    ok(await ledger.createAccount({ id, tier: 'reseller', parentId: parent, name: id,
      currency: 'USD' }));
    parent = id;
  }
  expectProblem(await ledger.createAccount({ id: 'a3-deep', tier: 'reseller',
    parentId: parent, name: 'deep', currency: 'USD' }), 'reseller_depth_exceeded');
  ok(await ledger.createAccount({ id: 'a3-leaf', tier: 'customer', parentId: parent,
    name: 'leaf', currency: 'USD' }));
  const walked = ok(await ledger.getAccountChain('a3-leaf'));
  expect(walked).toHaveLength(ledgerLimits.resellerDepthMax + 3);
}

async function updatesLimitsDeckAndStateSuspension(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'a4');
  const updated = ok(await ledger.updateAccount({ id: chain.customer,
    changes: { dailyLimitMicros: money('2'), rateDeckId: 'deck-2', concurrentCallsMax: 3 } }));
  expect(updated.account).toMatchObject({ dailyLimitMicros: money('2'),
    rateDeckId: 'deck-2', concurrentCallsMax: 3 });
  ok(await ledger.updateAccount({ id: chain.reseller, changes: { state: 'suspended' } }));
  const refused = await ledger.reserveChain({ reservationId: 'a4-r1', reference: 's1',
    idempotencyKey: freshKey(), legs: chainLegs(chain, ['1', '0.5', '0.2']),
    expiresAtMs: clock.nowMs() + 60_000 });
  expectProblem(refused, 'account_suspended');
  expect(!refused.ok && refused.accountId).toBe(chain.reseller);
  ok(await ledger.updateAccount({ id: chain.reseller, changes: { state: 'active' } }));
  ok(await ledger.reserveChain({ reservationId: 'a4-r1', reference: 's1',
    idempotencyKey: freshKey(), legs: chainLegs(chain, ['1', '0.5', '0.2']),
    expiresAtMs: clock.nowMs() + 60_000 }));
  expectProblem(await ledger.updateAccount({ id: chain.customer,
    changes: { creditLimitMicros: money('5') } }), 'credit_limit_not_allowed');
  expectProblem(await ledger.updateAccount({ id: 'a4-none', changes: {} }),
    'account_not_found');
  await expectLedgerConsistent(ledger);
}

async function closesAnAccountOnlyAfterIts(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 'a5');
  expectProblem(await ledger.updateAccount({ id: chain.reseller,
    changes: { state: 'closed' } }), 'account_has_open_children');
  ok(await ledger.updateAccount({ id: chain.customer, changes: { state: 'closed' } }));
  ok(await ledger.updateAccount({ id: chain.reseller, changes: { state: 'closed' } }));
  expectProblem(await ledger.createAccount({ id: 'a5-late', tier: 'customer',
    parentId: chain.reseller, name: 'late', currency: 'USD' }), 'account_closed');
  expectProblem(await ledger.topup({ accountId: chain.customer, currency: 'USD',
    amountMicros: money('1'), reference: 't', idempotencyKey: freshKey() }), 'account_closed');
}

async function reParentsWithTierCycleAnd(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 'a6');
  ok(await ledger.createAccount({ id: 'a6-r2', tier: 'reseller', parentId: chain.admin,
    name: 'r2', currency: 'USD' }));
  const moved = ok(await ledger.updateAccount({ id: chain.customer, changes: {},
    parentId: 'a6-r2' }));
  expect(moved.account.parentId).toBe('a6-r2');
  ok(await ledger.createAccount({ id: 'a6-r3', tier: 'reseller', parentId: 'a6-r2',
    name: 'r3', currency: 'USD' }));
  expectProblem(await ledger.updateAccount({ id: 'a6-r2', changes: {},
    parentId: 'a6-r3' }), 'hierarchy_cycle');
  expectProblem(await ledger.updateAccount({ id: 'a6-r2', changes: {},
    parentId: 'a6-r2' }), 'hierarchy_cycle');
  expectProblem(await ledger.updateAccount({ id: chain.reseller, changes: {},
    parentId: chain.root }), 'parent_tier_not_allowed');
  expectProblem(await ledger.updateAccount({ id: chain.customer, changes: {},
    parentId: 'a6-none' }), 'parent_not_found');
  let parent = chain.reseller as string;
  for (let depth = 2; depth <= ledgerLimits.resellerDepthMax - 1; depth += 1) {
    const id = `a6-d${depth}`;
    ok(await ledger.createAccount({ id, tier: 'reseller', parentId: parent, name: id,
      currency: 'USD' }));
    parent = id;
  }
  // a6-r2 carries a6-r3 beneath it: two levels that no longer fit under `parent`.
  expectProblem(await ledger.updateAccount({ id: 'a6-r2', changes: {}, parentId: parent }),
    'reseller_depth_exceeded');
  const chainNow = ok(await ledger.getAccountChain('a6-r3'));
  expect(chainNow.map((account) => account.id)).toEqual(['a6-r3', 'a6-r2', chain.admin,
    chain.root]);
}

async function keepsBooksPerCurrencyForA(harness: LedgerHarness): Promise<void> {
  const { ledger, clock } = harness;
  const chain = await buildChain(ledger, 'a7');
  const eur = 'a7-eur' as AccountId;
  ok(await ledger.createAccount({ id: eur, tier: 'customer', parentId: chain.reseller,
    name: 'EUR customer', currency: 'EUR' }));
  ok(await ledger.topup({ accountId: eur, currency: 'EUR', amountMicros: money('5'),
    reference: 'eur-topup', idempotencyKey: freshKey() }));
  ok(await ledger.postCharge({ reference: 'eur-call', idempotencyKey: freshKey(),
    overdraft: 'refuse', legs: [{ accountId: eur, parentId: chain.reseller,
      currency: 'EUR', amountMicros: money('1.5') }] }));
  const reseller = ok(await ledger.getAccount(chain.reseller));
  expect(reseller.revenueBooks.map((book) => [book.currency, book.postedMicros]))
    .toEqual([['EUR', money('1.5')], ['USD', 0n]]);
  expect(clock.nowMs()).toBeGreaterThan(0);
  await expectLedgerConsistent(ledger);
}
