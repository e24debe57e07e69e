import { billingMigrationSql } from '../shared/billing-migration-sql.ts';
import type { Migration } from '../shared/migration.ts';

/** Billing (issue 17): the tables in `shared/billing-migration-sql.ts`. */
export const postgresBillingMigration: Migration = {
  version: 12,
  name: 'billing',
  sql: billingMigrationSql('postgres'),
};
