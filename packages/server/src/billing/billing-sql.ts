import { invoiceColumns } from './billing-mapping.ts';

const marks = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** Session ids per CDR lookup: a fixed count, so each statement text is prepared once. */
export const cdrLookupBatch = 100;

/** The billing statements, the same text on both dialects (`?` placeholders). */
export const billingSql = {
  findSettings: 'SELECT * FROM billing_settings WHERE account_id = ?',
  saveSettings: `INSERT INTO billing_settings (account_id, cycle_kind, anchor_day,
    anchor_weekday, payment_terms_days, tax_profile_id, invoice_prefix, legal_name, address,
    tax_id, updated_at_ms) VALUES (${marks(11)})
    ON CONFLICT (account_id) DO UPDATE SET cycle_kind = excluded.cycle_kind,
    anchor_day = excluded.anchor_day, anchor_weekday = excluded.anchor_weekday,
    payment_terms_days = excluded.payment_terms_days, tax_profile_id = excluded.tax_profile_id,
    invoice_prefix = excluded.invoice_prefix, legal_name = excluded.legal_name,
    address = excluded.address, tax_id = excluded.tax_id, updated_at_ms = excluded.updated_at_ms`,
  saveTaxProfile: `INSERT INTO tax_profiles (id, owner_account_id, name, treatment,
    prices_include_tax, rates_json, note) VALUES (${marks(7)})
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, treatment = excluded.treatment,
    prices_include_tax = excluded.prices_include_tax, rates_json = excluded.rates_json,
    note = excluded.note WHERE tax_profiles.owner_account_id = excluded.owner_account_id`,
  findTaxProfile: 'SELECT * FROM tax_profiles WHERE id = ?',
  listTaxProfiles: 'SELECT * FROM tax_profiles WHERE owner_account_id = ? ORDER BY id',
  periodTransfers: `SELECT t.* FROM transfers t
    WHERE ((t.debit_book_id = ? AND t.credit_book_id = ? AND t.kind = 'charge')
      OR (t.debit_book_id = ? AND t.credit_book_id = ? AND t.kind = 'refund'))
    AND t.created_at_ms >= ? AND t.created_at_ms < ? AND t.id > ?
    AND NOT EXISTS (SELECT 1 FROM invoice_transfers i WHERE i.transfer_id = t.id)
    ORDER BY t.id LIMIT ?`,
  cdrsBySessions: `SELECT * FROM cdrs WHERE session_id IN (${marks(cdrLookupBatch)})`,
  endedCdrs: `SELECT c.* FROM cdr_levels l JOIN cdrs c ON c.id = l.cdr_id
    WHERE l.account_id = ? AND c.ended_at_ms >= ? AND c.ended_at_ms < ? AND l.cdr_id > ?
    ORDER BY l.cdr_id LIMIT ?`,
  invoicedAccounts: `SELECT id FROM accounts WHERE parent_id IS NOT NULL
    AND mode = 'postpaid' AND state <> 'closed' AND id > ? ORDER BY id LIMIT ?`,
  periodInvoice: `SELECT * FROM invoices WHERE account_id = ? AND period_start_ms = ?
    AND kind = 'invoice'`,
  lastInvoice: `SELECT * FROM invoices WHERE account_id = ? AND kind = 'invoice'
    ORDER BY period_start_ms DESC LIMIT 1`,
  nextSequence: `INSERT INTO invoice_sequences (issuer_id, sequence_year, last_sequence)
    VALUES (?, ?, 1) ON CONFLICT (issuer_id, sequence_year)
    DO UPDATE SET last_sequence = invoice_sequences.last_sequence + 1
    RETURNING last_sequence`,
  insertInvoice: `INSERT INTO invoices (${invoiceColumns.join(', ')})
    VALUES (${marks(invoiceColumns.length)})`,
  insertLine: `INSERT INTO invoice_lines (invoice_id, line_index, kind, prefix, description,
    calls, billed_seconds, charged_micros, amount_micros) VALUES (${marks(9)})`,
  insertCovered: 'INSERT INTO invoice_transfers (transfer_id, invoice_id) VALUES (?, ?)',
  findInvoice: 'SELECT * FROM invoices WHERE id = ?',
  lines: 'SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_index',
  coveredIds: `SELECT transfer_id FROM invoice_transfers WHERE invoice_id = ?
    ORDER BY transfer_id`,
  coveredTransfers: `SELECT t.* FROM invoice_transfers i JOIN transfers t
    ON t.id = i.transfer_id WHERE i.invoice_id = ? ORDER BY t.id`,
  listInvoices: `SELECT * FROM invoices WHERE (issuer_id = ? OR account_id = ?)
    AND (CAST(? AS TEXT) IS NULL OR account_id = ?) AND id > ? ORDER BY id LIMIT ?`,
  voidInvoice: `UPDATE invoices SET status = 'void', credited_by_invoice_id = ?
    WHERE id = ? AND kind = 'invoice' AND status = 'issued' AND paid_micros = 0
    RETURNING id`,
  findPayment: 'SELECT * FROM payments WHERE account_id = ? AND reference = ?',
  paymentAllocations: `SELECT invoice_id, amount_micros FROM payment_allocations
    WHERE payment_id = ? ORDER BY invoice_id`,
  openInvoices: `SELECT id, issued_at_ms, sequence, total_micros, paid_micros FROM invoices
    WHERE account_id = ? AND kind = 'invoice' AND status IN ('issued', 'partially_paid')
    ORDER BY issued_at_ms, sequence LIMIT ?`,
  insertPayment: `INSERT INTO payments (id, account_id, reference, method, currency,
    amount_micros, credit_micros, received_at_ms, transfer_id, created_at_ms)
    VALUES (${marks(10)})`,
  insertAllocation: `INSERT INTO payment_allocations (payment_id, invoice_id, amount_micros)
    VALUES (?, ?, ?)`,
  payInvoice: `UPDATE invoices SET paid_micros = paid_micros + ?,
    status = CASE WHEN paid_micros + ? = total_micros THEN 'paid' ELSE 'partially_paid' END
    WHERE id = ? AND paid_micros + ? <= total_micros RETURNING id`,
  listPayments: `SELECT * FROM payments WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`,
  acquireLease: `INSERT INTO job_leases (name, holder, until_ms) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
    WHERE job_leases.until_ms <= ? OR job_leases.holder = excluded.holder
    RETURNING holder`,
} as const;
