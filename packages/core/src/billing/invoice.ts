import type { Micros } from '../kernel/money.ts';
import type { InvoiceAmounts } from './invoice-maths.ts';
import type { InvoiceKind, InvoiceStatus } from './invoice-status.ts';

/** Who issues an invoice: printed at its head. */
export interface InvoiceParty {
  readonly accountId: string;
  readonly name: string;
  readonly address: string | null;
  readonly taxId: string | null;
}

/** An invoice (or a credit note) before it has a number. */
export interface NewInvoice {
  readonly id: string;
  readonly kind: InvoiceKind;
  readonly issuer: InvoiceParty;
  readonly recipient: InvoiceParty;
  /** The invoice a credit note cancels. */
  readonly creditsInvoiceId: string | null;
  readonly periodStartMs: number;
  readonly periodEndMs: number;
  /** "YYYY-MM-DD" of the period's first local day. */
  readonly periodKey: string;
  readonly currency: string;
  readonly amounts: InvoiceAmounts;
  readonly issuedAtMs: number;
  readonly dueAtMs: number;
  /** Year of the issuer's numbering sequence (the issue date's year in the issuer's zone). */
  readonly sequenceYear: number;
  readonly numberPrefix: string;
  /** The ledger transfers the invoice covers: each is covered by one document at most. */
  readonly transferIds: readonly bigint[];
}

export interface Invoice extends NewInvoice {
  /** `<prefix>-<year>-<sequence>`; sequences are gap-free per issuer and year. */
  readonly number: string;
  readonly sequence: number;
  /** As stored: issued, partially_paid, paid or void; `overdue` is derived when read. */
  readonly status: InvoiceStatus;
  readonly paidMicros: Micros;
  /** The credit note that voided the invoice. */
  readonly creditedByInvoiceId: string | null;
}

export function invoiceNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}
