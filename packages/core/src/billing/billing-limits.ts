/** Named bounds of the billing domain (conventions, rule 8). */
export const billingLimits = {
  nameCharsMax: 120,
  noteCharsMax: 500,
  taxRatesMax: 8,
  /** Lines of one invoice: destinations beyond it would make an unreadable invoice. */
  invoiceLinesMax: 5_000,
  /** Charges read per page when an invoice is built from the ledger. */
  chargesPageMax: 1_000,
  /** Charges one invoice may cover; past it the close refuses (bigger needs another design). */
  chargesPerInvoiceMax: 2_000_000,
  /** Periods one close catches up for one account (a year of daily cycles and then some). */
  catchUpPeriodsMax: 400,
  /** Pages of accounts one scheduled run visits (a thousand accounts a page). */
  scheduledAccountPagesMax: 10_000,
  /** Open invoices one payment is allocated over. */
  allocationInvoicesMax: 1_000,
  /** Invoice number prefix. */
  prefixCharsMax: 20,
  paymentTermsDaysMax: 365,
  /** So that `payment:<reference>` fits the ledger's reference and idempotency key. */
  referenceCharsMax: 100,
} as const;
