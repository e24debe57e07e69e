import {
  assert,
  billingLimits,
  micros,
  type BillingStore,
  type Cdr,
  type Invoice,
  type NewInvoice,
  invoiceNumber,
  type OpenInvoice,
} from '@tollgate/core';
import type { WithRunner } from '../storage/shared/api-store-sql.ts';
import { fromDbCdr, type CdrRow } from '../storage/shared/charging-mapping.ts';
import { fromDbTransfer, type TransferRow } from '../storage/shared/ledger-mapping.ts';
import type { SqlRunner } from '../storage/shared/sql-runner.ts';
import {
  fromDbInvoice,
  fromDbPayment,
  fromDbSettings,
  fromDbTaxProfile,
  toDbInvoice,
  toDbLine,
  toDbPayment,
  toDbSettings,
  toDbTaxProfile,
  type InvoiceRow,
  type LineRow,
  type PaymentRow,
  type SettingsRow,
  type TaxProfileRow,
} from './billing-mapping.ts';
import { billingSql as sql, cdrLookupBatch } from './billing-sql.ts';

export interface BillingDialect {
  /** Runs `work` in one database transaction. */
  readonly transaction: WithRunner;
  /** Appended to the read of open invoices a payment allocates over: a row lock, or ''. */
  readonly lockForUpdate: string;
}

async function loadInvoice(runner: SqlRunner, row: InvoiceRow): Promise<Invoice> {
  const lines = await runner.all<LineRow>(sql.lines, [row.id]);
  const covered = await runner.all<{ transfer_id: number | bigint }>(sql.coveredIds, [row.id]);
  return fromDbInvoice(row, lines, covered.map((entry) => BigInt(entry.transfer_id)));
}

async function findInvoiceWith(runner: SqlRunner, query: string, params: unknown[]) {
  const [row] = await runner.all<InvoiceRow>(query, params);
  return row === undefined ? null : loadInvoice(runner, row);
}

/** Numbers a new document and writes it with its lines and covered transfers. */
async function writeDocument(runner: SqlRunner, draft: NewInvoice): Promise<Invoice> {
  const [next] = await runner.all<{ last_sequence: number | bigint }>(sql.nextSequence,
    [draft.issuer.accountId, draft.sequenceYear]);
  assert(next !== undefined, 'the sequence answers its new value');
  const sequence = Number(next.last_sequence);
  const invoice: Invoice = { ...draft, sequence, creditedByInvoiceId: null,
    number: invoiceNumber(draft.numberPrefix, draft.sequenceYear, sequence),
    status: draft.kind === 'credit_note' || draft.amounts.totalMicros > 0n ? 'issued' : 'paid',
    paidMicros: micros(0n) };
  await runner.run(sql.insertInvoice, toDbInvoice(invoice));
  for (const [index, line] of invoice.amounts.lines.entries()) {
    await runner.run(sql.insertLine, toDbLine(invoice.id, index, line));
  }
  for (const transferId of invoice.transferIds) {
    await runner.run(sql.insertCovered, [transferId, invoice.id]);
  }
  return invoice;
}

export function billingStoreOver(dialect: BillingDialect): BillingStore {
  const { transaction } = dialect;
  const read = <T>(work: (runner: SqlRunner) => Promise<T>) =>
    transaction(work, { readOnly: true });
  return {
    findSettings: (ids) => read(async (runner) => {
      const found = [];
      for (const id of ids) {
        const [row] = await runner.all<SettingsRow>(sql.findSettings, [id]);
        if (row !== undefined) found.push(fromDbSettings(row));
      }
      return found;
    }),
    saveSettings: (settings) => transaction((runner) =>
      runner.run(sql.saveSettings, toDbSettings(settings))),
    saveTaxProfile: (profile) => transaction((runner) =>
      runner.run(sql.saveTaxProfile, toDbTaxProfile(profile))),
    findTaxProfile: (id) => read(async (runner) => {
      const [row] = await runner.all<TaxProfileRow>(sql.findTaxProfile, [id]);
      return row === undefined ? null : fromDbTaxProfile(row);
    }),
    listTaxProfiles: (ownerId) => read(async (runner) =>
      (await runner.all<TaxProfileRow>(sql.listTaxProfiles, [ownerId])).map(fromDbTaxProfile)),
    listPeriodTransfers: (query) => read(async (runner) => (await runner.all<TransferRow>(
      sql.periodTransfers, [query.payerBookId, query.payeeBookId, query.payeeBookId,
        query.payerBookId, query.fromMs, query.toMs, query.afterId ?? 0n, query.limit]))
      .map(fromDbTransfer)),
    findCdrsBySessions: (sessionIds) => read(async (runner) => {
      const cdrs: Cdr[] = [];
      for (let start = 0; start < sessionIds.length; start += cdrLookupBatch) {
        const batch = sessionIds.slice(start, start + cdrLookupBatch);
        const padded = Array.from({ length: cdrLookupBatch }, (_, index) =>
          batch[index] ?? batch[0]);
        cdrs.push(...(await runner.all<CdrRow>(sql.cdrsBySessions, padded)).map(fromDbCdr));
      }
      return cdrs;
    }),
    listEndedCdrs: (query) => read(async (runner) => (await runner.all<CdrRow>(sql.endedCdrs,
      [query.accountId, query.fromMs, query.toMs, query.afterId ?? '', query.limit]))
      .map(fromDbCdr)),
    listInvoicedAccounts: (page) => read(async (runner) => (await runner.all<{ id: string }>(
      sql.invoicedAccounts, [page.afterId ?? '', page.limit])).map((row) => row.id)),
    insertInvoice: (draft) => transaction(async (runner) => {
      const [existing] = await runner.all<InvoiceRow>(sql.periodInvoice,
        [draft.recipient.accountId, draft.periodStartMs]);
      if (existing !== undefined) return { status: 'period_closed', invoiceId: existing.id };
      return { status: 'created', invoice: await writeDocument(runner, draft) };
    }),
    findInvoice: (id) => read((runner) => findInvoiceWith(runner, sql.findInvoice, [id])),
    findPeriodInvoice: (accountId, startMs) => read((runner) =>
      findInvoiceWith(runner, sql.periodInvoice, [accountId, startMs])),
    findLastInvoice: (accountId) => read((runner) =>
      findInvoiceWith(runner, sql.lastInvoice, [accountId])),
    listInvoiceTransfers: (invoiceId) => read(async (runner) =>
      (await runner.all<TransferRow>(sql.coveredTransfers, [invoiceId])).map(fromDbTransfer)),
    listInvoices: (query) => read(async (runner) => {
      const recipient = query.recipientAccountId ?? null;
      const rows = await runner.all<InvoiceRow>(sql.listInvoices, [query.partyAccountId,
        query.partyAccountId, recipient, recipient, query.afterId ?? '', query.limit]);
      const invoices = [];
      for (const row of rows) invoices.push(await loadInvoice(runner, row));
      return invoices;
    }),
    insertCreditNote: (draft) => transaction(async (runner) => {
      assert(draft.creditsInvoiceId !== null, 'a credit note names its invoice');
      const voided = await runner.all(sql.voidInvoice, [draft.id, draft.creditsInvoiceId]);
      if (voided.length === 0) return { status: 'not_voidable' };
      return { status: 'created', invoice: await writeDocument(runner, draft) };
    }),
    findPayment: (accountId, reference) => read(async (runner) => {
      const [row] = await runner.all<PaymentRow>(sql.findPayment, [accountId, reference]);
      if (row === undefined) return null;
      return fromDbPayment(row, await runner.all(sql.paymentAllocations, [row.id]));
    }),
    insertPayment: (payment, plan) => transaction(async (runner) => {
      const rows = await runner.all<{ id: string; issued_at_ms: number | bigint;
        sequence: number | bigint; total_micros: number | bigint; paid_micros: number | bigint }>(
        `${sql.openInvoices}${dialect.lockForUpdate}`,
        [payment.accountId, billingLimits.allocationInvoicesMax]);
      const open: OpenInvoice[] = rows.map((row) => ({ invoiceId: row.id,
        issuedAtMs: Number(row.issued_at_ms), sequence: Number(row.sequence),
        openMicros: micros(BigInt(row.total_micros) - BigInt(row.paid_micros)) }));
      const allocation = plan(open);
      const stored = { ...payment, allocations: allocation.allocations,
        creditMicros: allocation.creditMicros };
      await runner.run(sql.insertPayment, toDbPayment(stored));
      for (const entry of allocation.allocations) {
        await runner.run(sql.insertAllocation, [payment.id, entry.invoiceId, entry.amountMicros]);
        const paid = await runner.all(sql.payInvoice, [entry.amountMicros, entry.amountMicros,
          entry.invoiceId, entry.amountMicros]);
        assert(paid.length === 1, 'an allocation never pays an invoice past its total');
      }
      return stored;
    }),
    listPayments: (query) => read(async (runner) => {
      const rows = await runner.all<PaymentRow>(sql.listPayments, [query.accountId,
        query.afterId ?? '', query.limit]);
      const payments = [];
      for (const row of rows) {
        payments.push(fromDbPayment(row, await runner.all(sql.paymentAllocations, [row.id])));
      }
      return payments;
    }),
    acquireLease: (lease) => transaction(async (runner) => (await runner.all(sql.acquireLease,
      [lease.name, lease.holder, lease.untilMs, lease.nowMs])).length === 1),
  };
}

