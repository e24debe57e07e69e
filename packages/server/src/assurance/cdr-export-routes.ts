import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppServices } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import { csvContentType } from '../http/reply-csv.ts';
import { withProblems } from '../http/schemas/common-schemas.ts';
import { tenantIdsOf } from '../http/tenant-ids.ts';
import { cdrForKey } from '../http/tenant-view.ts';
import { periodOf } from './assurance-routes.ts';
import { CdrExportQuery } from './assurance-schemas.ts';
import { cdrCsvChunks, exportLayout } from './cdr-export.ts';

/** CDR exchange (issue 20): the export, streamed. Reach: the key's subtree, like `/v1/cdrs`. */
export const cdrExportRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.get('/v1/cdrs/export', {
    schema: { operationId: 'exportCdrs', tags: ['cdrs'], summary: 'Every CDR of a subtree ' +
      'ended in a period, streamed as CSV: Tollgate columns (chosen or all), CGRateS-style or ' +
      'ASTPP-style', description: 'Streams page by page in bounded memory, however many rows. ' +
      'Levels above the key and the carriers of another\'s root are never in it.',
    produces: ['text/csv'], querystring: CdrExportQuery,
    response: withProblems({ 200: Type.String() }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { query } = request;
    const scopeAccountId = unwrap(await services.access.listingScope(principal,
      query.account_id));
    const { fromMs, toMs } = periodOf(query);
    const format = query.format ?? 'csv';
    const layout = exportLayout(format, query.columns === undefined ? null
      : query.columns.split(',').map((name) => name.trim()));
    if (!layout.ok) throw httpProblem('validation_failed', layout.message);
    const ids = tenantIdsOf(principal);
    const chunks = cdrCsvChunks({ ...layout, shown: (id) => ids.shown(id),
      view: (cdr) => cdrForKey(cdr, principal), pageSize: exportPageSize,
      listPage: async (afterId) => unwrap(await services.charging.listCdrs({ scopeAccountId,
        fromMs, toMs, limit: exportPageSize, ...(afterId === undefined ? {} : { afterId }) })) });
    reply.type(csvContentType);
    reply.header('content-disposition', `attachment; filename="cdrs-${format}.csv"`);
    // A stream is sent as it is read, past the JSON schema of 200.
    return reply.send(Readable.from(chunks) as never);
  });
};

/** CDRs read per page of an export. */
const exportPageSize = 1_000;
