import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  closeAccountPeriod,
  creditInvoice,
  effectiveBillingSettings,
  emptyBillingSettings,
  parseIsoInstantMs,
  parseRatePercent,
  putBillingSettings,
  putTaxProfile,
  recordBillingPayment,
  type BillingDeps,
  type Invoice,
  type TaxTreatment,
} from '@tollgate/core';
import type { AppServices } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { parseMoney } from '../http/convert.ts';
import { csvContentType } from '../http/reply-csv.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import type { TypeBoxApp } from '../http/routes/route-types.ts';
import { IdParams, withProblems } from '../http/schemas/common-schemas.ts';
import type { Principal } from '../auth/api-keys.ts';
import {
  invoiceLinesCsv,
  storedTaxProfileId,
  toApiInvoice,
  toApiPayment,
  toApiSettings,
  toApiTaxProfile,
} from './billing-convert.ts';
import {
  BillingSettingsBody,
  BillingSettingsView,
  ClosePeriodBody,
  CreditNoteView,
  InvoiceList,
  InvoiceParams,
  InvoiceQuery,
  InvoiceView,
  PaymentBody,
  PaymentList,
  PaymentView,
  TaxProfileBody,
  TaxProfileList,
  TaxProfileParams,
  TaxProfileView,
} from './billing-schemas.ts';

const tags = ['billing'];

export function billingOf(services: AppServices): BillingDeps {
  if (services.billing === undefined) {
    throw httpProblem('service_unavailable', 'billing is not configured on this node');
  }
  return services.billing;
}

/**
 * Billing (issue 17). Invoices are read by the keys that reach their recipient (the recipient
 * itself, its issuer, and above): a reseller sees the invoices it issues (its customers are in
 * its subtree) and the ones it receives; a customer only its own. Anything else answers
 * `invoice_not_found`, like a missing invoice. Closing a period, recording a payment and a
 * credit note need a key strictly above the recipient (its issuer or higher).
 */
export const billingRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  registerSettings(app, services);
  registerTaxProfiles(app, services);
  registerInvoices(app, services);
  registerPayments(app, services);
};

/** The invoice when the key reaches its recipient; otherwise exactly like a missing one. */
async function visibleInvoice(services: AppServices, principal: Principal, invoiceId: string,
  reach: 'subtree' | 'descendants'): Promise<Invoice> {
  const invoice = await billingOf(services).store.findInvoice(invoiceId);
  const missing = httpProblem('invoice_not_found', `no invoice ${invoiceId.slice(0, 200)}`);
  if (invoice === null) throw missing;
  const reached = await services.access.account(principal, invoice.recipient.accountId, reach);
  if (!reached.ok) {
    if (reached.code === 'forbidden') throw httpProblem('forbidden', reached.message);
    throw missing;
  }
  return invoice;
}

function registerSettings(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/accounts/:id/billing-settings', {
    schema: { operationId: 'getBillingSettings', tags, summary: 'Billing settings, own and ' +
      'in force (inherited from the nearest ancestor)', params: IdParams,
    response: withProblems({ 200: BillingSettingsView }) },
  }, async (request) => {
    const billing = billingOf(services);
    const chain = unwrap(await services.access.account(principalOf(request),
      request.params.id, 'subtree'));
    const ids = chain.map((account) => account.id);
    const stored = await billing.store.findSettings(ids);
    const own = stored.find((entry) => entry.accountId === request.params.id) ??
      emptyBillingSettings(request.params.id, 0);
    return toApiSettings(own, effectiveBillingSettings(ids, stored));
  });

  app.put('/v1/accounts/:id/billing-settings', {
    schema: { operationId: 'putBillingSettings', tags, summary: 'Set an account\'s billing ' +
      '(its issuer or above)', params: IdParams, body: BillingSettingsBody,
    response: withProblems({ 200: BillingSettingsView }) },
  }, async (request) => {
    const billing = billingOf(services);
    const { id } = request.params;
    const { body } = request;
    const chain = unwrap(await services.access.account(principalOf(request), id,
      'descendants'));
    const parentId = chain[1]?.id ?? '';
    const before = (await billing.store.findSettings([id]))[0] ?? null;
    const saved = unwrap(await putBillingSettings(billing, { accountId: id,
      cycle: body.cycle === null ? null : { kind: body.cycle.kind,
        anchorDay: body.cycle.anchor_day ?? null,
        anchorWeekday: body.cycle.anchor_weekday ?? null },
      paymentTermsDays: body.payment_terms_days,
      taxProfileId: body.tax_profile_id === null ? null
        : storedTaxProfileId(parentId, body.tax_profile_id),
      invoicePrefix: body.invoice_prefix, legalName: body.legal_name, address: body.address,
      taxId: body.tax_id }));
    const ids = chain.map((account) => account.id);
    const view = toApiSettings(saved, effectiveBillingSettings(ids,
      await billing.store.findSettings(ids)));
    await services.audit.record(request, { action: 'billing_settings_put', subjectId: id,
      accountId: id, before: before === null ? null : toApiSettings(before,
        effectiveBillingSettings([id], [before])).own, after: view.own });
    return view;
  });
}

function registerTaxProfiles(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/accounts/:id/tax-profiles', {
    schema: { operationId: 'listTaxProfiles', tags, summary: 'The tax profiles an issuer ' +
      'applies to its accounts', params: IdParams,
    response: withProblems({ 200: TaxProfileList }) },
  }, async (request) => {
    unwrap(await services.access.account(principalOf(request), request.params.id, 'subtree'));
    const profiles = await billingOf(services).store.listTaxProfiles(request.params.id);
    return { tax_profiles: profiles.map(toApiTaxProfile) };
  });

  app.put('/v1/accounts/:id/tax-profiles/:profile_id', {
    schema: { operationId: 'putTaxProfile', tags, summary: 'Create or replace a tax profile',
      params: TaxProfileParams, body: TaxProfileBody,
      response: withProblems({ 200: TaxProfileView }) },
  }, async (request) => {
    const { id, profile_id: profileId } = request.params;
    const { body } = request;
    unwrap(await services.access.account(principalOf(request), id, 'subtree'));
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(profileId)) {
      throw httpProblem('invalid_tax_profile', 'a profile id is 1..64 of A-Z a-z 0-9 _ . -');
    }
    const rates = body.rates.map((rate) => ({ name: rate.name,
      ratePpm: unwrap(parseRatePercent(rate.percent)) }));
    const billing = billingOf(services);
    const storedId = storedTaxProfileId(id, profileId);
    const before = await billing.store.findTaxProfile(storedId);
    const saved = unwrap(await putTaxProfile(billing, { id: storedId, ownerAccountId: id,
      name: body.name, treatment: body.treatment as TaxTreatment,
      pricesIncludeTax: body.prices_include_tax, rates, note: body.note }));
    await services.audit.record(request, { action: 'tax_profile_put', subjectId: storedId,
      accountId: id, before: before === null ? null : toApiTaxProfile(before),
      after: toApiTaxProfile(saved) });
    return toApiTaxProfile(saved);
  });
}

function registerInvoices(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/invoices', {
    schema: { operationId: 'listInvoices', tags, summary: 'Invoices an account issues or ' +
      'receives (the key\'s own account unless account_id is named)', querystring: InvoiceQuery,
    response: withProblems({ 200: InvoiceList }) },
  }, async (request) => {
    const { query } = request;
    const scope = unwrap(await services.access.listingScope(principalOf(request),
      query.account_id));
    const limit = query.limit ?? 50;
    const invoices = await billingOf(services).store.listInvoices({ partyAccountId: scope,
      afterId: query.after ?? null, limit });
    const nowMs = services.clock.nowMs();
    return { invoices: invoices.map((invoice) => toApiInvoice(invoice, nowMs)),
      next_after: invoices.length === limit ? invoices.at(-1)!.id : null };
  });

  app.get('/v1/invoices/:invoice_id', {
    schema: { operationId: 'getInvoice', tags, summary: 'One invoice or credit note ' +
      '(?format=csv: its lines)', produces: ['application/json', 'text/csv'],
    params: InvoiceParams,
    querystring: InvoiceQuery, response: withProblems({ 200: InvoiceView }) },
  }, async (request, reply) => {
    const invoice = await visibleInvoice(services, principalOf(request),
      request.params.invoice_id, 'subtree');
    if (request.query.format === 'csv') {
      reply.type(csvContentType);
      // A string with a non-JSON content type is sent as it is, past the JSON schema of 200.
      return invoiceLinesCsv(invoice) as never;
    }
    return toApiInvoice(invoice, services.clock.nowMs());
  });

  app.post('/v1/accounts/:id/billing-periods/close', {
    schema: { operationId: 'closeBillingPeriod', tags, summary: 'Close a period now: the ' +
      'invoice from the parent (409 period_already_closed the second time)', params: IdParams,
    body: ClosePeriodBody, response: withProblems({ 201: InvoiceView }) },
  }, async (request, reply) => {
    const { id } = request.params;
    unwrap(await services.access.account(principalOf(request), id, 'descendants'));
    const period = request.body?.period;
    const invoice = unwrap(await closeAccountPeriod(billingOf(services),
      period === undefined ? { accountId: id } : { accountId: id, periodKey: period }));
    const view = toApiInvoice(invoice, services.clock.nowMs());
    await services.audit.record(request, { action: 'period_closed', subjectId: invoice.id,
      accountId: id, before: null, after: { number: view.number, total: view.total } });
    reply.code(201);
    return view;
  });

  app.post('/v1/invoices/:invoice_id/credit-note', {
    schema: { operationId: 'creditInvoice', tags, summary: 'Void an unpaid invoice with a ' +
      'credit note (refunds its charges through the ledger)', params: InvoiceParams,
    response: withProblems({ 201: CreditNoteView }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const invoice = await visibleInvoice(services, principal, request.params.invoice_id,
      'descendants');
    const credited = unwrap(await creditInvoice(billingOf(services), invoice.id));
    const nowMs = services.clock.nowMs();
    await services.audit.record(request, { action: 'invoice_credited', subjectId: invoice.id,
      accountId: invoice.recipient.accountId, before: { status: invoice.status },
      after: { status: 'void', credit_note: credited.creditNote.number } });
    reply.code(201);
    return { credit_note: toApiInvoice(credited.creditNote, nowMs),
      invoice: toApiInvoice(credited.invoice, nowMs) };
  });
}

function registerPayments(app: TypeBoxApp, services: AppServices): void {
  app.post('/v1/accounts/:id/payments', {
    schema: { operationId: 'recordPayment', tags, summary: 'Record a payment (idempotent by ' +
      'reference), allocated to the oldest open invoices or the ones named', params: IdParams,
    body: PaymentBody, response: withProblems({ 200: PaymentView, 201: PaymentView }) },
  }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    unwrap(await services.access.account(principalOf(request), id, 'descendants'));
    const amountMicros = unwrap(parseMoney(body.amount, 'amount'));
    const receivedAtMs = body.received_at === undefined ? services.clock.nowMs()
      : unwrap(parseIsoInstantMs(body.received_at));
    const outcome = unwrap(await recordBillingPayment(billingOf(services), { accountId: id,
      method: body.method, reference: body.reference, currency: body.currency, amountMicros,
      receivedAtMs, ...(body.invoice_ids === undefined ? {} : { invoiceIds: body.invoice_ids }) }));
    const view = toApiPayment(outcome.payment, outcome.replayed);
    if (!outcome.replayed) {
      await services.audit.record(request, { action: 'payment_recorded',
        subjectId: outcome.payment.id, accountId: id, before: null, after: view });
    }
    reply.code(outcome.replayed ? 200 : 201);
    return view;
  });

  app.get('/v1/accounts/:id/payments', {
    schema: { operationId: 'listPayments', tags, summary: 'Payments recorded for an account',
      params: IdParams, querystring: InvoiceQuery,
    response: withProblems({ 200: PaymentList }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await services.access.account(principalOf(request), id, 'subtree'));
    const payments = await billingOf(services).store.listPayments({ accountId: id,
      afterId: request.query.after ?? null, limit: request.query.limit ?? 50 });
    return { payments: payments.map((payment) => toApiPayment(payment, false)) };
  });
}
