import { assert } from '../kernel/assert.ts';
import { localDateOf, dayMs } from '../kernel/time-zone.ts';
import type { Account } from '../ledger/account.ts';
import type { BillingDeps } from './billing-deps.ts';
import { billingLimits } from './billing-limits.ts';
import { billingProblem, type BillingResult } from './billing-problem.ts';
import {
  periodAfter,
  periodContaining,
  type BillingCycle,
  type BillingPeriod,
} from './billing-cycle.ts';
import { billingDefaults, effectiveBillingSettings, type BillingSettings } from
  './billing-settings.ts';
import type { Invoice, InvoiceParty } from './invoice.ts';
import { computeInvoiceAmounts } from './invoice-maths.ts';
import { readLevelCharges } from './period-charges.ts';
import { usageLinesOf } from './usage-lines.ts';

/** An account, its chain (the account first) and the billing settings of the chain. */
interface BillingContext {
  readonly account: Account;
  readonly parent: Account;
  readonly chain: readonly Account[];
  readonly settings: readonly BillingSettings[];
  readonly cycle: BillingCycle;
  readonly paymentTermsDays: number;
  readonly taxProfileId: string | null;
}

export async function loadBillingContext(deps: BillingDeps, accountId: string):
  Promise<BillingResult<BillingContext>> {
  const chain = await deps.ledger.getAccountChain(accountId);
  if (!chain.ok) {
    return billingProblem('account_not_found', `no account ${accountId}`, { accountId });
  }
  const [account, parent] = chain.value;
  assert(account !== undefined, 'a chain starts with its account');
  if (parent === undefined) {
    return billingProblem('account_not_invoiced', `${account.id} is a root: nobody invoices it`,
      { accountId: account.id });
  }
  const ids = chain.value.map((entry) => entry.id);
  const settings = await deps.store.findSettings(ids);
  const effective = effectiveBillingSettings(ids, settings);
  return { ok: true, value: { account, parent, chain: chain.value, settings,
    cycle: effective.cycle, paymentTermsDays: effective.paymentTermsDays,
    taxProfileId: effective.taxProfileId } };
}

/** The latest period of the account that has ended and waited out the close delay. */
export function lastClosablePeriod(deps: BillingDeps, context: BillingContext): BillingPeriod {
  const current = periodContaining(context.cycle, context.account.timeZone,
    deps.clock.nowMs() - deps.options.closeDelayMs);
  return periodContaining(context.cycle, context.account.timeZone, current.startMs - 1);
}

export type CloseOutcome =
  | { readonly status: 'closed'; readonly invoice: Invoice }
  | { readonly status: 'already_closed'; readonly invoiceId: string };

/**
 * Closes one period of one account: reads the level's charges of the period from the ledger,
 * builds the invoice from its parent to it, numbers and stores it. A second close of the same
 * period finds the first invoice and changes nothing (`period_already_closed` on demand).
 */
export async function closePeriod(
  deps: BillingDeps,
  context: BillingContext,
  period: BillingPeriod,
): Promise<BillingResult<CloseOutcome>> {
  const nowMs = deps.clock.nowMs();
  if (period.endMs + deps.options.closeDelayMs > nowMs) {
    return billingProblem('period_not_ended', `the period ${period.key} can be closed from ` +
      `${new Date(period.endMs + deps.options.closeDelayMs).toISOString()}`);
  }
  const existing = await deps.store.findPeriodInvoice(context.account.id, period.startMs);
  if (existing !== null) return { ok: true, value: { status: 'already_closed',
    invoiceId: existing.id } };
  const read = await readLevelCharges(deps, context.account, period);
  if (!read.ok) return read;
  const taxProfile = context.taxProfileId === null ? null
    : await deps.store.findTaxProfile(context.taxProfileId);
  const lines = usageLinesOf(read.value.charges, read.value.calls);
  const amounts = computeInvoiceAmounts({ lines, currency: context.account.currency,
    taxProfile: taxProfile?.ownerAccountId === context.parent.id ? taxProfile : null,
    rounding: deps.options.rounding });
  // The pair that makes an invoice trustworthy: its lines hold exactly what the ledger moved.
  assert(amounts.chargedMicros === read.value.ledgerMicros, 'invoice lines equal the ledger');
  const issuerSettings = context.settings.find((entry) => entry.accountId === context.parent.id);
  const inserted = await deps.store.insertInvoice({
    id: `inv-${period.key}-${context.account.id}`, kind: 'invoice',
    issuer: partyOf(context.parent, issuerSettings),
    recipient: partyOf(context.account, context.settings.find((entry) =>
      entry.accountId === context.account.id)),
    creditsInvoiceId: null, periodStartMs: period.startMs, periodEndMs: period.endMs,
    periodKey: period.key, currency: context.account.currency, amounts, issuedAtMs: nowMs,
    dueAtMs: nowMs + context.paymentTermsDays * dayMs,
    sequenceYear: localDateOf(context.parent.timeZone, nowMs).year,
    numberPrefix: issuerSettings?.invoicePrefix ?? billingDefaults.invoicePrefix,
    transferIds: read.value.transferIds,
  });
  if (inserted.status === 'period_closed') {
    return { ok: true, value: { status: 'already_closed', invoiceId: inserted.invoiceId } };
  }
  return { ok: true, value: { status: 'closed', invoice: inserted.invoice } };
}

export function partyOf(account: Account, settings: BillingSettings | undefined): InvoiceParty {
  return { accountId: account.id, name: settings?.legalName ?? account.name,
    address: settings?.address ?? null, taxId: settings?.taxId ?? null };
}

/**
 * Closes every ended period of an account not closed yet, oldest first: after downtime the
 * scheduled close catches up. The first period is the one the account was created in, or the
 * one after its last invoice.
 */
export async function closeDuePeriods(deps: BillingDeps, accountId: string):
  Promise<BillingResult<{ closed: readonly Invoice[] }>> {
  const context = await loadBillingContext(deps, accountId);
  if (!context.ok) return context;
  const { account, cycle } = context.value;
  const last = await deps.store.findLastInvoice(account.id);
  let period = last === null ? periodContaining(cycle, account.timeZone, account.createdAtMs)
    : periodContaining(cycle, account.timeZone, last.periodEndMs);
  const until = lastClosablePeriod(deps, context.value);
  const closed: Invoice[] = [];
  for (let step = 0; step < billingLimits.catchUpPeriodsMax && period.startMs <= until.startMs;
    step += 1) {
    const outcome = await closePeriod(deps, context.value, period);
    if (!outcome.ok) return outcome;
    if (outcome.value.status === 'closed') closed.push(outcome.value.invoice);
    period = periodAfter(cycle, account.timeZone, period);
  }
  return { ok: true, value: { closed } };
}
