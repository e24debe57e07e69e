import { describe, expect, it } from 'vitest';
import { deck } from '../../test/rating-kit.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { Account } from '../ledger/account.ts';
import type { Carrier } from './carrier.ts';
import { routeCall } from './route-candidates.ts';
import type { RoutingView } from './routing-ports.ts';

const account = (id: string, parentId: string | null, rateDeckId: string | null) =>
  ({ id, parentId, rateDeckId, currency: 'USD' }) as unknown as Account;

/** Three carriers at the same 0.08 a minute: only the connect fee and the blocks differ. */
const decks = new Map([
  ['sell', deck([{ prefix: '44', rate: '0.20' }])],
  ['flat', deck([{ prefix: '44', rate: '0.08', initial: 1, increment: 1 }])],
  ['fee', deck([{ prefix: '44', rate: '0.08', connect: '0.01', initial: 1, increment: 1 }])],
  ['minutes', deck([{ prefix: '44', rate: '0.08', initial: 60, increment: 60 }])],
]);

const carriers = ['minutes', 'fee', 'flat'].map((id) => ({ id, rootAccountId: 'op',
  rateDeckId: id, currency: 'USD', gateway: id, priority: 0, weight: 1,
  concurrentCallsMax: null, callsPerSecondMax: null, state: 'active', accountId: `carrier.${id}`,
  name: id }) as Carrier);

const view: RoutingView = { carriersOf: () => carriers, policiesOf: () => [],
  rulesOf: () => [], quality: () => null, callsPerSecondFull: () => false };

async function order(expectedS: number) {
  const selection = await routeCall({ tx: {} as ChargingTransaction,
    deckOf: (id) => decks.get(id) ?? null, view,
    chain: [account('cu', 'op', 'sell'), account('op', null, null)], callee: '442071234567',
    startedAtMs: Date.UTC(2026, 10, 30, 12), expectedS, ticket: 1 });
  return selection.ok ? selection.routes.map((route) => [route.carrierId, route.costMicros])
    : selection.reason;
}

describe('routeCall: full cost, not the per-minute price', () => {
  it('ranks equal per-minute rates by connect fee and blocks for the duration', async () => {
    // 61 s: flat 0.0813, fee 0.0913, minutes two blocks 0.16.
    expect(await order(61)).toEqual([['flat', 81_300n], ['fee', 91_300n],
      ['minutes', 160_000n]]);
    // 60 s: flat and minutes tie at 0.08 (then by id), fee pays its connect fee.
    expect(await order(60)).toEqual([['flat', 80_000n], ['minutes', 80_000n],
      ['fee', 90_000n]]);
  });
});
