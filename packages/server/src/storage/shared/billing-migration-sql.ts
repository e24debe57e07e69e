/**
 * Billing (issue 17), migration 12 of each dialect from one text: settings and tax profiles,
 * invoices with their lines and the ledger transfers each covers (one document per transfer:
 * the primary key), gap-free numbers per issuer and year (`invoice_sequences`, taken in the
 * invoice's transaction), payments with their allocations, and the leases of scheduled jobs.
 * The ledger's tables are read, never written, by billing.
 */
interface BillingDialectWords {
  /** The collation of ids: byte order ("C") on PostgreSQL, SQLite's default already is. */
  readonly c: string;
  readonly int: string;
  readonly strict: string;
  readonly withoutRowid: string;
}

export function billingMigrationSql(dialect: 'sqlite' | 'postgres'): string {
  const d: BillingDialectWords = dialect === 'sqlite'
    ? { c: '', int: 'INTEGER', strict: ' STRICT', withoutRowid: ', WITHOUT ROWID' }
    : { c: ' COLLATE "C"', int: 'BIGINT', strict: '', withoutRowid: '' };
  return `
CREATE TABLE billing_settings (
  account_id TEXT${d.c} PRIMARY KEY REFERENCES accounts (id),
  cycle_kind TEXT CHECK (cycle_kind IN ('monthly', 'weekly', 'daily')),
  anchor_day INTEGER CHECK (anchor_day BETWEEN 1 AND 31),
  anchor_weekday INTEGER CHECK (anchor_weekday BETWEEN 1 AND 7),
  payment_terms_days INTEGER CHECK (payment_terms_days >= 0),
  tax_profile_id TEXT,
  invoice_prefix TEXT,
  legal_name TEXT,
  address TEXT,
  tax_id TEXT,
  updated_at_ms ${d.int} NOT NULL
)${d.strict};

CREATE TABLE tax_profiles (
  id TEXT${d.c} PRIMARY KEY,
  owner_account_id TEXT${d.c} NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  treatment TEXT NOT NULL CHECK (treatment IN ('standard', 'exempt', 'reverse_charge')),
  prices_include_tax INTEGER NOT NULL CHECK (prices_include_tax IN (0, 1)),
  rates_json TEXT NOT NULL,
  note TEXT NOT NULL
)${d.strict};
CREATE INDEX tax_profiles_by_owner ON tax_profiles (owner_account_id, id);

CREATE TABLE invoice_sequences (
  issuer_id TEXT${d.c} NOT NULL,
  sequence_year INTEGER NOT NULL,
  last_sequence INTEGER NOT NULL CHECK (last_sequence > 0),
  PRIMARY KEY (issuer_id, sequence_year)
)${d.strict};

CREATE TABLE invoices (
  id TEXT${d.c} PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  number TEXT NOT NULL,
  issuer_id TEXT${d.c} NOT NULL REFERENCES accounts (id),
  account_id TEXT${d.c} NOT NULL REFERENCES accounts (id),
  sequence_year INTEGER NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence > 0),
  credits_invoice_id TEXT${d.c} REFERENCES invoices (id),
  credited_by_invoice_id TEXT${d.c},
  period_start_ms ${d.int} NOT NULL,
  period_end_ms ${d.int} NOT NULL CHECK (period_end_ms > period_start_ms),
  period_key TEXT NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')),
  issued_at_ms ${d.int} NOT NULL,
  due_at_ms ${d.int} NOT NULL,
  charged_micros ${d.int} NOT NULL,
  rounding_micros ${d.int} NOT NULL,
  net_micros ${d.int} NOT NULL,
  tax_micros ${d.int} NOT NULL,
  total_micros ${d.int} NOT NULL,
  paid_micros ${d.int} NOT NULL CHECK (paid_micros >= 0),
  document_json TEXT NOT NULL,
  CHECK (kind = 'invoice' OR paid_micros = 0),
  CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL)),
  UNIQUE (issuer_id, sequence_year, sequence)
)${d.strict};
CREATE UNIQUE INDEX invoices_one_per_period ON invoices (account_id, period_start_ms)
  WHERE kind = 'invoice';
CREATE INDEX invoices_by_issuer ON invoices (issuer_id, id);
CREATE INDEX invoices_by_account ON invoices (account_id, id);

CREATE TABLE invoice_lines (
  invoice_id TEXT${d.c} NOT NULL REFERENCES invoices (id),
  line_index INTEGER NOT NULL,
  kind TEXT NOT NULL,
  prefix TEXT,
  description TEXT NOT NULL,
  calls INTEGER NOT NULL CHECK (calls >= 0),
  billed_seconds INTEGER NOT NULL CHECK (billed_seconds >= 0),
  charged_micros ${d.int} NOT NULL,
  amount_micros ${d.int} NOT NULL,
  PRIMARY KEY (invoice_id, line_index)
)${d.strict}${d.withoutRowid};

CREATE TABLE invoice_transfers (
  transfer_id ${d.int} PRIMARY KEY REFERENCES transfers (id),
  invoice_id TEXT${d.c} NOT NULL REFERENCES invoices (id)
)${d.strict};
CREATE INDEX invoice_transfers_by_invoice ON invoice_transfers (invoice_id, transfer_id);

CREATE TABLE payments (
  id TEXT${d.c} PRIMARY KEY,
  account_id TEXT${d.c} NOT NULL REFERENCES accounts (id),
  reference TEXT NOT NULL,
  method TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_micros ${d.int} NOT NULL CHECK (amount_micros > 0),
  credit_micros ${d.int} NOT NULL CHECK (credit_micros >= 0),
  received_at_ms ${d.int} NOT NULL,
  transfer_id ${d.int} NOT NULL UNIQUE REFERENCES transfers (id),
  created_at_ms ${d.int} NOT NULL,
  UNIQUE (account_id, reference)
)${d.strict};

CREATE TABLE payment_allocations (
  payment_id TEXT${d.c} NOT NULL REFERENCES payments (id),
  invoice_id TEXT${d.c} NOT NULL REFERENCES invoices (id),
  amount_micros ${d.int} NOT NULL CHECK (amount_micros > 0),
  PRIMARY KEY (payment_id, invoice_id)
)${d.strict}${d.withoutRowid};

CREATE TABLE job_leases (
  name TEXT${d.c} PRIMARY KEY,
  holder TEXT NOT NULL,
  until_ms ${d.int} NOT NULL
)${d.strict};
`;
}
