/**
 * Card payments through Stripe (issue 18), migration 14 of each dialect from one text:
 * each root's Stripe keys (the secret key and the webhook signing secret sealed, never in
 * clear), each account's Stripe customer and card on file, the payments asked of Stripe, the
 * webhook events already handled (replays move nothing), each account's auto-refill, and the
 * notices for the owners (an outbox: failures, SCA, refill switched off; each with its
 * delivery to the payment webhook).
 */
export function stripeMigrationSql(dialect: 'sqlite' | 'postgres'): string {
  const c = dialect === 'sqlite' ? '' : ' COLLATE "C"';
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const strict = dialect === 'sqlite' ? ' STRICT' : '';
  const serial = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT'
    : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  return `
CREATE TABLE stripe_settings (
  root_account_id TEXT${c} PRIMARY KEY REFERENCES accounts (id),
  secret_key_sealed TEXT NOT NULL,
  webhook_secret_sealed TEXT NOT NULL,
  publishable_key TEXT NOT NULL,
  updated_at_ms ${int} NOT NULL
)${strict};

CREATE TABLE stripe_customers (
  account_id TEXT${c} PRIMARY KEY REFERENCES accounts (id),
  root_account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  customer_id TEXT NOT NULL,
  payment_method_id TEXT,
  card_brand TEXT,
  card_last4 TEXT,
  updated_at_ms ${int} NOT NULL,
  UNIQUE (root_account_id, customer_id)
)${strict};

CREATE TABLE stripe_payments (
  payment_intent_id TEXT${c} PRIMARY KEY,
  account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  root_account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  purpose TEXT NOT NULL CHECK (purpose IN ('topup', 'refill')),
  amount_micros ${int} NOT NULL CHECK (amount_micros > 0),
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  transfer_id ${int},
  created_at_ms ${int} NOT NULL,
  updated_at_ms ${int} NOT NULL
)${strict};
CREATE INDEX stripe_payments_by_account ON stripe_payments (account_id, created_at_ms);

CREATE TABLE stripe_events (
  root_account_id TEXT${c} NOT NULL,
  event_id TEXT${c} NOT NULL,
  event_type TEXT NOT NULL,
  received_at_ms ${int} NOT NULL,
  PRIMARY KEY (root_account_id, event_id)
)${strict};

CREATE TABLE auto_refills (
  account_id TEXT${c} PRIMARY KEY REFERENCES accounts (id),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  threshold_micros ${int} NOT NULL CHECK (threshold_micros >= 0),
  amount_micros ${int} NOT NULL CHECK (amount_micros > 0),
  state TEXT NOT NULL CHECK (state IN ('idle', 'in_flight', 'retry_wait', 'requires_action',
    'disabled')),
  trigger_seq INTEGER NOT NULL CHECK (trigger_seq >= 0),
  attempt INTEGER NOT NULL CHECK (attempt >= 0),
  failures INTEGER NOT NULL CHECK (failures >= 0),
  next_attempt_at_ms ${int} NOT NULL,
  payment_intent_id TEXT,
  last_error TEXT,
  updated_at_ms ${int} NOT NULL
)${strict};

CREATE TABLE payment_notices (
  id ${serial},
  account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL,
  payment_intent_id TEXT,
  detail TEXT NOT NULL,
  created_at_ms ${int} NOT NULL,
  delivery_status TEXT NOT NULL CHECK (delivery_status IN ('pending', 'delivered', 'failed')),
  delivery_attempts INTEGER NOT NULL CHECK (delivery_attempts >= 0),
  next_attempt_at_ms ${int} NOT NULL,
  last_error TEXT
)${strict};
CREATE INDEX payment_notices_by_account ON payment_notices (account_id, id);
CREATE INDEX payment_notices_due ON payment_notices (next_attempt_at_ms, id)
  WHERE delivery_status = 'pending';
`;
}
