/**
 * DID numbers and packages (issue 18), migration 15 of each dialect from one text: the
 * inventory per operator (`dids`) and each level's hold of a number with its prices and fee
 * cursor (`did_holdings`). One active hold per number and depth (a partial unique index), so two
 * assignments racing for a number (two nodes) cannot both win. No money is stored here
 * beyond prices: fees are ledger transfers. `package_subscriptions`: a package's price and
 * seconds per subscriber with its renewal cursor; the seconds themselves are bundles.
 */
export function didMigrationSql(dialect: 'sqlite' | 'postgres'): string {
  const [c, int, strict] = dialect === 'sqlite' ? ['', 'INTEGER', ' STRICT']
    : [' COLLATE "C"', 'BIGINT', ''];
  return `
CREATE TABLE dids (
  operator_id TEXT${c} NOT NULL REFERENCES accounts (id),
  number TEXT${c} NOT NULL,
  country TEXT NOT NULL,
  carrier_id TEXT,
  carrier_setup_micros ${int} NOT NULL CHECK (carrier_setup_micros >= 0),
  carrier_monthly_micros ${int} NOT NULL CHECK (carrier_monthly_micros >= 0),
  state TEXT NOT NULL CHECK (state IN ('available', 'assigned', 'quarantine')),
  quarantine_until_ms ${int},
  destination_kind TEXT CHECK (destination_kind IN ('sip_uri', 'extension', 'account')),
  destination_value TEXT,
  created_at_ms ${int} NOT NULL,
  PRIMARY KEY (operator_id, number)
)${strict};
CREATE INDEX dids_by_number ON dids (number);

CREATE TABLE did_holdings (
  id TEXT${c} PRIMARY KEY,
  operator_id TEXT${c} NOT NULL,
  number TEXT${c} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('carrier', 'parent')),
  depth INTEGER NOT NULL CHECK (depth >= 0),
  account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  payee_account_id TEXT${c} NOT NULL,
  currency TEXT NOT NULL,
  setup_micros ${int} NOT NULL CHECK (setup_micros >= 0),
  monthly_micros ${int} NOT NULL CHECK (monthly_micros >= 0),
  inbound_deck_id TEXT,
  first_period TEXT NOT NULL CHECK (first_period IN ('prorated', 'full')),
  started_at_ms ${int} NOT NULL,
  ended_at_ms ${int},
  setup_charged INTEGER NOT NULL CHECK (setup_charged IN (0, 1)),
  charged_through_ms ${int} NOT NULL,
  FOREIGN KEY (operator_id, number) REFERENCES dids (operator_id, number),
  CHECK ((kind = 'carrier') = (depth = 0))
)${strict};
CREATE UNIQUE INDEX did_holdings_active ON did_holdings (operator_id, number, depth)
  WHERE ended_at_ms IS NULL;
CREATE INDEX did_holdings_due ON did_holdings (charged_through_ms) WHERE ended_at_ms IS NULL;
CREATE INDEX did_holdings_by_account ON did_holdings (account_id) WHERE ended_at_ms IS NULL;

CREATE TABLE package_subscriptions (
  id TEXT${c} PRIMARY KEY,
  package_id TEXT NOT NULL,
  account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  payee_account_id TEXT${c} NOT NULL REFERENCES accounts (id),
  currency TEXT NOT NULL,
  monthly_micros ${int} NOT NULL CHECK (monthly_micros >= 0),
  included_seconds INTEGER NOT NULL CHECK (included_seconds > 0),
  prefixes TEXT NOT NULL,
  unused TEXT NOT NULL CHECK (unused IN ('expire', 'rollover')),
  first_period TEXT NOT NULL CHECK (first_period IN ('prorated', 'full')),
  started_at_ms ${int} NOT NULL,
  ended_at_ms ${int},
  renewed_through_ms ${int} NOT NULL
)${strict};
CREATE INDEX package_subscriptions_due ON package_subscriptions (renewed_through_ms)
  WHERE ended_at_ms IS NULL;
CREATE INDEX package_subscriptions_by_account ON package_subscriptions (account_id);
`;
}
