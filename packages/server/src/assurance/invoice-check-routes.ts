import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  carrierFileColumnsDefault,
  checkCarrierInvoice,
  micros,
  parseCarrierFile,
} from '@tollgate/core';
import type { AppServices, HttpConfig } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { managedCarrier } from '../http/carrier-names.ts';
import { parseMoney } from '../http/convert.ts';
import { unwrap } from '../http/http-problem.ts';
import { acceptCsvBodies } from '../http/reply-csv.ts';
import { withProblems } from '../http/schemas/common-schemas.ts';
import { CsvBody } from '../http/schemas/deck-schemas.ts';
import { tenantIdsOf } from '../http/tenant-ids.ts';
import { assuranceOf, periodOf } from './assurance-routes.ts';
import {
  InvoiceCheckParams,
  InvoiceCheckQuery,
  InvoiceCheckView,
} from './assurance-schemas.ts';
import { toApiInvoiceCheck } from './invoice-check-convert.ts';

/**
 * The carrier invoice check (issue 20): the carrier's CDR file (CSV, columns named in the
 * query) against the calls we routed to it. Only reads; the carrier's manager (the operator
 * or its root's key) may run it. The file may be as large as a deck upload.
 */
export const invoiceCheckRoutes: FastifyPluginAsyncTypebox<{
  services: AppServices;
  config: HttpConfig;
}> = async (app, { services, config }) => {
  acceptCsvBodies(app);

  app.post('/v1/carriers/:carrier_id/invoice-check', {
    bodyLimit: config.deckBodyBytesMax,
    schema: { operationId: 'checkCarrierInvoice', tags: ['assurance'],
      summary: 'Match a carrier\'s CDR file to the calls routed to it: matched, mispriced, ' +
        'missing on either side, sums per destination', consumes: ['text/csv'],
      params: InvoiceCheckParams, querystring: InvoiceCheckQuery,
      body: CsvBody, response: withProblems({ 200: InvoiceCheckView }) },
  }, async (request) => {
    const principal = principalOf(request);
    const { query } = request;
    const carrier = await managedCarrier(services, principal, request.params.carrier_id);
    const { fromMs, toMs } = periodOf(query);
    const records = unwrap(parseCarrierFile(request.body, {
      time: query.time_column ?? carrierFileColumnsDefault.time,
      caller: query.caller_column ?? carrierFileColumnsDefault.caller,
      callee: query.callee_column ?? carrierFileColumnsDefault.callee,
      duration: query.duration_column ?? carrierFileColumnsDefault.duration,
      cost: query.cost_column ?? carrierFileColumnsDefault.cost }));
    const costTolerance = query.cost_tolerance === undefined ? micros(0n)
      : unwrap(parseMoney(query.cost_tolerance, 'cost_tolerance'));
    const check = unwrap(await checkCarrierInvoice(assuranceOf(services), {
      rootAccountId: carrier.rootAccountId, carrierId: carrier.id, fromMs, toMs, records,
      settings: { timeWindowMs: (query.time_window_s ?? 60) * 1_000,
        durationToleranceSeconds: query.duration_tolerance_s ?? 2,
        costToleranceMicros: costTolerance } }));
    const ids = tenantIdsOf(principal);
    return toApiInvoiceCheck(check, { carrierId: request.params.carrier_id, fromMs, toMs },
      (id) => ids.shown(id));
  });
};
