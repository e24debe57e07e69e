import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import type { Carrier } from './carrier.ts';
import { resolveRouteRules } from './route-rules.ts';
import { selectRoutes, type RouteCandidate } from './select-routes.ts';

function carrier(id: string, fields: Partial<Carrier> = {}): Carrier {
  return { id, rootAccountId: 'op', name: id, rateDeckId: `deck-${id}`, currency: 'USD',
    gateway: `sofia/gateway/${id}/`, priority: 10, weight: 1, concurrentCallsMax: null,
    callsPerSecondMax: null, state: 'active', accountId: `carrier.${id}`, ...fields };
}

function candidate(id: string, cost: bigint | null, fields: Partial<RouteCandidate> = {},
  carrierFields: Partial<Carrier> = {}): RouteCandidate {
  return { carrier: carrier(id, carrierFields), liveCalls: 0, callsPerSecondFull: false,
    quality: null,
    priced: cost === null ? null : { prefix: '44', carrierCostMicros: micros(cost),
      costMicros: micros(cost) }, ...fields };
}

const noRules = { pinnedCarrierIds: null, blockedCarrierIds: new Set<string>() };
const base = { sellMicros: micros(100_000n), strategy: 'least_cost' as const,
  marginPolicy: 'protect' as const, rules: noRules, ticket: 7, routesMax: 50 };

const ids = (selection: ReturnType<typeof selectRoutes>) =>
  selection.ok ? selection.routes.map((route) => route.carrierId) : selection.reason;

describe('selectRoutes', () => {
  it('orders by full cost, then priority, then id', () => {
    const selection = selectRoutes({ ...base, candidates: [candidate('b', 50_000n),
      candidate('a', 50_000n), candidate('c', 40_000n),
      candidate('d', 50_000n, {}, { priority: 1 })] });
    expect(ids(selection)).toEqual(['c', 'd', 'a', 'b']);
    expect(selection.ok && selection.routes[0]!.marginMicros).toBe(60_000n);
  });

  it('drops a loss-making carrier under protect and keeps it last under allow_loss', () => {
    const candidates = [candidate('dear', 120_000n), candidate('cheap', 90_000n)];
    const protect = selectRoutes({ ...base, candidates });
    expect(ids(protect)).toEqual(['cheap']);
    expect(protect.dropped).toEqual([{ carrierId: 'dear', reason: 'loss_making' }]);
    const allowed = selectRoutes({ ...base, candidates: [candidate('dear', 120_000n),
      candidate('dearer', 130_000n), candidate('cheap', 95_000n, {}, { priority: 99 })],
    marginPolicy: 'allow_loss', strategy: 'priority' });
    expect(ids(allowed)).toEqual(['cheap', 'dear', 'dearer']);
    expect(allowed.ok && allowed.routes[1]!).toMatchObject({ loss: true, marginMicros: -20_000n });
  });

  it('never calls a route loss-making when the root sells nothing', () => {
    const selection = selectRoutes({ ...base, sellMicros: null,
      candidates: [candidate('a', 500_000n)] });
    expect(selection.ok && selection.routes[0]).toMatchObject({ loss: false, marginMicros: null });
  });

  it('skips carriers at capacity, over their calls per second, or cooling down', () => {
    const selection = selectRoutes({ ...base, candidates: [
      candidate('full', 10_000n, { liveCalls: 5 }, { concurrentCallsMax: 5 }),
      candidate('room', 20_000n, { liveCalls: 4 }, { concurrentCallsMax: 5 }),
      candidate('burst', 5_000n, { callsPerSecondFull: true }),
      candidate('poor', 1_000n, { quality: { attempts: 10, answered: 0, failures: 10,
        asrBp: 0, acdS: null, pddMs: null, outUntilMs: 123 } }),
      candidate('off', 1n, {}, { state: 'disabled' })] });
    expect(ids(selection)).toEqual(['room']);
    expect(selection.dropped.map((entry) => entry.reason)).toEqual(
      ['at_capacity', 'calls_per_second', 'quality_cool_down', 'disabled']);
  });

  it('names why there is no route', () => {
    expect(ids(selectRoutes({ ...base, candidates: [] }))).toBe('no_carrier');
    expect(ids(selectRoutes({ ...base, candidates: [candidate('a', null)] }))).toBe('no_rate');
    expect(ids(selectRoutes({ ...base,
      candidates: [candidate('a', null), candidate('b', 200_000n)] }))).toBe('all_loss_making');
    expect(ids(selectRoutes({ ...base, candidates: [
      candidate('a', 1n, { liveCalls: 1 }, { concurrentCallsMax: 1 }),
      candidate('b', 1n, { callsPerSecondFull: true })] }))).toBe('all_at_capacity');
    expect(ids(selectRoutes({ ...base, candidates: [
      candidate('a', 1n, { liveCalls: 1 }, { concurrentCallsMax: 1 }),
      candidate('b', 200_000n)] }))).toBe('none_usable');
  });

  it('applies pins and blocks of the route plan', () => {
    const candidates = [candidate('a', 1n), candidate('b', 2n), candidate('c', 3n)];
    const pinned = selectRoutes({ ...base, candidates,
      rules: { pinnedCarrierIds: new Set(['c', 'b']), blockedCarrierIds: new Set(['b']) } });
    expect(ids(pinned)).toEqual(['c']);
  });

  it('ranks by cost over ASR under the quality strategy', () => {
    const quality = (asrBp: number) => ({ attempts: 100, answered: asrBp / 100, failures: 0,
      asrBp, acdS: 60, pddMs: null, outUntilMs: null });
    const selection = selectRoutes({ ...base, strategy: 'quality', candidates: [
      candidate('cheap-poor', 30_000n, { quality: quality(2_500) }),
      candidate('dear-good', 50_000n, { quality: quality(9_000) })] });
    // 30000 / 0.25 = 120000 > 50000 / 0.9 = 55556: the better carrier wins despite its price.
    expect(ids(selection)).toEqual(['dear-good', 'cheap-poor']);
  });

  it('shares load by weight: deterministic per ticket, proportional over many tickets', () => {
    const candidates = [candidate('a', 1n, {}, { weight: 3 }), candidate('b', 2n, {},
      { weight: 1 }), candidate('z', 3n, {}, { weight: 0 })];
    const first = new Map<string, number>();
    for (let ticket = 1; ticket <= 2_000; ticket += 1) {
      const selection = selectRoutes({ ...base, strategy: 'load_share', candidates, ticket });
      const order = ids(selection) as string[];
      expect(order.at(-1)).toBe('z');
      first.set(order[0]!, (first.get(order[0]!) ?? 0) + 1);
      expect(ids(selectRoutes({ ...base, strategy: 'load_share', candidates, ticket })))
        .toEqual(order);
    }
    const shareA = first.get('a')! / 2_000;
    expect(shareA).toBeGreaterThan(0.7);
    expect(shareA).toBeLessThan(0.8);
  });
});

describe('resolveRouteRules', () => {
  const rules = [
    { accountId: 'op', prefix: '44', carrierId: 'x', action: 'block' as const },
    { accountId: 'rs', prefix: '4', carrierId: 'a', action: 'pin' as const },
    { accountId: 'rs', prefix: '447', carrierId: 'b', action: 'pin' as const },
    { accountId: 'rs', prefix: '447', carrierId: 'c', action: 'pin' as const },
    { accountId: 'ad', prefix: '4479', carrierId: 'd', action: 'pin' as const },
  ];

  it('takes pins from the account nearest the customer at its longest prefix', () => {
    const resolved = resolveRouteRules(['cu', 'rs', 'ad', 'op'], rules, '447911');
    expect([...resolved.pinnedCarrierIds!]).toEqual(['b', 'c']);
    expect([...resolved.blockedCarrierIds]).toEqual(['x']);
  });

  it('adds up blocks over the chain and ignores rules of other prefixes', () => {
    const resolved = resolveRouteRules(['cu', 'rs', 'ad', 'op'], rules, '4930');
    expect([...resolved.pinnedCarrierIds!]).toEqual(['a']);
    expect(resolved.blockedCarrierIds.size).toBe(0);
    expect(resolveRouteRules(['cu', 'op'], rules, '1555').pinnedCarrierIds).toBeNull();
  });
});
