import { randomBytes } from 'node:crypto';
import type { Clock, LedgerService } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../auth/api-keys.ts';
import {
  auditDocumentOf,
  auditIdOf,
  noScopePath,
  scopePathOf,
  subjectKindOf,
  type AuditAction,
  type AuditActor,
  type AuditEntry,
} from './audit-entry.ts';
import type { AuditQuery, AuditStore } from './audit-store.ts';

/** A change a route made, as it records it: the views it showed before and after. */
export interface AuditChange {
  readonly action: AuditAction;
  readonly subjectId: string;
  /** The account whose tree the change is in; null for the operator's own things. */
  readonly accountId: string | null;
  /** The subject as the API shows it (null: it did not exist, or was not read). */
  readonly before: unknown;
  readonly after: unknown;
}

/** What the recorder needs of a Fastify request (a narrow type, so tests can fake it). */
export interface AuditRequest {
  readonly id: string;
  readonly principal: Principal | null;
  readonly log: Pick<FastifyBaseLogger, 'error'>;
}

export interface AuditTrail {
  /**
   * Appends one entry for a change that has succeeded. Never throws: the change is already
   * committed and stays; a lost entry is logged at error level with everything it held.
   */
  record(request: AuditRequest, change: AuditChange): Promise<void>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}

const randomBytesPerId = 6;

/**
 * The audit trail of the API. Recording happens after the change, in a transaction of its own
 * (not in the change's): the changes commit in many places (the charging engine's batches, the
 * key, deck, fraud and routing stores), none of which takes a foreign write, and the audit must
 * stay off the charging path. The price is a window: a crash between the change and its entry
 * loses the entry; a failed write is logged with the entry's content.
 */
export function createAuditTrail(deps: {
  store: AuditStore;
  ledger: Pick<LedgerService, 'getAccountChain'>;
  clock: Clock;
}): AuditTrail {
  let sequence = 0;
  const scopePathFor = async (accountId: string | null): Promise<string> => {
    if (accountId === null) return noScopePath;
    const chain = await deps.ledger.getAccountChain(accountId);
    if (!chain.ok) throw new Error(`no chain for ${accountId}: ${chain.message}`);
    return scopePathOf(chain.value.map((account) => account.id));
  };
  const entryOf = async (request: AuditRequest, change: AuditChange): Promise<AuditEntry> => {
    const atMs = deps.clock.nowMs();
    sequence += 1;
    return { id: auditIdOf({ atMs, sequence, random: randomBytes(randomBytesPerId)
      .toString('hex') }), atMs, actor: actorOf(request.principal), action: change.action,
    subject: { kind: subjectKindOf(change.action), id: change.subjectId },
    accountId: change.accountId, scopePath: await scopePathFor(change.accountId),
    before: auditDocumentOf(change.before), after: auditDocumentOf(change.after),
    requestId: request.id };
  };
  return {
    record: async (request, change) => {
      try {
        await deps.store.append(await entryOf(request, change));
      } catch (error) {
        request.log.error({ err: error, code: 'audit_entry_lost', audit: lostEntryOf(request,
          change) }, 'audit entry lost: the change is done, its audit entry was not recorded');
      }
    },
    list: (query) => deps.store.list(query),
  };
}

function actorOf(principal: Principal | null): AuditActor {
  if (principal === null) throw new Error('an audited change without an authenticated key');
  return principal.kind === 'operator' ? { kind: 'operator' }
    : { kind: 'key', keyId: principal.keyId, accountId: principal.accountId };
}

/**
 * What the log keeps of an entry that could not be stored, so it can be put back by hand. The
 * documents go through the same secret check as stored ones: one that fails it (a bug) is left
 * out rather than written to the log.
 */
function lostEntryOf(request: AuditRequest, change: AuditChange) {
  const documentOf = (view: unknown) => {
    try {
      return auditDocumentOf(view);
    } catch {
      return '(left out: not a storable audit document)';
    }
  };
  return { action: change.action, subjectId: change.subjectId, accountId: change.accountId,
    requestId: request.id, actor: request.principal === null ? null : actorOf(request.principal),
    before: documentOf(change.before), after: documentOf(change.after) };
}
