import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { band, deck, type RowSpec } from '../../test/rating-kit.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { Account } from '../ledger/account.ts';
import { planCall } from '../rating/call-plan.ts';
import { rateDuration } from '../rating/rate-duration.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import type { Carrier } from './carrier.ts';
import { routeCall } from './route-candidates.ts';
import { buildRouteIndex, routeIndexBuilder } from './route-index.ts';
import type { RoutingView } from './routing-ports.ts';

const prefixArbitrary = fc.stringMatching(/^[1-3]{1,4}$/);
const rate = fc.integer({ min: 0, max: 300_000 }).map((n) => (n / 1e6).toFixed(6));

/** One prefix's rows: plain, tiered, banded, or limited in time (only plain ones are read). */
const prefixRows = fc.tuple(prefixArbitrary, fc.constantFrom('plain', 'plain', 'tier', 'band',
  'window'), rate, rate, fc.constantFrom(1, 6, 30, 60), fc.constantFrom(1, 6, 60))
  .map(([prefix, kind, price, connect, initial, increment]): RowSpec[] => {
    const base: RowSpec = { prefix, rate: price, connect, initial, increment };
    if (kind === 'tier') return [base, { ...base, from: 30, rate: connect }];
    if (kind === 'band') return [base, { ...base, band: 'night', rate: connect }];
    if (kind === 'window') return [{ ...base, effectiveFrom: '2026-12-01T00:00:00Z' }];
    return [base];
  });

const deckArbitrary = fc.array(prefixRows, { minLength: 1, maxLength: 12 }).map((lists) => {
  const seen = new Set<string>();
  const specs = lists.flat().filter((spec) => {
    const key = `${spec.prefix}/${spec.from ?? 0}/${spec.band ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return deck(specs, { bands: [band('night', 'Mon Tue Wed Thu Fri Sat Sun', '20:00', '08:00')] });
});

const instants = fc.constantFrom(Date.UTC(2026, 10, 30, 12), Date.UTC(2026, 10, 30, 22),
  Date.UTC(2026, 11, 2, 9));
const calleeArbitrary = fc.oneof(fc.stringMatching(/^[1-3]{1,7}$/), fc.constant('9'),
  fc.stringMatching(/^[0-9]{1,12}$/));

function generalCost(target: RateDeck, callee: string, atMs: number, seconds: number) {
  const planned = planCall({ deck: target, number: callee, startedAtMs: atMs, horizonS: seconds });
  if (planned.status !== 'planned') return null;
  const rated = rateDuration(planned.plan, seconds, 0);
  return rated.status === 'rated' ? { prefix: rated.prefix, cost: rated.costMicros } : null;
}

describe('route index', () => {
  it('finds each deck\'s longest prefix and the engine\'s own cost for plain prefixes', () => {
    fc.assert(fc.property(fc.array(deckArbitrary, { minLength: 1, maxLength: 5 }), calleeArbitrary,
      instants, fc.constantFrom(1, 59, 60, 61, 600), (decks, callee, atMs, seconds) => {
        const index = buildRouteIndex(decks, seconds);
        // Another callee first: the node memo and the lazily read matches must not leak.
        index.lookup(callee.slice(0, -1));
        index.matchedCosts();
        index.lookup(callee);
        const costs = index.matchedCosts();
        for (const [slot, target] of decks.entries()) {
          const match = index.matchOf(slot);
          const longest = [...target.rowsByPrefix.keys()].filter((p) => callee.startsWith(p))
            .sort((a, b) => b.length - a.length)[0];
          expect(match < 0 ? undefined : index.prefixOf(slot)).toBe(longest);
          if (match < 0) {
            expect(costs[slot]).toBeNull();
            continue;
          }
          const plain = index.plainCostOf(slot, match);
          expect(costs[slot]).toEqual(plain === null ? 'general' : { prefix: longest,
            carrierCostMicros: plain, costMicros: plain, currency: target.settings.currency });
          if (plain === null) continue;
          expect({ prefix: index.prefixOf(slot), cost: plain })
            .toEqual(generalCost(target, callee, atMs, seconds));
        }
      }), { numRuns: 300 });
  });

  it('routes the same with and without the index', async () => {
    const account = (id: string, parentId: string | null, rateDeckId: string | null) => ({
      id, parentId, rateDeckId, currency: 'USD' }) as unknown as Account;
    const tx = {} as ChargingTransaction;
    await fc.assert(fc.asyncProperty(fc.array(deckArbitrary, { minLength: 2, maxLength: 5 }),
      calleeArbitrary, instants, async (decks, callee, atMs) => {
        const carriers = decks.slice(1).map((_, slot) => ({ id: `k${slot}`,
          rootAccountId: 'op', rateDeckId: `d${slot + 1}`, currency: 'USD', gateway: 'g',
          priority: slot % 2, weight: 1, concurrentCallsMax: null, callsPerSecondMax: null,
          state: 'active', accountId: `carrier.k${slot}`, name: 'k' }) as Carrier);
        const byId = new Map(decks.map((entry, slot) => [`d${slot}`, entry]));
        const chain = [account('cu', 'op', 'd0'), account('op', null, null)];
        const plainView: RoutingView = { carriersOf: () => carriers, policiesOf: () => [],
          rulesOf: () => [], quality: () => null, callsPerSecondFull: () => false };
        const index = buildRouteIndex([...decks.slice(1), decks[0]!], 60);
        const options = { tx, deckOf: (id: string) => byId.get(id) ?? null, chain, callee,
          startedAtMs: atMs, expectedS: 60, ticket: 3 };
        const without = await routeCall({ ...options, view: plainView });
        const withIndex = await routeCall({ ...options,
          view: { ...plainView, routeIndex: () => index } });
        expect(withIndex).toStrictEqual(without);
      }), { numRuns: 200 });
  });

  it('builds in steps', () => {
    const decks = [deck([{ prefix: '1', rate: '0.1' }, { prefix: '12', rate: '0.2' }]),
      deck([{ prefix: '123', rate: '0.3' }])];
    const builder = routeIndexBuilder(decks, 60);
    let steps = 1;
    while (!builder.step(1)) steps += 1;
    expect(steps).toBeGreaterThanOrEqual(3);
    const index = builder.result();
    index.lookup('1239');
    expect([index.prefixOf(0), index.prefixOf(1)])
      .toEqual(['12', '123']);
  });
});
