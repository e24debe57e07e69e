import {
  billingOptionsDefault,
  closeAccountPeriod,
  createLedgerService,
  ManualClock,
  type BillingDeps,
} from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresBillingStore } from '../../src/billing/billing-stores.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { createPostgresLedgerStore } from '../../src/storage/postgres/postgres-ledger-store.ts';
import { account } from '../charging/charging-harness.ts';
import { postgresTestUrl } from '../storage/postgres-fixture.ts';
import { openBillingHarness, type BillingHarness } from './billing-harness.ts';
import { addCentDeck, call } from './billing-kit.ts';

// Issue 17, must show: numbering gap-free under concurrent closes on PostgreSQL. Two nodes
// (two pools on one schema, as two processes would have) close the same issuer's customers at
// once, each customer on both nodes: one invoice per customer, numbers 1..N without a gap.
const customers = 12;

describe('invoice numbering under concurrent closes on PostgreSQL', () => {
  let harness: BillingHarness;
  let second: PostgresDatabase | null = null;
  afterEach(async () => {
    await second?.close();
    await harness.close();
  });

  it('two nodes closing at once leave numbers 1..N, each period once', async () => {
    harness = await openBillingHarness('postgres', { startMs: Date.parse('2026-10-01T00:00Z'),
      charging: { sliceSeconds: 600 } });
    addCentDeck(harness, 'carrier', { 44: '0.10' });
    addCentDeck(harness, 'retail', { 44: '0.50' });
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null,
      deck: 'carrier' });
    const ids = Array.from({ length: customers }, (_, index) => `cu${index}`);
    for (const [index, id] of ids.entries()) {
      await account(harness, { id, tier: 'customer', parentId: 'op', mode: 'postpaid',
        creditLimit: '100', deck: 'retail' });
      await call(harness, { sessionId: `${id}-call`, accountId: id, callee: '44207000',
        startText: `2026-10-${String(index + 2).padStart(2, '0')}T09:00:00Z`, seconds: 61 });
    }
    await harness.store.idle();
    // Node B: its own pool on the same schema, its own clock at the same instant
    const clock = new ManualClock(Date.parse('2026-11-01T00:10:00Z'));
    harness.clock.setMs(clock.nowMs());
    second = new PostgresDatabase({ connectionString: postgresTestUrl,
      schema: harness.schema! });
    const nodeB: BillingDeps = { store: postgresBillingStore(second),
      ledger: createLedgerService({ store: createPostgresLedgerStore(second), clock }), clock,
      options: billingOptionsDefault };
    const attempts = ids.flatMap((id, index) => index % 2 === 0
      ? [closeAccountPeriod(harness.billing, { accountId: id }),
        closeAccountPeriod(nodeB, { accountId: id })]
      : [closeAccountPeriod(nodeB, { accountId: id }),
        closeAccountPeriod(harness.billing, { accountId: id })]);
    const outcomes = await Promise.all(attempts);
    const created = outcomes.filter((outcome) => outcome.ok);
    const refused = outcomes.filter((outcome) => !outcome.ok);
    expect(created).toHaveLength(customers);
    expect(refused.map((outcome) => outcome.ok ? '' : outcome.code)).toEqual(
      ids.map(() => 'period_already_closed'));
    const numbers = created.map((outcome) => outcome.ok ? outcome.value.sequence : 0)
      .sort((a, b) => a - b);
    expect(numbers).toEqual(ids.map((_, index) => index + 1));
    const stored = await harness.billing.store.listInvoices({ partyAccountId: 'op',
      afterId: null, limit: 100 });
    expect(new Set(stored.map((invoice) => invoice.recipient.accountId)).size).toBe(customers);
    expect(stored).toHaveLength(customers);
  });
});
