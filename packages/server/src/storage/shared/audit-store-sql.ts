import type { AuditStore } from '../../audit/audit-store.ts';
import {
  subtreeRangeOf,
  type AuditAction,
  type AuditActor,
  type AuditEntry,
  type AuditJson,
  type AuditSubjectKind,
} from '../../audit/audit-entry.ts';
import type { WithRunner } from './api-store-sql.ts';

/**
 * The audit log written once over `SqlRunner` (migration 10 of each dialect). Only INSERT and
 * SELECT: the log is append-only, and the tables refuse UPDATE and DELETE with a trigger.
 * A subtree is a range of scope paths (`subtreeRangeOf`), served by the index
 * `audit_log (scope_path, id)` on both dialects (byte order: BINARY in SQLite, "C" in
 * PostgreSQL).
 */
const auditSql = {
  append: `INSERT INTO audit_log (id, at_ms, actor_kind, actor_key_id, actor_account_id, action,
    subject_kind, subject_id, account_id, scope_path, before_json, after_json, request_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  list: `SELECT * FROM audit_log WHERE scope_path >= ? AND scope_path < ?
    AND (CAST(? AS TEXT) IS NULL OR action = ?) AND id > ? ORDER BY id LIMIT ?`,
} as const;

interface AuditRow {
  id: string; at_ms: number | bigint; actor_kind: string; actor_key_id: string | null;
  actor_account_id: string | null; action: string; subject_kind: string; subject_id: string;
  account_id: string | null; scope_path: string; before_json: string | null;
  after_json: string | null; request_id: string;
}

function toDbAudit(entry: AuditEntry): unknown[] {
  const { actor } = entry;
  return [entry.id, entry.atMs, actor.kind, actor.kind === 'key' ? actor.keyId : null,
    actor.kind === 'key' ? actor.accountId : null, entry.action, entry.subject.kind,
    entry.subject.id, entry.accountId, entry.scopePath, jsonOrNull(entry.before),
    jsonOrNull(entry.after), entry.requestId];
}

function jsonOrNull(document: AuditJson): string | null {
  return document === null ? null : JSON.stringify(document);
}

function fromDbAudit(row: AuditRow): AuditEntry {
  const actor: AuditActor = row.actor_kind === 'key'
    ? { kind: 'key', keyId: row.actor_key_id ?? '', accountId: row.actor_account_id ?? '' }
    : { kind: 'operator' };
  return { id: row.id, atMs: Number(row.at_ms), actor, action: row.action as AuditAction,
    subject: { kind: row.subject_kind as AuditSubjectKind, id: row.subject_id },
    accountId: row.account_id, scopePath: row.scope_path,
    before: row.before_json === null ? null : JSON.parse(row.before_json) as AuditJson,
    after: row.after_json === null ? null : JSON.parse(row.after_json) as AuditJson,
    requestId: row.request_id };
}

export function auditStoreOver(withRunner: WithRunner): AuditStore {
  return {
    append: (entry) => withRunner((runner) => runner.run(auditSql.append, toDbAudit(entry))),
    list: async (query) => {
      const range = subtreeRangeOf(query.scopePath);
      const action = query.action ?? null;
      const rows = await withRunner((runner) => runner.all<AuditRow>(auditSql.list,
        [range.from, range.to, action, action, query.afterId ?? '', query.limit]),
      { readOnly: true });
      return rows.map(fromDbAudit);
    },
  };
}
