import type { Migration } from '../shared/migration.ts';

/**
 * The PostgreSQL twin of sqlite-audit-migration.ts. Ids and scope paths in the "C" collation,
 * so a subtree (a range of scope paths) is an index range in byte order. A trigger refuses
 * UPDATE, DELETE and TRUNCATE, whoever connects: the log is append-only.
 */
export const postgresAuditMigration: Migration = {
  version: 10,
  name: 'audit',
  sql: `
CREATE TABLE audit_log (
  id TEXT COLLATE "C" PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('operator', 'key')),
  actor_key_id TEXT COLLATE "C",
  actor_account_id TEXT COLLATE "C",
  action TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  account_id TEXT COLLATE "C",
  scope_path TEXT COLLATE "C" NOT NULL,
  before_json TEXT,
  after_json TEXT,
  request_id TEXT NOT NULL,
  CHECK ((actor_kind = 'key') = (actor_key_id IS NOT NULL)),
  CHECK ((actor_key_id IS NULL) = (actor_account_id IS NULL)),
  CHECK ((account_id IS NULL) = (scope_path = '/'))
);
CREATE INDEX audit_log_by_scope ON audit_log (scope_path, id);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
`,
};
