import { afterEach, describe, expect, it } from 'vitest';
import {
  assert,
  assignDid,
  authorizeInboundCall,
  importDids,
  parseDidImportCsv,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  type AccountView,
} from '@tollgate/core';
import { account, money, storeKinds } from '../charging/charging-harness.ts';
import { must, openDidWorld, type DidNode, type DidWorld } from './did-harness.ts';

/**
 * Issue 18, inbound DID calls on both stores: authorized and nibbled like an outbound call,
 * priced at each level with the inbound deck its parent sells the number with (free without
 * one), paid by the number's owner, and refused when the owner cannot pay.
 */
const startMs = Date.parse('2026-03-02T10:00:00Z');
let world: DidWorld | null = null;
let node: DidNode | null = null;
afterEach(async () => {
  await node?.close();
  node = null;
  await world?.dispose();
  world = null;
});

function addInboundDeck(target: DidNode, id: string, rate: string) {
  const settings = parseRateDeckSettings({ currency: 'USD' });
  assert(settings.ok, 'deck settings');
  const deck = parseRateDeckCsv('prefix,destination,rate,initial_increment_s,increment_s\n' +
    `1555,US DID inbound,${rate},60,60\n`, { settings: settings.value });
  assert(deck.ok, 'inbound deck parses');
  prefixIndexOf(deck.value);
  target.decks.set(id, deck.value);
}

async function posted(target: DidNode, id: string): Promise<bigint> {
  const view: AccountView = must(await target.ledger.getAccount(id), id);
  return view.postedMicros;
}

/** op > res (an admin) > (cust, poor); two numbers: op -> res -> cust, op -> res -> poor. */
async function seed(target: DidNode) {
  const harness = target as unknown as Parameters<typeof account>[0];
  await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
  await account(harness, { id: 'res', tier: 'admin', parentId: 'op', topup: '10' });
  await account(harness, { id: 'cust', tier: 'customer', parentId: 'res', topup: '1' });
  await account(harness, { id: 'poor', tier: 'customer', parentId: 'res' });
  addInboundDeck(target, 'in-res', '0.005');
  addInboundDeck(target, 'in-cust', '0.02');
  const rows = must(parseDidImportCsv('number,country\n15550002000,US\n15550003000,US\n'),
    'csv');
  must(await importDids(target.dids, { operatorId: 'op', rows }), 'import');
  for (const [number, owner] of [['15550002000', 'cust'], ['15550003000', 'poor']] as const) {
    const assign = async (from: string, to: string, deck: string | null) => must(
      await assignDid(target.dids, { operatorId: 'op', number, fromAccountId: from,
        toAccountId: to, setupMicros: money('0'), monthlyMicros: money('0'),
        inboundDeckId: deck, firstPeriod: null }), `assign ${number} to ${to}`);
    await assign('op', 'res', 'in-res');
    await assign('res', owner, 'in-cust');
  }
}

for (const kind of storeKinds) {
  describe(`inbound DID calls (${kind})`, () => {
    it('charges the owner at its inbound rate, every level at its own, and refuses an owner ' +
      'without funds', async () => {
      world = await openDidWorld(kind, startMs);
      node = await world.openNode({ engine: true });
      await seed(node);
      const granted = must(await authorizeInboundCall(node.dids, node.charging, {
        operatorId: 'op', number: '15550002000', sessionId: 'in-1', caller: '442071234567' }),
      'authorize');
      expect(granted.status).toBe('granted');
      world.clock.advanceMs(60_000);
      const update = must(await node.charging.update({ sessionId: 'in-1', requestNumber: 1,
        usedSeconds: 60 }), 'update');
      expect(update.status).toBe('granted');
      world.clock.advanceMs(30_000);
      const ended = must(await node.charging.terminate({ sessionId: 'in-1', requestNumber: 2,
        usedSeconds: 90 }), 'terminate');
      // 90 s in whole minutes: the owner pays 2 x 0.02, the reseller 2 x 0.005, the root 0.
      expect(ended).toMatchObject({ status: 'terminated', costMicros: money('0.04') });
      expect(await posted(node, 'cust')).toBe(money('1') - money('0.04'));
      expect(await posted(node, 'res')).toBe(money('10') - money('0.01'));

      const refused = must(await authorizeInboundCall(node.dids, node.charging, {
        operatorId: 'op', number: '15550003000', sessionId: 'in-2', caller: '442071234567' }),
      'authorize poor');
      expect(refused).toMatchObject({ status: 'insufficient_funds', accountId: 'poor' });
      expect(await posted(node, 'poor')).toBe(0n);

      const nobody = await authorizeInboundCall(node.dids, node.charging, { operatorId: 'op',
        number: '15550009999', sessionId: 'in-3', caller: '1' });
      expect(nobody).toMatchObject({ ok: false, code: 'did_not_assigned' });
    });
  });
}
