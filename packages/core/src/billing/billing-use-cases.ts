import type { BillingDeps } from './billing-deps.ts';
import { billingLimits } from './billing-limits.ts';
import { billingProblem, type BillingResult } from './billing-problem.ts';
import { periodContaining, type BillingPeriod } from './billing-cycle.ts';
import {
  closeDuePeriods,
  closePeriod,
  lastClosablePeriod,
  loadBillingContext,
} from './close-period.ts';
import type { Invoice } from './invoice.ts';
import { startOfLocalDayMs } from './local-days.ts';

/**
 * Closes one period of an account on demand: the last ended one, or the one starting on
 * `periodKey` ("YYYY-MM-DD", a local date in the account's zone). A period closed before is
 * `period_already_closed` with the invoice's id, and nothing changes.
 */
export async function closeAccountPeriod(
  deps: BillingDeps,
  input: { accountId: string; periodKey?: string },
): Promise<BillingResult<Invoice>> {
  const context = await loadBillingContext(deps, input.accountId);
  if (!context.ok) return context;
  const { cycle, account } = context.value;
  let period: BillingPeriod = lastClosablePeriod(deps, context.value);
  if (input.periodKey !== undefined) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.periodKey);
    const date = match === null ? null
      : { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
    const valid = date !== null && date.month >= 1 && date.month <= 12 && date.day >= 1 &&
      date.day <= 31;
    period = valid ? periodContaining(cycle, account.timeZone,
      startOfLocalDayMs(account.timeZone, date)) : period;
    if (!valid || period.key !== input.periodKey) {
      return billingProblem('invalid_period', `no billing period of ${account.id} starts on ` +
        `${input.periodKey.slice(0, 20)} (periods start on ${period.key} and so on)`);
    }
  }
  const outcome = await closePeriod(deps, context.value, period);
  if (!outcome.ok) return outcome;
  if (outcome.value.status === 'already_closed') {
    return billingProblem('period_already_closed', `period ${period.key} of ${account.id} is ` +
      `closed: invoice ${outcome.value.invoiceId}`, { invoiceId: outcome.value.invoiceId,
      accountId: account.id });
  }
  return { ok: true, value: outcome.value.invoice };
}

export interface ScheduledCloseReport {
  /** False when another node holds the lease: this run did nothing. */
  readonly ran: boolean;
  readonly accountsVisited: number;
  readonly invoicesClosed: number;
  /** Accounts whose close was refused, with the code (the run goes on with the others). */
  readonly refused: readonly { accountId: string; code: string }[];
}

export const scheduledCloseLease = 'billing-close';

/**
 * The scheduled close: under a lease (one node at a time, however many run it), closes every
 * ended period of every invoiced account, catching up after downtime. Safe to run at any
 * moment: a closed period is never closed again (the invoice of a period is unique).
 */
export async function runScheduledClose(
  deps: BillingDeps,
  options: { holder: string; leaseMs: number },
): Promise<ScheduledCloseReport> {
  const nowMs = deps.clock.nowMs();
  const held = await deps.store.acquireLease({ name: scheduledCloseLease, holder: options.holder,
    nowMs, untilMs: nowMs + options.leaseMs });
  if (!held) return { ran: false, accountsVisited: 0, invoicesClosed: 0, refused: [] };
  let afterId: string | null = null;
  let accountsVisited = 0;
  let invoicesClosed = 0;
  const refused: { accountId: string; code: string }[] = [];
  for (let page = 0; page < billingLimits.scheduledAccountPagesMax; page += 1) {
    const ids = await deps.store.listInvoicedAccounts({ afterId,
      limit: billingLimits.chargesPageMax });
    for (const accountId of ids) {
      accountsVisited += 1;
      const closed = await closeDuePeriods(deps, accountId);
      if (closed.ok) invoicesClosed += closed.value.closed.length;
      else refused.push({ accountId, code: closed.code });
    }
    if (ids.length < billingLimits.chargesPageMax) break;
    afterId = ids[ids.length - 1]!;
  }
  return { ran: true, accountsVisited, invoicesClosed, refused };
}
