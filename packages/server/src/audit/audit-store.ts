import type { AuditAction, AuditEntry } from './audit-entry.ts';

export interface AuditQuery {
  /** Entries whose scope path starts with this one: the account's subtree. */
  readonly scopePath: string;
  readonly action?: AuditAction;
  /** The last id of the previous page. */
  readonly afterId?: string;
  readonly limit: number;
}

/**
 * The audit log's port: append and list, nothing else. There is deliberately no way to change
 * or remove an entry through it (and the tables refuse UPDATE and DELETE besides).
 */
export interface AuditStore {
  append(entry: AuditEntry): Promise<void>;
  /** Oldest first, by id. */
  list(query: AuditQuery): Promise<AuditEntry[]>;
}
