import {
  closeAccountPeriod,
  runScheduledClose,
  type Invoice,
} from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { account, storeKinds } from '../charging/charging-harness.ts';
import { ledgerLevelCharges, openBillingHarness, type BillingHarness } from
  './billing-harness.ts';
import { addCentDeck, call, reportCall, startCall } from './billing-kit.ts';

// Issue 17, must show: under a manual clock, a month of calls for a postpaid customer of a
// reseller of an admin gives three invoices (root -> admin, admin -> reseller, reseller ->
// customer) whose totals equal the ledger charges of the period exactly, per level; a call
// spanning the cut is in exactly one period; the scheduled close catches up and runs once.
const octStartMs = Date.parse('2026-10-01T00:00:00Z');
const novStartMs = Date.parse('2026-11-01T00:00:00Z');
const levels = [['cu', 'res'], ['res', 'adm'], ['adm', 'op']] as const;

describe.each(storeKinds)('a month of billing on %s', (kind) => {
  let harness: BillingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function chain() {
    addCentDeck(harness, 'carrier', { 44: '0.10', 49: '0.12' });
    addCentDeck(harness, 'wholesale', { 44: '0.15', 49: '0.25' });
    addCentDeck(harness, 'reseller', { 44: '0.20', 49: '0.30' });
    addCentDeck(harness, 'retail', { 44: '0.30', 49: '0.40' });
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null,
      deck: 'carrier' });
    await account(harness, { id: 'adm', tier: 'admin', parentId: 'op', mode: 'postpaid',
      creditLimit: '10000', deck: 'wholesale' });
    await account(harness, { id: 'res', tier: 'reseller', parentId: 'adm', mode: 'postpaid',
      creditLimit: '10000', deck: 'reseller' });
    await account(harness, { id: 'cu', tier: 'customer', parentId: 'res', mode: 'postpaid',
      creditLimit: '1000', deck: 'retail' });
  }

  async function month() {
    await call(harness, { sessionId: 'sep-1', accountId: 'cu', callee: '44207000',
      startText: '2026-09-30T13:00:00Z', seconds: 95 });
    for (let day = 1; day <= 28; day += 3) {
      await call(harness, { sessionId: `oct-${day}`, accountId: 'cu',
        callee: day % 2 === 0 ? '4930123' : '44207000',
        startText: `2026-10-${String(day).padStart(2, '0')}T10:00:00Z`, seconds: 30 + day * 7 });
    }
    // Two calls span the cut. cut-b reports a minute before it (that minute is posted in
    // October); cut-a reports nothing until its end (its one charge is posted after the cut).
    await startCall(harness, { sessionId: 'cut-b', accountId: 'cu', callee: '4930123',
      atText: '2026-10-31T23:58:50Z' });
    await startCall(harness, { sessionId: 'cut-a', accountId: 'cu', callee: '44207000',
      atText: '2026-10-31T23:59:40Z' });
    await reportCall(harness, { sessionId: 'cut-b', requestNumber: 1, usedSeconds: 60,
      atText: '2026-10-31T23:59:50Z', end: false });
    await reportCall(harness, { sessionId: 'cut-b', requestNumber: 2, usedSeconds: 90,
      atText: '2026-11-01T00:00:20Z', end: true });
    await reportCall(harness, { sessionId: 'cut-a', requestNumber: 1, usedSeconds: 50,
      atText: '2026-11-01T00:00:30Z', end: true });
  }

  function periodInvoice(invoices: readonly Invoice[], accountId: string, startMs: number) {
    const found = invoices.filter((invoice) => invoice.recipient.accountId === accountId &&
      invoice.periodStartMs === startMs);
    expect(found).toHaveLength(1);
    return found[0]!;
  }

  it('three invoices per period equal the ledger per level; the cut call is in one', async () => {
    harness = await openBillingHarness(kind, { startMs: Date.parse('2026-09-30T12:00:00Z'),
      charging: { sliceSeconds: 600 } });
    await chain();
    await month();
    // When the scheduled close runs after the close delay past the cut
    harness.clock.setMs(novStartMs + 10 * 60_000);
    const report = await runScheduledClose(harness.billing, { holder: 'node-a', leaseMs: 60_000 });
    // Then September (the accounts' first period) and October are closed for all three levels
    expect(report).toMatchObject({ ran: true, accountsVisited: 3, invoicesClosed: 6,
      refused: [] });
    const invoices: Invoice[] = [];
    for (const id of ['adm', 'res', 'cu']) {
      invoices.push(...await harness.billing.store.listInvoices({ partyAccountId: id,
        recipientAccountId: id, afterId: null, limit: 100 }));
    }
    const covered = new Set<bigint>();
    for (const [accountId, parentId] of levels) {
      for (const [fromMs, toMs] of [[Date.parse('2026-09-01T00:00:00Z'), octStartMs],
        [octStartMs, novStartMs]] as const) {
        const invoice = periodInvoice(invoices, accountId, fromMs);
        const ledger = await ledgerLevelCharges(harness, { accountId, parentId, fromMs, toMs });
        expect(invoice.issuer.accountId).toBe(parentId);
        expect(ledger.totalMicros).toBeGreaterThan(0n);
        // Exactly the ledger's charges: the exact sum and (whole cents, untaxed) the total
        expect(invoice.amounts.chargedMicros).toBe(ledger.totalMicros);
        expect(invoice.amounts.totalMicros).toBe(ledger.totalMicros);
        expect([...invoice.transferIds].sort()).toEqual(
          ledger.transfers.map((transfer) => transfer.id).sort());
        for (const id of invoice.transferIds) {
          expect(covered.has(id)).toBe(false);
          covered.add(id);
        }
      }
    }
    // The calls that span the cut are charged after it: on no October invoice, counted in none
    const october = periodInvoice(invoices, 'cu', octStartMs);
    const lines = october.amounts.lines.map((line) => [line.description, line.calls,
      line.billedSeconds]);
    // 37, 79, 121, 163, 205 s to the UK and 58, 100, 142, 184, 226 s to Germany, billed per
    // started minute; cut-b's first minute is Germany's money in October, its call November's
    expect(lines).toEqual([['United Kingdom', 5, 780], ['Germany', 5, 840]]);
    expect(october.amounts.lines.map((line) => line.amountMicros)).toEqual(
      [13n * 300_000n, (14n + 1n) * 400_000n]);
    const afterCut = await ledgerLevelCharges(harness, { accountId: 'cu', parentId: 'res',
      fromMs: novStartMs, toMs: novStartMs + 86_400_000 });
    expect(afterCut.transfers.length).toBe(2);
    for (const transfer of afterCut.transfers) expect(covered.has(transfer.id)).toBe(false);
    // Numbers: gap-free per issuer and year
    const byReseller = invoices.filter((invoice) => invoice.issuer.accountId === 'res')
      .map((invoice) => invoice.number).sort();
    expect(byReseller).toEqual(['INV-2026-000001', 'INV-2026-000002']);
    // A second run and an on-demand close of October change nothing
    const again = await runScheduledClose(harness.billing, { holder: 'node-a', leaseMs: 60_000 });
    expect(again).toMatchObject({ ran: true, invoicesClosed: 0 });
    const twice = await closeAccountPeriod(harness.billing, { accountId: 'cu',
      periodKey: '2026-10-01' });
    expect(twice).toMatchObject({ ok: false, code: 'period_already_closed',
      invoiceId: october.id });
    // Another node holding no lease does nothing while node-a's lease runs
    const other = await runScheduledClose(harness.billing, { holder: 'node-b', leaseMs: 60_000 });
    expect(other.ran).toBe(false);
  });
});
