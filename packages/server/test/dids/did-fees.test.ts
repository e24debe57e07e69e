import { afterEach, describe, expect, it } from 'vitest';
import {
  assignDid,
  closeAccountPeriod,
  importDids,
  parseDidImportCsv,
  releaseDid,
  runDidFees,
  type AccountView,
} from '@tollgate/core';
import { account, money, storeKinds } from '../charging/charging-harness.ts';
import { must, openDidWorld, type DidNode, type DidWorld } from './did-harness.ts';

/**
 * Issue 18, DID fees under a manual clock on both stores: setup and monthly fees at every
 * level (customer -> reseller -> admin -> operator -> carrier), the first month prorated by
 * setting, once per period per level across a restart and with two nodes, shown on invoices.
 */
const number = '15550001000';
const startMs = Date.parse('2026-01-10T12:00:00Z');
const leaseMs = 60_000;

let world: DidWorld | null = null;
let nodes: DidNode[] = [];
afterEach(async () => {
  for (const node of nodes) await node.close();
  nodes = [];
  await world?.dispose();
  world = null;
});

async function openNode(options: Parameters<DidWorld['openNode']>[0] = {}) {
  const node = await world!.openNode(options);
  nodes.push(node);
  return node;
}

async function closeNode(node: DidNode) {
  await node.close();
  nodes = nodes.filter((entry) => entry !== node);
}

/** Operator > admin > reseller > customer, and the carrier's own account. */
async function seedTree(node: DidNode) {
  const harness = node as unknown as Parameters<typeof account>[0];
  await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
  await account(harness, { id: 'adm', tier: 'admin', parentId: 'op', mode: 'postpaid',
    creditLimit: '1000' });
  await account(harness, { id: 'res', tier: 'reseller', parentId: 'adm', topup: '100' });
  await account(harness, { id: 'cust', tier: 'customer', parentId: 'res', topup: '50' });
  await account(harness, { id: 'poor', tier: 'customer', parentId: 'res' });
  await account(harness, { id: 'car-acme', tier: 'super_admin', mode: 'postpaid',
    creditLimit: null });
  world!.carriers.set('op/acme', 'car-acme');
}

async function view(node: DidNode, id: string): Promise<AccountView> {
  return must(await node.ledger.getAccount(id), `account ${id}`);
}

const revenueOf = (found: AccountView) =>
  found.revenueBooks.find((book) => book.currency === 'USD')?.postedMicros ?? 0n;

/** Imports the number and assigns it down the tree: op -> adm -> res -> cust. */
async function stockAndAssign(node: DidNode) {
  const rows = must(parseDidImportCsv('number,country,carrier_id,setup_cost,monthly_cost\n' +
    `+${number},us,acme,1.00,0.50\n`), 'csv');
  must(await importDids(node.dids, { operatorId: 'op', rows }), 'import');
  const assign = async (from: string, to: string, setup: string, monthly: string,
    firstPeriod: 'prorated' | 'full' | null = null) => must(await assignDid(node.dids, {
    operatorId: 'op', number, fromAccountId: from, toAccountId: to, setupMicros: money(setup),
    monthlyMicros: money(monthly), inboundDeckId: null, firstPeriod }), `assign to ${to}`);
  await assign('op', 'adm', '2', '3');
  await assign('adm', 'res', '1.50', '4', 'full');
  await assign('res', 'cust', '1', '5');
}

/** Expected posted balances after January's fees (22 of 31 days prorated, rounded down). */
const january = {
  carrier: money('1') + money('0.354838'),
  adm: -(money('2') + money('2.129032')),
  res: money('100') - money('1.50') - money('4'),
  cust: money('50') - money('1') - money('3.548387'),
};

for (const kind of storeKinds) {
  describe(`DID fees (${kind})`, () => {
    it('charges setup and a prorated first month at every level, once per period across ' +
      'a restart, and shows them on the invoice as recurring and one-off lines', async () => {
      world = await openDidWorld(kind, startMs);
      let node = await openNode({ engine: true });
      await seedTree(node);
      await stockAndAssign(node);
      expect(revenueOf(await view(node, 'car-acme'))).toBe(january.carrier);
      expect((await view(node, 'adm')).postedMicros).toBe(january.adm);
      expect((await view(node, 'res')).postedMicros).toBe(january.res);
      expect((await view(node, 'cust')).postedMicros).toBe(january.cust);
      // Nothing more is owed in January, however often the job runs.
      const idle = await runDidFees(node.dids, { holder: 'node-a', leaseMs });
      expect(idle).toMatchObject({ ran: true, chargesPosted: 0 });

      world.clock.setMs(Date.parse('2026-02-01T00:00:30Z'));
      const february = await runDidFees(node.dids, { holder: 'node-a', leaseMs });
      expect(february).toMatchObject({ ran: true, chargesPosted: 4, refused: [] });
      expect(await runDidFees(node.dids, { holder: 'node-a', leaseMs }))
        .toMatchObject({ chargesPosted: 0 });

      // A restart: a new node on the same database charges nothing twice.
      await closeNode(node);
      world.clock.advanceMs(leaseMs);
      node = await openNode({ engine: true });
      expect(await runDidFees(node.dids, { holder: 'node-b', leaseMs }))
        .toMatchObject({ ran: true, chargesPosted: 0 });
      expect(revenueOf(await view(node, 'car-acme'))).toBe(january.carrier + money('0.50'));
      expect((await view(node, 'adm')).postedMicros).toBe(january.adm - money('3'));
      expect((await view(node, 'res')).postedMicros).toBe(january.res - money('4'));
      expect((await view(node, 'cust')).postedMicros).toBe(january.cust - money('5'));

      // January's invoice of the customer: its setup and its prorated month, exact micros.
      world.clock.setMs(Date.parse('2026-02-01T01:00:00Z'));
      const invoice = must(await closeAccountPeriod(node.billing, { accountId: 'cust',
        periodKey: '2026-01-01' }), 'close');
      expect(invoice.amounts.lines.map((line) => [line.kind, line.description,
        line.chargedMicros])).toEqual([
        ['recurring', `DID +${number} monthly 2026-01-01`, money('3.548387')],
        ['one_off', `DID +${number} setup`, money('1')],
      ]);
    });

    it('refuses an assignment whose setup fee the assignee cannot pay, keeping nothing',
      async () => {
        world = await openDidWorld(kind, startMs);
        const node = await openNode({ engine: true });
        await seedTree(node);
        await stockAndAssign(node);
        must(await releaseDid(node.dids, { operatorId: 'op', number, accountId: 'cust' }),
          'release cust');
        const refused = await assignDid(node.dids, { operatorId: 'op', number,
          fromAccountId: 'res', toAccountId: 'poor', setupMicros: money('1'),
          monthlyMicros: money('1'), inboundDeckId: null, firstPeriod: null });
        expect(refused).toMatchObject({ ok: false, code: 'insufficient_funds' });
        expect((await view(node, 'poor')).postedMicros).toBe(0n);
        // The reseller still holds it and may assign it again.
        must(await assignDid(node.dids, { operatorId: 'op', number, fromAccountId: 'res',
          toAccountId: 'cust', setupMicros: money('0'), monthlyMicros: money('5'),
          inboundDeckId: null, firstPeriod: 'full' }), 'assign again');
      });

    it('releases a number into quarantine and assigns it again once the quarantine ends',
      async () => {
        world = await openDidWorld(kind, startMs);
        const node = await openNode({ engine: true, settings: { quarantineDays: 30 } });
        await seedTree(node);
        await stockAndAssign(node);
        const released = must(await releaseDid(node.dids, { operatorId: 'op', number,
          accountId: 'adm' }), 'release');
        expect(released).toEqual({ state: 'quarantine',
          quarantineUntilMs: startMs + 30 * 86_400_000 });
        const again = { operatorId: 'op', number, fromAccountId: 'op', toAccountId: 'adm',
          setupMicros: money('2'), monthlyMicros: money('3'), inboundDeckId: null,
          firstPeriod: null } as const;
        // Released holds are charged no more: February asks the carrier alone.
        world.clock.setMs(Date.parse('2026-02-01T00:00:30Z'));
        expect(await runDidFees(node.dids, { holder: 'node-a', leaseMs }))
          .toMatchObject({ chargesPosted: 1 });
        world.clock.setMs(startMs + 29 * 86_400_000);
        expect(await assignDid(node.dids, again))
          .toMatchObject({ ok: false, code: 'did_not_available' });
        world.clock.setMs(startMs + 30 * 86_400_000);
        const held = must(await assignDid(node.dids, again), 'reassign');
        expect(held.depth).toBe(1);
        // February 9th to March 1st: 20 of 28 days of 3.00, and the setup again.
        expect((await view(node, 'adm')).postedMicros).toBe(january.adm -
          money('2') - money('2.142857'));
      });
  });
}

describe('DID fees on two nodes over one PostgreSQL schema', () => {
  it('lets one of two racing assignments of a number win, charging one setup fee', async () => {
    world = await openDidWorld('postgres', startMs);
    const first = await openNode();
    const second = await openNode();
    await seedTree(first);
    await account(first as unknown as Parameters<typeof account>[0], { id: 'adm2',
      tier: 'admin', parentId: 'op', mode: 'postpaid', creditLimit: '1000' });
    must(await importDids(first.dids, { operatorId: 'op', rows: must(parseDidImportCsv(
      `number,country\n${number},US\n`), 'csv') }), 'import');
    const assign = (node: DidNode, to: string) => assignDid(node.dids, { operatorId: 'op',
      number, fromAccountId: 'op', toAccountId: to, setupMicros: money('2'),
      monthlyMicros: money('0'), inboundDeckId: null, firstPeriod: null });
    const outcomes = await Promise.all([assign(first, 'adm'), assign(second, 'adm2')]);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.find((outcome) => !outcome.ok))
      .toMatchObject({ code: 'did_not_available' });
    const paid = [(await view(first, 'adm')).postedMicros,
      (await view(first, 'adm2')).postedMicros].sort();
    expect(paid).toEqual([-money('2'), 0n]);
  });

  it('charges each level once per period when both nodes run the job at once', async () => {
    world = await openDidWorld('postgres', startMs);
    const first = await openNode();
    const second = await openNode();
    await seedTree(first);
    await stockAndAssign(first);
    world.clock.setMs(Date.parse('2026-02-01T00:00:30Z'));
    // A zero lease lapses at once: both nodes run the whole job concurrently.
    const reports = await Promise.all([
      runDidFees(first.dids, { holder: 'node-a', leaseMs: 0 }),
      runDidFees(second.dids, { holder: 'node-b', leaseMs: 0 }),
    ]);
    expect(reports.every((report) => report.ran && report.refused.length === 0)).toBe(true);
    expect(reports[0]!.chargesPosted + reports[1]!.chargesPosted).toBe(4);
    // Again on both, with the lease: the holder runs, the other waits, nothing moves.
    const again = await Promise.all([
      runDidFees(first.dids, { holder: 'node-a', leaseMs }),
      runDidFees(second.dids, { holder: 'node-b', leaseMs }),
    ]);
    expect(again.map((report) => report.chargesPosted)).toEqual([0, 0]);
    expect(again.filter((report) => report.ran)).toHaveLength(1);
    expect(revenueOf(await view(second, 'car-acme'))).toBe(january.carrier + money('0.50'));
    expect((await view(second, 'adm')).postedMicros).toBe(january.adm - money('3'));
    expect((await view(second, 'res')).postedMicros).toBe(january.res - money('4'));
    expect((await view(second, 'cust')).postedMicros).toBe(january.cust - money('5'));
  });
});
