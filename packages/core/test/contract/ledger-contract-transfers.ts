import { describe, expect, it } from 'vitest';
import type { TransferId } from '../../src/index.ts';
import type { HarnessSource } from './ledger-store-contract.ts';
import type { LedgerHarness } from './ledger-fixtures.ts';
import {
  balances,
  buildChain,
  chainLegs,
  expectLedgerConsistent,
  expectProblem,
  freshKey,
  money,
  ok,
} from './ledger-fixtures.ts';

export function describeTransferContract(source: HarnessSource): void {
  describe('transfers', () => {
    it('tops up once per idempotency key', () => topsUpOncePerIdempotencyKey(source()));

    it('refuses bad top-ups and writes nothing', () => refusesBadTopUpsAndWrites(source()));

    it('adjusts either way and records payments',
      () => adjustsEitherWayAndRecordsPayments(source()));

    it('posts a one-shot chain charge, refusing or allowing an overdraft',
      () => postsAOneShotChainCharge(source()));

    it('refunds a charge in parts, never more than the charge',
      () => refundsAChargeInPartsNever(source()));

    it('keeps exchange rates by pair and instant', () => keepsExchangeRatesByPairAnd(source()));
  });
}

async function topsUpOncePerIdempotencyKey(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 't1', { customerTopup: '0' });
  const request = { accountId: chain.customer, currency: 'USD', amountMicros: money('12.5'),
    reference: 'pay-1', idempotencyKey: 'pay-1#0' };
  const first = ok(await ledger.topup(request));
  expect(first.replayed).toBe(false);
  expect(first.transfers).toHaveLength(1);
  expect(first.transfers[0]).toMatchObject({ kind: 'topup', amountMicros: money('12.5'),
    debitBookId: '@world/USD', creditBookId: `${chain.customer}/main`, reference: 'pay-1' });
  const again = ok(await ledger.topup(request));
  expect(again.replayed).toBe(true);
  expect(again.transfers[0]?.id).toBe(first.transfers[0]?.id);
  expect((await balances(ledger, chain.customer)).posted).toBe('12500000');
  expectProblem(await ledger.topup({ ...request, amountMicros: money('13') }),
    'idempotency_key_reused');
  expectProblem(await ledger.adjust(request), 'idempotency_key_reused');
  await expectLedgerConsistent(ledger);
}

async function refusesBadTopUpsAndWrites(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 't2', { customerTopup: '1' });
  const base = { accountId: chain.customer, currency: 'USD', amountMicros: money('1'),
    reference: 'r', idempotencyKey: 'same-key' };
  expectProblem(await ledger.topup({ ...base, accountId: 't2-none' }), 'account_not_found');
  expectProblem(await ledger.topup({ ...base, currency: 'EUR' }), 'currency_mismatch');
  expectProblem(await ledger.topup({ ...base, amountMicros: money('0') }),
    'amount_not_positive');
  expectProblem(await ledger.topup({ ...base, amountMicros: money('-1') }),
    'amount_not_positive');
  expectProblem(await ledger.topup({ ...base, amountMicros: money('2000000000') }),
    'amount_too_large');
  expectProblem(await ledger.topup({ ...base, reference: '' }), 'invalid_reference');
  expectProblem(await ledger.topup({ ...base, idempotencyKey: '' }),
    'invalid_idempotency_key');
  expect((await balances(ledger, chain.customer)).posted).toBe('1000000');
  // The refused requests stored nothing under the key: it is still free.
  ok(await ledger.topup(base));
  expect((await balances(ledger, chain.customer)).posted).toBe('2000000');
}

async function adjustsEitherWayAndRecordsPayments(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 't3', { customerTopup: '5' });
  ok(await ledger.adjust({ accountId: chain.customer, currency: 'USD',
    amountMicros: money('-1.25'), reference: 'fix', idempotencyKey: freshKey() }));
  ok(await ledger.recordPayment({ accountId: chain.reseller, currency: 'USD',
    amountMicros: money('40'), reference: 'invoice-7', idempotencyKey: freshKey() }));
  expect((await balances(ledger, chain.customer)).posted).toBe('3750000');
  expect((await balances(ledger, chain.reseller)).posted).toBe('40000000');
  expectProblem(await ledger.adjust({ accountId: chain.customer, currency: 'USD',
    amountMicros: money('0'), reference: 'fix', idempotencyKey: freshKey() }),
    'amount_not_positive');
  await expectLedgerConsistent(ledger);
}

async function postsAOneShotChainCharge(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 't4', { customerTopup: '0.30' });
  const legs = chainLegs(chain, ['0.21', '0.12', '0.08']);
  const charged = ok(await ledger.postCharge({ reference: 'cdr-1',
    idempotencyKey: freshKey(), legs, overdraft: 'refuse' }));
  expect(charged.transfers.map((transfer) => [transfer.debitBookId, transfer.creditBookId,
    transfer.amountMicros])).toEqual([
    [`${chain.customer}/main`, `${chain.reseller}/revenue/USD`, money('0.21')],
    [`${chain.reseller}/main`, `${chain.admin}/revenue/USD`, money('0.12')],
    [`${chain.admin}/main`, `${chain.root}/revenue/USD`, money('0.08')],
  ]);
  const refused = await ledger.postCharge({ reference: 'cdr-2', idempotencyKey: freshKey(),
    legs, overdraft: 'refuse' });
  expectProblem(refused, 'insufficient_funds');
  expect(!refused.ok && refused.availableMicros).toBe(money('0.09'));
  ok(await ledger.postCharge({ reference: 'cdr-2', idempotencyKey: freshKey(), legs,
    overdraft: 'allow' }));
  expect((await balances(ledger, chain.customer)).posted).toBe('-120000');
  const rootView = ok(await ledger.getAccount(chain.root));
  expect(rootView.revenueBooks[0]?.postedMicros).toBe(money('0.16'));
  await expectLedgerConsistent(ledger, { overdrawn: [chain.customer] });
}

async function refundsAChargeInPartsNever(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  const chain = await buildChain(ledger, 't5', { customerTopup: '1' });
  const charged = ok(await ledger.postCharge({ reference: 'cdr-1', idempotencyKey: freshKey(),
    legs: chainLegs(chain, ['0.50', '0.30', '0.10']), overdraft: 'refuse' }));
  const chargeId = charged.transfers[0]?.id as TransferId;
  const part = ok(await ledger.refund({ transferId: chargeId, amountMicros: money('0.20'),
    reference: 'refund-1', idempotencyKey: freshKey() }));
  expect(part.transfers[0]).toMatchObject({ kind: 'refund', reversesTransferId: chargeId,
    debitBookId: `${chain.reseller}/revenue/USD`, creditBookId: `${chain.customer}/main` });
  expectProblem(await ledger.refund({ transferId: chargeId, amountMicros: money('0.31'),
    reference: 'refund-2', idempotencyKey: freshKey() }), 'refund_exceeds_charge');
  ok(await ledger.refund({ transferId: chargeId, amountMicros: money('0.30'),
    reference: 'refund-2', idempotencyKey: freshKey() }));
  expect((await balances(ledger, chain.customer)).posted).toBe('1000000');
  expectProblem(await ledger.refund({ transferId: part.transfers[0]?.id as TransferId,
    amountMicros: money('0.01'), reference: 'r', idempotencyKey: freshKey() }),
    'transfer_not_refundable');
  expectProblem(await ledger.refund({ transferId: 999999n as TransferId,
    amountMicros: money('0.01'), reference: 'r', idempotencyKey: freshKey() }),
    'transfer_not_found');
  await expectLedgerConsistent(ledger);
}

async function keepsExchangeRatesByPairAnd(harness: LedgerHarness): Promise<void> {
  const { ledger } = harness;
  ok(await ledger.setExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.08',
    validFromMs: 1_000 }));
  ok(await ledger.setExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.0845',
    validFromMs: 5_000 }));
  expectProblem(await ledger.getExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD',
    atMs: 999 }), 'exchange_rate_not_found');
  const early = ok(await ledger.getExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD',
    atMs: 4_999 }));
  expect(early.rate?.rate).toBe('1.08');
  const late = ok(await ledger.getExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD',
    atMs: 5_000 }));
  expect(late.rational).toEqual({ numerator: 10845n, denominator: 10000n });
  expectProblem(await ledger.getExchangeRate({ fromCurrency: 'USD', toCurrency: 'EUR',
    atMs: 9_000 }), 'exchange_rate_not_found');
  expect(ok(await ledger.getExchangeRate({ fromCurrency: 'GBP', toCurrency: 'GBP',
    atMs: 0 })).rational).toEqual({ numerator: 1n, denominator: 1n });
  expectProblem(await ledger.setExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD',
    rate: '-1', validFromMs: 0 }), 'invalid_exchange_rate');
  expectProblem(await ledger.setExchangeRate({ fromCurrency: 'EUR', toCurrency: 'usd',
    rate: '1', validFromMs: 0 }), 'invalid_currency');
  ok(await ledger.setExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.09',
    validFromMs: 5_000 }));
  expect(ok(await ledger.getExchangeRate({ fromCurrency: 'EUR', toCurrency: 'USD',
    atMs: 6_000 })).rate?.rate).toBe('1.09');
}
