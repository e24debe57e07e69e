import type { Migration } from '../shared/migration.ts';
import { stripeMigrationSql } from '../shared/stripe-migration-sql.ts';

/** Card payments through Stripe (issue 18): the tables in `shared/stripe-migration-sql.ts`. */
export const postgresStripeMigration: Migration = {
  version: 14,
  name: 'stripe',
  sql: stripeMigrationSql('postgres'),
};
