import { afterEach, describe, expect, it } from 'vitest';
import {
  assert,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  runPackageRenewals,
  subscribePackage,
  type BundleRecord,
} from '@tollgate/core';
import { account, money, storeKinds } from '../charging/charging-harness.ts';
import { must, openDidWorld, type DidNode, type DidWorld } from './did-harness.ts';

/**
 * Issue 18, packages on both stores under a manual clock: a monthly fee plus included seconds
 * (charging's bundles), the first period prorated, renewed each period with its seconds
 * restored (unused ones rolled over or expired by setting), once per period across a restart.
 */
const startMs = Date.parse('2026-01-17T12:00:00Z');
const february = Date.parse('2026-02-01T00:00:30Z');
let world: DidWorld | null = null;
let nodes: DidNode[] = [];
afterEach(async () => {
  for (const node of nodes) await node.close();
  nodes = [];
  await world?.dispose();
  world = null;
});

function addDeck(node: DidNode, id: string, rate: string) {
  const settings = parseRateDeckSettings({ currency: 'USD' });
  assert(settings.ok, 'deck settings');
  const deck = parseRateDeckCsv('prefix,destination,rate,initial_increment_s,increment_s\n' +
    `44,United Kingdom,${rate},60,60\n`, { settings: settings.value });
  assert(deck.ok, 'deck parses');
  prefixIndexOf(deck.value);
  node.decks.set(id, deck.value);
}

async function seed(node: DidNode) {
  addDeck(node, 'sell', '0.10');
  addDeck(node, 'buy', '0.05');
  const harness = node as unknown as Parameters<typeof account>[0];
  await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
  await account(harness, { id: 'res', tier: 'admin', parentId: 'op', topup: '100',
    deck: 'buy' });
  for (const id of ['cust', 'keeper']) {
    await account(harness, { id, tier: 'customer', parentId: 'res', topup: '20', deck: 'sell' });
  }
}

async function bundlesOf(node: DidNode, accountId: string): Promise<BundleRecord[]> {
  return must(await node.charging.listBundles(accountId), 'bundles')
    .sort((a, b) => a.id.localeCompare(b.id));
}

const subscription = (accountId: string, packageId: string, unused: 'expire' | 'rollover') =>
  ({ accountId, packageId, monthlyMicros: money('10'), includedSeconds: 600,
    prefixes: ['44'], unused, firstPeriod: 'prorated' }) as const;

for (const kind of storeKinds) {
  describe(`packages (${kind})`, () => {
    it('charges the fee and restores the seconds each period, rolling over or expiring the ' +
      'unused ones, once per period across a restart', async () => {
      world = await openDidWorld(kind, startMs);
      let node = await world.openNode({ engine: true });
      nodes.push(node);
      await seed(node);
      must(await subscribePackage(node.packages, subscription('cust', 'uk', 'expire')), 'sub');
      must(await subscribePackage(node.packages, subscription('keeper', 'uk', 'rollover')),
        'sub keeper');
      // January 17th to 31st: 15 of 31 days of the fee and of the seconds, rounded down.
      const first = (await node.ledger.getAccount('cust'));
      expect(first.ok && first.value.postedMicros).toBe(money('20') - money('4.838709'));
      expect((await bundlesOf(node, 'cust')).map((bundle) => bundle.secondsRemaining))
        .toEqual([290]);
      world.clock.setMs(Date.parse('2026-01-20T10:00:00Z'));
      for (const accountId of ['cust', 'keeper']) {
        must(await node.charging.authorize({ sessionId: `call-${accountId}`, requestNumber: 0,
          accountId, caller: '1', callee: '442071234567' }), 'authorize');
        world.clock.advanceMs(60_000);
        must(await node.charging.terminate({ sessionId: `call-${accountId}`, requestNumber: 1,
          usedSeconds: 60 }), 'terminate');
      }
      // The calls used bundle seconds, not money.
      const afterCall = await node.ledger.getAccount('cust');
      expect(afterCall.ok && afterCall.value.postedMicros).toBe(money('20') - money('4.838709'));

      world.clock.setMs(february);
      expect(await runPackageRenewals(node.packages, { holder: 'node-a', leaseMs: 60_000 }))
        .toMatchObject({ ran: true, renewed: 2, refused: [] });
      await node.close();
      nodes = [];
      world.clock.advanceMs(60_000);
      node = await world.openNode({ engine: true });
      nodes.push(node);
      expect(await runPackageRenewals(node.packages, { holder: 'node-b', leaseMs: 60_000 }))
        .toMatchObject({ ran: true, renewed: 0 });
      const renewed = await node.ledger.getAccount('cust');
      expect(renewed.ok && renewed.value.postedMicros)
        .toBe(money('20') - money('4.838709') - money('10'));
      // February's bundle: 600 s; the keeper also keeps January's 230 unused seconds.
      const current = (bundles: BundleRecord[]) => bundles.filter((bundle) =>
        bundle.validUntilMs === Date.parse('2026-03-01T00:00:00Z'))
        .map((bundle) => bundle.secondsRemaining);
      expect(current(await bundlesOf(node, 'cust'))).toEqual([600]);
      expect(current(await bundlesOf(node, 'keeper'))).toEqual([830]);
    });
  });
}
