import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deck, type RowSpec } from '../../test/rating-kit.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import type { Account } from '../ledger/account.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import {
  marginPolicies,
  routingStrategies,
  type Carrier,
  type RouteRule,
  type RoutingPolicy,
} from './carrier.ts';
import type { QualityView } from './carrier-quality.ts';
import { routeCall } from './route-candidates.ts';
import { buildRouteIndex, type RouteIndex } from './route-index.ts';
import type { RoutingView } from './routing-ports.ts';

// The node ranking (`node-routes.ts`) answers only with a merged index; without one every
// decision goes the general way (`selectRoutes`). Both must agree on every route, its order,
// cost, margin and quality figures, and on every drop reason, whatever the policy and live state.

const prefixArbitrary = fc.stringMatching(/^[12]{1,3}$/);
/** Few distinct prices, so that ties on cost (then priority, then id) happen often. */
const rate = fc.constantFrom('0.01', '0.02', '0.05', '0.08', '0.1', '0.2');
const rows = fc.tuple(prefixArbitrary, rate, fc.constantFrom(1, 30, 60), fc.boolean())
  .map(([prefix, price, initial, tiered]): RowSpec[] => {
    const base: RowSpec = { prefix, rate: price, initial, increment: initial };
    // A tier makes the prefix rated the general way (not plain) at every decision.
    return tiered ? [base, { ...base, from: 30, rate: '0.03' }] : [base];
  });
const deckArbitrary = fc.tuple(fc.array(rows, { minLength: 3, maxLength: 8 }),
  fc.constantFrom('plain', 'plain', 'plain', 'mixed'))
  .map(([lists, kind]) => {
    const seen = new Set<string>();
    const specs = lists.map((list) => kind === 'plain' ? [list[0]!] : list).flat()
      .filter((spec) => {
        const key = `${spec.prefix}/${spec.from ?? 0}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    return deck(specs);
  });

/** Null four times in five. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(
  { arbitrary: fc.constant(null), weight: 4 }, { arbitrary, weight: 1 });

const qualityArbitrary: fc.Arbitrary<QualityView | null> = fc.oneof(fc.constant(null),
  fc.record({ attempts: fc.constant(10), answered: fc.constant(5), failures: fc.constant(0),
    asrBp: fc.option(fc.integer({ min: 0, max: 10_000 })),
    acdS: fc.option(fc.integer({ min: 0, max: 600 })), pddMs: fc.constant(null),
    outUntilMs: rarely(fc.constant(1)) }));

/** A carrier's configuration and live state (the deck is its slot's). */
const carrierArbitrary = fc.record({
  state: fc.constantFrom('active', 'active', 'active', 'active', 'disabled'),
  priority: fc.integer({ min: 0, max: 2 }),
  weight: fc.integer({ min: 0, max: 3 }),
  concurrentCallsMax: rarely(fc.integer({ min: 0, max: 2 })),
  euro: fc.constantFrom(false, false, false, true),
  liveCalls: fc.integer({ min: 0, max: 2 }),
  callsPerSecondFull: fc.constantFrom(false, false, false, false, true),
  quality: qualityArbitrary,
});
type CarrierSetup = typeof carrierArbitrary extends fc.Arbitrary<infer T> ? T : never;

const ruleArbitrary = fc.record({ accountId: fc.constantFrom('cu', 'op'),
  prefix: fc.constantFrom('', '1', '2', '12', '21'), slot: fc.integer({ min: 0, max: 4 }),
  action: fc.constantFrom('pin', 'block') });

const policyArbitrary: fc.Arbitrary<RoutingPolicy | null> = fc.option(fc.record({
  accountId: fc.constantFrom('cu', 'op'), strategy: fc.constantFrom(...routingStrategies),
  marginPolicy: fc.constantFrom(...marginPolicies) }), { freq: 4 });

const calleeArbitrary = fc.oneof({ arbitrary: fc.stringMatching(/^[12]{1,6}$/), weight: 4 },
  { arbitrary: fc.stringMatching(/^[0-9]{1,8}$/), weight: 1 });

const euro = (source: RateDeck): RateDeck =>
  ({ ...source, settings: { ...source.settings, currency: 'EUR' as CurrencyCode } });

const account = (id: string, parentId: string | null, rateDeckId: string | null) =>
  ({ id, parentId, rateDeckId, currency: 'USD' }) as unknown as Account;

/** Carriers of the decks 1..n (deck 0 sells), as one configuration sees them. */
function carriersOf(setups: readonly CarrierSetup[]): Carrier[] {
  return setups.map((setup, slot) => ({ id: `k${slot}`, rootAccountId: 'op', name: 'k',
    rateDeckId: `d${slot + 1}`, currency: setup.euro ? 'EUR' : 'USD', gateway: `g${slot}`,
    priority: setup.priority, weight: setup.weight,
    concurrentCallsMax: setup.concurrentCallsMax, callsPerSecondMax: null,
    state: setup.state, accountId: `carrier.k${slot}` }) as Carrier);
}

function viewOf(carriers: readonly Carrier[], setups: readonly CarrierSetup[],
  rules: readonly RouteRule[], policy: RoutingPolicy | null, index: RouteIndex | null):
  RoutingView {
  const slotOf = (carrierId: string) => Number(carrierId.slice(1));
  const view: RoutingView = { carriersOf: () => carriers,
    policiesOf: (ids) => policy === null || !ids.includes(policy.accountId) ? []
      : [policy],
    rulesOf: () => rules,
    // Figures per carrier and prefix: a call must ask with the prefix its carrier matched.
    quality: (carrierId, prefix) => prefix.endsWith('1') ? setups[slotOf(carrierId)]!.quality
      : null,
    callsPerSecondFull: (carrierId) => setups[slotOf(carrierId)]!.callsPerSecondFull };
  return index === null ? view : { ...view, routeIndex: () => index };
}

describe('node ranking', () => {
  it('routes as the general way under every policy, plan and live state', async () => {
    let ranked = 0;
    let decisions = 0;
    // Answers with more than one route: where an order can be wrong.
    let ordered = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(deckArbitrary, { minLength: 3, maxLength: 6 }),
      fc.array(carrierArbitrary, { minLength: 5, maxLength: 5 }),
      fc.array(carrierArbitrary, { minLength: 5, maxLength: 5 }),
      fc.array(ruleArbitrary, { maxLength: 3 }), policyArbitrary,
      fc.array(fc.tuple(calleeArbitrary, fc.boolean(), fc.nat()), { minLength: 1,
        maxLength: 8 }),
      async (baseDecks, setupsA, setupsB, ruleSpecs, policy, calls) => {
        const count = baseDecks.length - 1;
        // Both configurations price with the same decks, so they share one merged index.
        const decks = baseDecks.map((entry, slot) =>
          slot > 0 && setupsA[slot - 1]!.euro ? euro(entry) : entry);
        const byId = new Map(decks.map((entry, slot) => [`d${slot}`, entry]));
        const configurations = [setupsA, setupsB].map((setups) => setups.slice(0, count))
          .map((setups) => ({ setups, carriers: carriersOf(setups) }));
        const rules: RouteRule[] = ruleSpecs.filter((rule) => rule.slot < count)
          .map((rule) => ({ accountId: rule.accountId, prefix: rule.prefix,
            carrierId: `k${rule.slot}`, action: rule.action as RouteRule['action'] }));
        const index = buildRouteIndex([...decks.slice(1), decks[0]!], 60);
        const chain = [account('cu', 'op', 'd0'), account('op', null, null)];
        for (const [callee, second, ticket] of calls) {
          const { setups, carriers } = configurations[second ? 1 : 0]!;
          const tx = {
            countLiveCarrierSessions: (ids: readonly string[]) => Promise.resolve(new Map(
              ids.map((id) => [id, setups[Number(id.slice(1))]!.liveCalls]))),
            findExchangeRate: () => Promise.resolve({ rate: '1.0837' }),
          } as unknown as ChargingTransaction;
          const options = { tx, deckOf: (id: string) => byId.get(id) ?? null, chain, callee,
            startedAtMs: Date.UTC(2026, 10, 30, 12), expectedS: 60, ticket };
          const without = await routeCall({ ...options,
            view: viewOf(carriers, setups, rules, policy, null) });
          const withIndex = await routeCall({ ...options,
            view: viewOf(carriers, setups, rules, policy, index) });
          expect(withIndex).toStrictEqual(without);
          if (withIndex.ok && withIndex.routes.length > 1) ordered += 1;
          decisions += 1;
          const node = index.matchedNode().ranked;
          if (node?.plain === true && node.carrierList === carriers) ranked += 1;
        }
      }), { numRuns: 500 });
    // The comparison means something only if the ranking answered a good share of them, and
    // enough of them had an order to get wrong.
    expect(ranked).toBeGreaterThan(decisions / 5);
    expect(ordered).toBeGreaterThan(decisions / 20);
  });
});
