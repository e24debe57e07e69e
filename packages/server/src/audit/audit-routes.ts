import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatIsoInstant } from '@tollgate/core';
import type { Static } from 'typebox';
import type { Principal } from '../auth/api-keys.ts';
import type { AppServices } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { unwrap } from '../http/http-problem.ts';
import { withProblems } from '../http/schemas/common-schemas.ts';
import { tenantIdsOf } from '../http/tenant-ids.ts';
import { actorVisibleTo, scopePathOf, type AuditEntry } from './audit-entry.ts';
import { AuditPage, AuditQuery, auditPageLimits, type AuditEntryView } from './audit-schemas.ts';

/**
 * The audit trail of a subtree, oldest first, paged by id. Scoped like `GET /v1/cdrs`: a key
 * lists its own subtree or one below it (another tree's account answers like a missing one);
 * the operator key names the account.
 */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.get('/v1/audit', {
    schema: { operationId: 'listAudit', tags: ['audit'],
      summary: 'Who changed what in an account\'s subtree, with before and after',
      querystring: AuditQuery, response: withProblems({ 200: AuditPage }) },
  }, async (request) => {
    const { query } = request;
    const principal = principalOf(request);
    const limit = query.limit ?? auditPageLimits.pageSizeDefault;
    const scope = unwrap(await services.access.listingScope(principal, query.account_id));
    const chain = unwrap(await services.ledger.getAccountChain(scope));
    const entries = await services.audit.list({ limit,
      scopePath: scopePathOf(chain.map((account) => account.id)),
      ...(query.action === undefined ? {} : { action: query.action }),
      ...(query.after === undefined ? {} : { afterId: query.after }) });
    const last = entries.at(-1);
    return { entries: entries.map((entry) => toApiAuditEntry(entry, principal)),
      next_after: entries.length === limit && last !== undefined ? last.id : null };
  });
};

function toApiAuditEntry(entry: AuditEntry, viewer: Principal): Static<typeof AuditEntryView> {
  const { actor } = entry;
  const shown = viewer.kind === 'operator' || actorVisibleTo(entry, viewer.accountId);
  return { id: entry.id, at: formatIsoInstant(entry.atMs),
    actor: actor.kind === 'key' && shown
      ? { kind: 'key', key_id: actor.keyId, account_id: actor.accountId }
      : { kind: shown ? 'operator' : 'upstream', key_id: null, account_id: null },
    action: entry.action,
    subject: { kind: entry.subject.kind, id: tenantIdsOf(viewer).shown(entry.subject.id) },
    account_id: entry.accountId, before: entry.before, after: entry.after,
    request_id: entry.requestId };
}
