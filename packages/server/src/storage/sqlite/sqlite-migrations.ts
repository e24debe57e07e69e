import type { Migration } from '../shared/migration.ts';
import { sqliteDidMigration } from './sqlite-did-migration.ts';
import { sqliteBillingMigration } from './sqlite-billing-migration.ts';
import { sqliteDeckPartsMigration } from './sqlite-deck-parts-migration.ts';
import { sqliteApiMigration } from './sqlite-api-migration.ts';
import { sqliteRoutingMigration } from './sqlite-routing-migration.ts';
import { sqliteFraudMigration } from './sqlite-fraud-migration.ts';
import { sqliteChargingMigration } from './sqlite-charging-migration.ts';
import { sqliteSwitchesMigration } from './sqlite-switches-migration.ts';
import { sqliteDiameterMigration } from './sqlite-diameter-migration.ts';
import { sqliteApiKeyScopesMigration } from './sqlite-api-key-scopes-migration.ts';
import { sqliteAuditMigration } from './sqlite-audit-migration.ts';
import { sqliteOriginsEndedMigration } from './sqlite-origins-ended-migration.ts';
import { sqliteStripeMigration } from './sqlite-stripe-migration.ts';

/**
 * The ledger schema for SQLite. Money and instants are INTEGER (64-bit); ids sort by bytes,
 * which is the lock order of the core (ASCII ids). CHECK constraints repeat the core's
 * invariants so that a bug in an adapter cannot store what the domain forbids.
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  tier TEXT NOT NULL CHECK (tier IN ('super_admin', 'admin', 'reseller', 'customer')),
  parent_id TEXT REFERENCES accounts (id),
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('prepaid', 'postpaid')),
  credit_limit_micros INTEGER CHECK (credit_limit_micros >= 0),
  daily_limit_micros INTEGER CHECK (daily_limit_micros >= 0),
  monthly_limit_micros INTEGER CHECK (monthly_limit_micros >= 0),
  concurrent_calls_max INTEGER CHECK (concurrent_calls_max >= 0),
  time_zone TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'closed')),
  rate_deck_id TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  CHECK ((parent_id IS NULL) = (tier = 'super_admin'))
) STRICT;
CREATE INDEX accounts_by_parent ON accounts (parent_id, id);

CREATE TABLE books (
  id TEXT PRIMARY KEY,
  account_id TEXT REFERENCES accounts (id),
  kind TEXT NOT NULL CHECK (kind IN ('main', 'revenue', 'world')),
  currency TEXT NOT NULL,
  posted_micros INTEGER NOT NULL DEFAULT 0,
  pending_micros INTEGER NOT NULL DEFAULT 0 CHECK (pending_micros >= 0),
  CHECK ((account_id IS NULL) = (kind = 'world'))
) STRICT;
CREATE INDEX books_by_account ON books (account_id);

CREATE TABLE transfers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  debit_book_id TEXT NOT NULL REFERENCES books (id),
  credit_book_id TEXT NOT NULL REFERENCES books (id),
  currency TEXT NOT NULL,
  amount_micros INTEGER NOT NULL CHECK (amount_micros > 0),
  reference TEXT NOT NULL,
  reservation_id TEXT,
  reverses_transfer_id INTEGER REFERENCES transfers (id),
  created_at_ms INTEGER NOT NULL,
  CHECK (debit_book_id <> credit_book_id)
) STRICT;
CREATE INDEX transfers_by_debit_book ON transfers (debit_book_id, id);
CREATE INDEX transfers_by_credit_book ON transfers (credit_book_id, id);
CREATE INDEX transfers_by_reversed ON transfers (reverses_transfer_id)
  WHERE reverses_transfer_id IS NOT NULL;

CREATE TABLE reservations (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'committed', 'released', 'expired')),
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  closed_at_ms INTEGER
) STRICT;
CREATE INDEX reservations_open_by_expiry ON reservations (expires_at_ms, id)
  WHERE state = 'open';

CREATE TABLE reservation_legs (
  reservation_id TEXT NOT NULL REFERENCES reservations (id),
  leg_index INTEGER NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  debit_book_id TEXT NOT NULL REFERENCES books (id),
  credit_book_id TEXT NOT NULL REFERENCES books (id),
  credit_account_id TEXT REFERENCES accounts (id),
  currency TEXT NOT NULL,
  pending_micros INTEGER NOT NULL CHECK (pending_micros >= 0),
  committed_micros INTEGER NOT NULL CHECK (committed_micros >= 0),
  PRIMARY KEY (reservation_id, leg_index)
) STRICT, WITHOUT ROWID;
CREATE INDEX reservation_legs_by_debit_book ON reservation_legs (debit_book_id);

CREATE TABLE spend_windows (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  period_key TEXT NOT NULL,
  spent_micros INTEGER NOT NULL CHECK (spent_micros >= 0),
  PRIMARY KEY (account_id, period_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  operation TEXT NOT NULL,
  request_json TEXT NOT NULL,
  outcome_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE exchange_rates (
  from_currency TEXT NOT NULL,
  to_currency TEXT NOT NULL,
  valid_from_ms INTEGER NOT NULL,
  rate TEXT NOT NULL,
  PRIMARY KEY (from_currency, to_currency, valid_from_ms)
) STRICT, WITHOUT ROWID;
`,
  },
  sqliteChargingMigration,
  sqliteApiMigration,
  sqliteRoutingMigration,
  sqliteFraudMigration,
  sqliteSwitchesMigration,
  sqliteDiameterMigration,
  sqliteApiKeyScopesMigration,
  sqliteAuditMigration,
  sqliteDeckPartsMigration,
  sqliteBillingMigration,
  sqliteOriginsEndedMigration,
  sqliteStripeMigration,
  sqliteDidMigration,
];
