import type { Migration } from '../shared/migration.ts';

/**
 * The audit trail (issue 14): one row per change made through the API, never changed or
 * removed. The triggers make that a property of the table, not only of the code (the code has
 * no UPDATE or DELETE of it). `scope_path` is the account's chain at the time of the change
 * ("/root/.../account/", "/" for the operator's own things); a subtree is a range of it.
 */
export const sqliteAuditMigration: Migration = {
  version: 10,
  name: 'audit',
  sql: `
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('operator', 'key')),
  actor_key_id TEXT,
  actor_account_id TEXT,
  action TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  account_id TEXT,
  scope_path TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT,
  request_id TEXT NOT NULL,
  CHECK ((actor_kind = 'key') = (actor_key_id IS NOT NULL)),
  CHECK ((actor_key_id IS NULL) = (actor_account_id IS NULL)),
  CHECK ((account_id IS NULL) = (scope_path = '/'))
) STRICT;
CREATE INDEX audit_log_by_scope ON audit_log (scope_path, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
`,
};
