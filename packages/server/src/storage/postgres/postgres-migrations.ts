import type { Migration } from '../shared/migration.ts';
import { postgresDidMigration } from './postgres-did-migration.ts';
import { postgresBillingMigration } from './postgres-billing-migration.ts';
import { postgresDeckPartsMigration } from './postgres-deck-parts-migration.ts';
import { postgresEngineMigration } from './postgres-engine-migration.ts';
import { postgresApiMigration } from './postgres-api-migration.ts';
import { postgresRoutingMigration } from './postgres-routing-migration.ts';
import { postgresFraudMigration } from './postgres-fraud-migration.ts';
import { postgresChargingMigration } from './postgres-charging-migration.ts';
import { postgresSwitchesMigration } from './postgres-switches-migration.ts';
import { postgresDiameterMigration } from './postgres-diameter-migration.ts';
import { postgresApiKeyScopesMigration } from './postgres-api-key-scopes-migration.ts';
import { postgresAuditMigration } from './postgres-audit-migration.ts';
import { postgresOriginsEndedMigration } from './postgres-origins-ended-migration.ts';
import { postgresStripeMigration } from './postgres-stripe-migration.ts';

/**
 * The ledger schema for PostgreSQL: the same tables and constraints as SQLite. Ids use the "C"
 * collation, so ORDER BY id is byte order: the lock order of the core (ids are ASCII).
 */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
CREATE TABLE accounts (
  id TEXT COLLATE "C" PRIMARY KEY,
  tier TEXT NOT NULL CHECK (tier IN ('super_admin', 'admin', 'reseller', 'customer')),
  parent_id TEXT COLLATE "C" REFERENCES accounts (id),
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('prepaid', 'postpaid')),
  credit_limit_micros BIGINT CHECK (credit_limit_micros >= 0),
  daily_limit_micros BIGINT CHECK (daily_limit_micros >= 0),
  monthly_limit_micros BIGINT CHECK (monthly_limit_micros >= 0),
  concurrent_calls_max INTEGER CHECK (concurrent_calls_max >= 0),
  time_zone TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'closed')),
  rate_deck_id TEXT,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  CHECK ((parent_id IS NULL) = (tier = 'super_admin'))
);
CREATE INDEX accounts_by_parent ON accounts (parent_id, id);

CREATE TABLE books (
  id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" REFERENCES accounts (id),
  kind TEXT NOT NULL CHECK (kind IN ('main', 'revenue', 'world')),
  currency TEXT NOT NULL,
  posted_micros BIGINT NOT NULL DEFAULT 0,
  pending_micros BIGINT NOT NULL DEFAULT 0 CHECK (pending_micros >= 0),
  CHECK ((account_id IS NULL) = (kind = 'world'))
);
CREATE INDEX books_by_account ON books (account_id);

CREATE TABLE transfers (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  debit_book_id TEXT COLLATE "C" NOT NULL REFERENCES books (id),
  credit_book_id TEXT COLLATE "C" NOT NULL REFERENCES books (id),
  currency TEXT NOT NULL,
  amount_micros BIGINT NOT NULL CHECK (amount_micros > 0),
  reference TEXT NOT NULL,
  reservation_id TEXT COLLATE "C",
  reverses_transfer_id BIGINT REFERENCES transfers (id),
  created_at_ms BIGINT NOT NULL,
  CHECK (debit_book_id <> credit_book_id)
);
CREATE INDEX transfers_by_debit_book ON transfers (debit_book_id, id);
CREATE INDEX transfers_by_credit_book ON transfers (credit_book_id, id);
CREATE INDEX transfers_by_reversed ON transfers (reverses_transfer_id)
  WHERE reverses_transfer_id IS NOT NULL;

CREATE TABLE reservations (
  id TEXT COLLATE "C" PRIMARY KEY,
  reference TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'committed', 'released', 'expired')),
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  closed_at_ms BIGINT
);
CREATE INDEX reservations_open_by_expiry ON reservations (expires_at_ms, id)
  WHERE state = 'open';

CREATE TABLE reservation_legs (
  reservation_id TEXT COLLATE "C" NOT NULL REFERENCES reservations (id),
  leg_index INTEGER NOT NULL,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  debit_book_id TEXT COLLATE "C" NOT NULL REFERENCES books (id),
  credit_book_id TEXT COLLATE "C" NOT NULL REFERENCES books (id),
  credit_account_id TEXT COLLATE "C" REFERENCES accounts (id),
  currency TEXT NOT NULL,
  pending_micros BIGINT NOT NULL CHECK (pending_micros >= 0),
  committed_micros BIGINT NOT NULL CHECK (committed_micros >= 0),
  PRIMARY KEY (reservation_id, leg_index)
);
CREATE INDEX reservation_legs_by_debit_book ON reservation_legs (debit_book_id);

CREATE TABLE spend_windows (
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  period_key TEXT NOT NULL,
  spent_micros BIGINT NOT NULL CHECK (spent_micros >= 0),
  PRIMARY KEY (account_id, period_key)
);

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  operation TEXT NOT NULL,
  request_json TEXT NOT NULL,
  outcome_json TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);

CREATE TABLE exchange_rates (
  from_currency TEXT NOT NULL,
  to_currency TEXT NOT NULL,
  valid_from_ms BIGINT NOT NULL,
  rate TEXT NOT NULL,
  PRIMARY KEY (from_currency, to_currency, valid_from_ms)
);
`,
  },
  postgresChargingMigration,
  postgresApiMigration,
  postgresRoutingMigration,
  postgresFraudMigration,
  postgresSwitchesMigration,
  postgresDiameterMigration,
  postgresEngineMigration,
  postgresApiKeyScopesMigration,
  postgresAuditMigration,
  postgresDeckPartsMigration,
  postgresBillingMigration,
  postgresOriginsEndedMigration,
  postgresStripeMigration,
  postgresDidMigration,
];
