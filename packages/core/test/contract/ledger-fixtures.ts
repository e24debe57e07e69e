import { expect } from 'vitest';
import {
  ManualClock,
  createLedgerService,
  idempotencyKeyOf,
  parseMicros,
  type AccountId,
  type ChainLegInput,
  type LedgerResult,
  type LedgerService,
  type LedgerStore,
  type Micros,
} from '../../src/index.ts';

/** Shared helpers of the ledger contract suite and the simulation. */

export const startMs = Date.UTC(2025, 2, 14, 12, 0, 0);

export function money(text: string): Micros {
  const parsed = parseMicros(text, { allowNegative: true });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export function ok<T>(result: LedgerResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result.value;
}

export function expectProblem<T>(result: LedgerResult<T>, code: string): void {
  expect(result.ok ? 'ok' : result.code).toBe(code);
}

export interface LedgerHarness {
  readonly store: LedgerStore;
  readonly clock: ManualClock;
  readonly ledger: LedgerService;
}

export function harness(store: LedgerStore, atMs = startMs): LedgerHarness {
  const clock = new ManualClock(atMs);
  return { store, clock, ledger: createLedgerService({ store, clock }) };
}

export interface Chain {
  readonly root: AccountId;
  readonly admin: AccountId;
  readonly reseller: AccountId;
  readonly customer: AccountId;
}

let keyCounter = 0;

/** A unique idempotency key for a test request. */
export function freshKey(label = 'k'): string {
  keyCounter += 1;
  return idempotencyKeyOf(label, keyCounter);
}

/**
 * super_admin -> admin -> reseller -> customer, all USD. The root has unlimited credit; admin
 * and reseller are postpaid with a credit limit; the customer is prepaid with `customerTopup`.
 */
export async function buildChain(
  ledger: LedgerService,
  prefix: string,
  options: { customerTopup?: string; resellerCredit?: string; adminCredit?: string } = {},
): Promise<Chain> {
  const root = `${prefix}-root` as AccountId;
  const admin = `${prefix}-admin` as AccountId;
  const reseller = `${prefix}-res` as AccountId;
  const customer = `${prefix}-cus` as AccountId;
  ok(await ledger.createAccount({ id: root, tier: 'super_admin', parentId: null, name: 'Root',
    currency: 'USD' }));
  ok(await ledger.createAccount({ id: admin, tier: 'admin', parentId: root, name: 'Admin',
    currency: 'USD', mode: 'postpaid', creditLimitMicros: money(options.adminCredit ?? '1000') }));
  ok(await ledger.createAccount({ id: reseller, tier: 'reseller', parentId: admin,
    name: 'Reseller', currency: 'USD', mode: 'postpaid',
    creditLimitMicros: money(options.resellerCredit ?? '100') }));
  ok(await ledger.createAccount({ id: customer, tier: 'customer', parentId: reseller,
    name: 'Customer', currency: 'USD' }));
  const topupText = options.customerTopup ?? '10';
  if (money(topupText) > 0n) {
    ok(await ledger.topup({ accountId: customer, currency: 'USD', amountMicros: money(topupText),
      reference: `topup-${prefix}`, idempotencyKey: freshKey(`topup-${prefix}`) }));
  }
  return { root, admin, reseller, customer };
}

/** Legs for customer, reseller and admin, paying the given prices (the root pays no one). */
export function chainLegs(
  chain: Chain,
  prices: readonly [string, string, string],
): ChainLegInput[] {
  return [
    { accountId: chain.customer, parentId: chain.reseller, currency: 'USD',
      amountMicros: money(prices[0]) },
    { accountId: chain.reseller, parentId: chain.admin, currency: 'USD',
      amountMicros: money(prices[1]) },
    { accountId: chain.admin, parentId: chain.root, currency: 'USD',
      amountMicros: money(prices[2]) },
  ];
}

export async function balances(
  ledger: LedgerService,
  id: AccountId,
): Promise<{ posted: string; pending: string; available: string | null }> {
  const view = ok(await ledger.getAccount(id));
  return {
    posted: view.postedMicros.toString(),
    pending: view.pendingMicros.toString(),
    available: view.funds.availableMicros === null ? null : view.funds.availableMicros.toString(),
  };
}

/** The projection equals the journal, and (unless told) no account is overdrawn. */
export async function expectLedgerConsistent(
  ledger: LedgerService,
  options: { overdrawn?: readonly string[] } = {},
): Promise<void> {
  const report = ok(await ledger.verifyLedger());
  expect(report.findings).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.overdrawn.map((finding) => finding.accountId))
    .toEqual(options.overdrawn ?? []);
}
