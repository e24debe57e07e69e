import type { Cdr, CdrLevel } from '../charging/charging-types.ts';
import { micros } from '../kernel/money.ts';
import { mainBookId, revenueBookId } from '../ledger/book.ts';
import type { Account, AccountId } from '../ledger/account.ts';
import type { Transfer, TransferId } from '../ledger/transfer.ts';
import type { BillingDeps } from './billing-deps.ts';
import { billingLimits } from './billing-limits.ts';
import { billingProblem, type BillingResult } from './billing-problem.ts';
import type { BillingPeriod } from './billing-cycle.ts';
import type { PeriodCall, PeriodCharge } from './usage-lines.ts';

/**
 * What one level of the chain moved in a period, read from the ledger: the transfers between
 * the account's main book and its parent's revenue book in the account's currency (charges
 * one way, refunds the other), each with the destination of its call from the CDR.
 */
export interface LevelCharges {
  readonly charges: readonly PeriodCharge[];
  readonly calls: readonly PeriodCall[];
  readonly transferIds: readonly bigint[];
  /** Charges minus refunds, exactly as the ledger holds them. */
  readonly ledgerMicros: bigint;
}

/** The session of a charge's reference: `s:<session>` for calls, the event's own id else. */
export function sessionOfReference(reference: string): string {
  return reference.startsWith('s:') ? reference.slice(2) : reference;
}

export async function readLevelCharges(
  deps: BillingDeps,
  account: Account,
  period: BillingPeriod,
): Promise<BillingResult<LevelCharges>> {
  const payerBookId = mainBookId(account.id);
  const payeeBookId = revenueBookId(account.parentId as AccountId, account.currency);
  const transfers: Transfer[] = [];
  let afterId: TransferId | null = null;
  // Bounded by the check below: past `chargesPerInvoiceMax` the close is refused.
  for (;;) {
    const rows = await deps.store.listPeriodTransfers({ payerBookId, payeeBookId,
      fromMs: period.startMs, toMs: period.endMs, afterId, limit: billingLimits.chargesPageMax });
    transfers.push(...rows);
    if (transfers.length > billingLimits.chargesPerInvoiceMax) {
      return billingProblem('too_many_charges', `more than ${billingLimits.chargesPerInvoiceMax}` +
        ' charges in one period', { accountId: account.id });
    }
    if (rows.length < billingLimits.chargesPageMax) break;
    afterId = rows[rows.length - 1]!.id;
  }
  const cdrs = new Map<string, Cdr>();
  for (let start = 0; start < transfers.length; start += billingLimits.chargesPageMax) {
    const sessions = transfers.slice(start, start + billingLimits.chargesPageMax)
      .filter((transfer) => transfer.kind === 'charge')
      .map((transfer) => sessionOfReference(transfer.reference));
    for (const cdr of await deps.store.findCdrsBySessions([...new Set(sessions)])) {
      cdrs.set(cdr.sessionId, cdr);
    }
  }
  const levelOf = (cdr: Cdr | undefined) =>
    cdr?.levels.find((level) => level.accountId === account.id);
  const charges = transfers.map((transfer) => chargeOf(deps, transfer, payerBookId,
    levelOf(cdrs.get(sessionOfReference(transfer.reference)))));
  const calls = await readLevelCalls(deps, account, period);
  const ledgerMicros = charges.reduce((total, charge) => total + charge.signedMicros, 0n);
  return { ok: true, value: { charges, calls, ledgerMicros,
    transferIds: transfers.map((transfer) => transfer.id) } };
}

function chargeOf(
  deps: BillingDeps,
  transfer: Transfer,
  payerBookId: string,
  level: CdrLevel | undefined,
): PeriodCharge {
  const outgoing = transfer.debitBookId === payerBookId;
  const signedMicros = micros(outgoing ? transfer.amountMicros : -transfer.amountMicros);
  if (transfer.kind === 'refund') {
    return { transferId: transfer.id, signedMicros, kind: 'adjustment', prefix: null,
      description: 'Refunds' };
  }
  const fee = feeLineOfReference(transfer.reference);
  if (fee !== null) {
    return { transferId: transfer.id, signedMicros, prefix: null, ...fee };
  }
  if (level === undefined) {
    // A call still live at the cut has no CDR yet: its slices charged so far are usage.
    const live = transfer.reference.startsWith('s:');
    return { transferId: transfer.id, signedMicros, kind: live ? 'usage' : 'one_off',
      prefix: null, description: live ? 'Calls in progress at the cut' : 'Charges' };
  }
  return { transferId: transfer.id, signedMicros, kind: 'usage', prefix: level.prefix,
    description: destinationOf(deps, level) };
}

/**
 * Fees say their line in their reference: `rc:<description>` a recurring charge (a number's
 * monthly fee), `oo:<description>` a one-off (its setup fee).
 */
export function feeLineOfReference(reference: string):
  { kind: 'recurring' | 'one_off'; description: string } | null {
  if (reference.startsWith('rc:')) return { kind: 'recurring', description: reference.slice(3) };
  if (reference.startsWith('oo:')) return { kind: 'one_off', description: reference.slice(3) };
  return null;
}

function destinationOf(deps: BillingDeps, level: CdrLevel): string {
  if (level.prefix === null) return 'Usage';
  const name = level.deckId === null ? null
    : deps.destinationName?.(level.deckId, level.prefix) ?? null;
  return name ?? `+${level.prefix}`;
}

async function readLevelCalls(deps: BillingDeps, account: Account, period: BillingPeriod):
  Promise<PeriodCall[]> {
  const calls: PeriodCall[] = [];
  let afterId: string | null = null;
  for (let page = 0; page * billingLimits.chargesPageMax <= billingLimits.chargesPerInvoiceMax;
    page += 1) {
    const rows = await deps.store.listEndedCdrs({ accountId: account.id,
      fromMs: period.startMs, toMs: period.endMs, afterId, limit: billingLimits.chargesPageMax });
    for (const cdr of rows) {
      const level = cdr.levels.find((entry) => entry.accountId === account.id);
      if (level === undefined || cdr.disposition === 'event') continue;
      calls.push({ prefix: level.prefix, description: destinationOf(deps, level),
        billedSeconds: level.billedSeconds });
    }
    if (rows.length < billingLimits.chargesPageMax) break;
    afterId = rows[rows.length - 1]!.id;
  }
  return calls;
}
