import type { Cdr } from '../charging/charging-types.ts';
import type { BookId } from '../ledger/book.ts';
import type { Transfer, TransferId } from '../ledger/transfer.ts';
import type { BillingSettings } from './billing-settings.ts';
import type { Invoice, NewInvoice } from './invoice.ts';
import type { AllocationPlan, OpenInvoice } from './payment-allocation.ts';
import type { Payment } from './payment.ts';
import type { TaxProfile } from './tax-profile.ts';

/**
 * The billing domain's storage port. It reads the ledger (transfers, CDRs) and never writes
 * it: money moves only through the ledger's use cases. Its own tables are settings, tax
 * profiles, invoices with their lines and covered transfers, payments with their allocations,
 * and the leases of the scheduled close.
 */
export interface BillingStore {
  findSettings(accountIds: readonly string[]): Promise<BillingSettings[]>;
  saveSettings(settings: BillingSettings): Promise<void>;
  saveTaxProfile(profile: TaxProfile): Promise<void>;
  findTaxProfile(id: string): Promise<TaxProfile | null>;
  listTaxProfiles(ownerAccountId: string): Promise<TaxProfile[]>;

  /**
   * Charge and refund transfers between two books, either way, posted in [fromMs, toMs) and
   * covered by no invoice yet, in id order after `afterId`.
   */
  listPeriodTransfers(query: PeriodTransferQuery): Promise<Transfer[]>;
  /** CDRs by session id (a transfer's reference names its session). */
  findCdrsBySessions(sessionIds: readonly string[]): Promise<Cdr[]>;
  /** CDRs with a level paid by `accountId`, ended in [fromMs, toMs), id order after `afterId`. */
  listEndedCdrs(query: { accountId: string; fromMs: number; toMs: number;
    afterId: string | null; limit: number }): Promise<Cdr[]>;
  /** Accounts that receive invoices (with a parent, not closed), id order. */
  listInvoicedAccounts(page: { afterId: string | null; limit: number }): Promise<string[]>;

  /**
   * Numbers the invoice (next of its issuer and year, in the same transaction as the insert,
   * so a rolled-back insert returns its number) and stores it with its lines and transfers.
   * `period_closed` when the account already has an invoice for the period.
   */
  insertInvoice(invoice: NewInvoice): Promise<{ status: 'created'; invoice: Invoice } |
    { status: 'period_closed'; invoiceId: string }>;
  findInvoice(id: string): Promise<Invoice | null>;
  /** The ledger transfers an invoice covers, in id order. */
  listInvoiceTransfers(invoiceId: string): Promise<Transfer[]>;
  findPeriodInvoice(accountId: string, periodStartMs: number): Promise<Invoice | null>;
  /** The latest invoice (not credit note) of an account, by period. */
  findLastInvoice(accountId: string): Promise<Invoice | null>;
  listInvoices(query: InvoiceQuery): Promise<Invoice[]>;
  /**
   * Stores a credit note and marks the invoice it cancels void, in one transaction, only if
   * that invoice is still issued with nothing paid; false otherwise (nothing written).
   */
  insertCreditNote(note: NewInvoice): Promise<{ status: 'created'; invoice: Invoice } |
    { status: 'not_voidable' }>;

  findPayment(accountId: string, reference: string): Promise<Payment | null>;
  /**
   * Stores a payment and its allocations in one transaction: `plan` runs on the account's
   * open invoices read under a lock, so two payments never allocate the same open amount.
   */
  insertPayment(payment: Payment,
    plan: (open: readonly OpenInvoice[]) => AllocationPlan): Promise<Payment>;
  listPayments(query: { accountId: string; afterId: string | null; limit: number }):
    Promise<Payment[]>;

  /**
   * Takes or renews a named lease until `untilMs` when it is free, expired or already the
   * holder's; false when another holder has it.
   */
  acquireLease(lease: { name: string; holder: string; nowMs: number; untilMs: number }):
    Promise<boolean>;
}

export interface PeriodTransferQuery {
  readonly payerBookId: BookId;
  readonly payeeBookId: BookId;
  readonly fromMs: number;
  readonly toMs: number;
  readonly afterId: TransferId | null;
  readonly limit: number;
}

export interface InvoiceQuery {
  /** Invoices this account issued or received (a reseller sees both). */
  readonly partyAccountId: string;
  /** Only invoices received by this account. */
  readonly recipientAccountId?: string;
  readonly afterId: string | null;
  readonly limit: number;
}

