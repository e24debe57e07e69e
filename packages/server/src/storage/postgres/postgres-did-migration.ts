import { didMigrationSql } from '../shared/did-migration-sql.ts';
import type { Migration } from '../shared/migration.ts';

/** DID numbers (issue 18): the tables in `shared/did-migration-sql.ts`. */
export const postgresDidMigration: Migration = {
  version: 15,
  name: 'dids',
  sql: didMigrationSql('postgres'),
};
