import { createHash } from 'node:crypto';
import {
  checkCarrierFields,
  internalAccountIdPrefix,
  checkRouteRule,
  checkRoutingPolicy,
  listRoutes,
  problem,
  success,
  type Carrier,
  type CarrierFields,
  type ChargingDeps,
  type ChargingResult,
  type LedgerService,
  type ListRoutesInput,
  type Result,
  type RouteList,
  type RouteRule,
  type RoutingCode,
  type RoutingPolicy,
} from '@tollgate/core';
import type { DeckStore } from '../decks/deck-store.ts';
import type { CarrierStore } from './carrier-store.ts';
import type { RoutingCatalog } from './routing-catalog.ts';

type Outcome<T> = Promise<Result<T, RoutingCode | 'rate_deck_not_found' | 'account_not_found'
  | 'currency_mismatch' | 'forbidden'>>;

export interface RoutingService {
  createCarrier(rootAccountId: string, fields: CarrierFields): Outcome<Carrier>;
  updateCarrier(carrierId: string, change: Partial<Omit<CarrierFields, 'id'>>): Outcome<Carrier>;
  getCarrier(carrierId: string): Outcome<Carrier>;
  listCarriers(rootAccountId: string | null): Promise<Carrier[]>;
  putPolicy(policy: RoutingPolicy): Outcome<RoutingPolicy>;
  putRule(rule: RouteRule): Outcome<RouteRule>;
  deleteRule(rule: Pick<RouteRule, 'accountId' | 'prefix' | 'carrierId'>): Outcome<null>;
  listRoutes(input: ListRoutesInput): Promise<ChargingResult<RouteList>>;
  readonly catalog: RoutingCatalog;
}

/**
 * The ledger account that accrues what an operator owes one of its carriers: an internal id
 * (tenants cannot create `_` ids) derived from the operator and the carrier, so a carrier of
 * one operator can never land on another tree's account or on another operator's carrier.
 * Carriers created before this kept their `carrier.<id>` account (stored on the carrier).
 */
export function carrierAccountIdOf(rootAccountId: string, carrierId: string): string {
  const digest = createHash('sha256').update(`${rootAccountId}\u0000${carrierId}`)
    .digest('hex').slice(0, carrierAccountDigestHexChars);
  return `${internalAccountIdPrefix}carrier.${digest}`;
}

/** 128 bits: a collision between two operators' carriers is out of reach. */
const carrierAccountDigestHexChars = 32;

/**
 * Carrier administration and route listing. A carrier's ledger account is a root of its own
 * (postpaid, unlimited, never a payer): the root level of each call routed to the carrier
 * credits it, so its balance is what the operator owes the carrier.
 */
export function createRoutingService(deps: {
  store: CarrierStore;
  catalog: RoutingCatalog;
  decks: DeckStore;
  ledger: LedgerService;
  charging: ChargingDeps;
  nowMs: () => number;
}): RoutingService {
  const { store, catalog } = deps;

  async function deckCurrency(deckId: string) {
    const deck = await deps.decks.findDeckSummary(deckId);
    return deck?.settings.currency ?? null;
  }

  return {
    catalog,
    async createCarrier(rootAccountId, fields) {
      const checked = checkCarrierFields(fields);
      if (!checked.ok) return checked;
      const root = await deps.ledger.getAccount(rootAccountId);
      if (!root.ok) return problem('account_not_found', `no account ${rootAccountId}`);
      if (root.value.account.parentId !== null) {
        return problem('invalid_carrier', 'carriers belong to an operator (a root account)');
      }
      const currency = await deckCurrency(fields.rateDeckId);
      if (currency === null) return problem('rate_deck_not_found', `no deck ${fields.rateDeckId}`);
      const carrier: Carrier = { ...fields, rootAccountId, currency,
        accountId: carrierAccountIdOf(rootAccountId, fields.id) };
      if (await store.findCarrier(fields.id) !== null) {
        return problem('carrier_exists', `carrier ${fields.id} exists`);
      }
      const account = await deps.ledger.createAccount({ id: carrier.accountId,
        tier: 'super_admin', parentId: null, name: `carrier ${fields.name}`.slice(0, 200),
        currency, mode: 'postpaid', creditLimitMicros: null });
      // A crash between the two writes leaves the account without its carrier; creating the
      // carrier again finds the account and goes on.
      if (!account.ok && account.code !== 'account_exists') {
        return problem('invalid_carrier', account.message);
      }
      if (await store.insertCarrier(carrier, deps.nowMs()) === 'exists') {
        return problem('carrier_exists', `carrier ${fields.id} exists`);
      }
      catalog.invalidate();
      return success(carrier);
    },
    async updateCarrier(carrierId, change) {
      const found = await store.findCarrier(carrierId);
      if (found === null) return problem('carrier_not_found', `no carrier ${carrierId}`);
      const next: Carrier = { ...found, ...change };
      const checked = checkCarrierFields(next);
      if (!checked.ok) return checked;
      if (next.rateDeckId !== found.rateDeckId) {
        const currency = await deckCurrency(next.rateDeckId);
        if (currency === null) return problem('rate_deck_not_found', `no deck ${next.rateDeckId}`);
        if (currency !== found.currency) {
          return problem('currency_mismatch',
            `deck ${next.rateDeckId} is in ${currency}, the carrier in ${found.currency}`);
        }
      }
      await store.updateCarrier(next, deps.nowMs());
      catalog.invalidate();
      return success(next);
    },
    async getCarrier(carrierId) {
      const found = await store.findCarrier(carrierId);
      return found === null ? problem('carrier_not_found', `no carrier ${carrierId}`)
        : success(found);
    },
    async listCarriers(rootAccountId) {
      const all = await store.listCarriers();
      return rootAccountId === null ? all
        : all.filter((carrier) => carrier.rootAccountId === rootAccountId);
    },
    async putPolicy(policy) {
      const checked = checkRoutingPolicy(policy);
      if (!checked.ok) return checked;
      await store.putPolicy(policy, deps.nowMs());
      catalog.invalidate();
      return success(policy);
    },
    async putRule(rule) {
      const checked = checkRouteRule(rule);
      if (!checked.ok) return checked;
      if (await store.findCarrier(rule.carrierId) === null) {
        return problem('carrier_not_found', `no carrier ${rule.carrierId}`);
      }
      await store.putRule(rule, deps.nowMs());
      catalog.invalidate();
      return success(rule);
    },
    async deleteRule(rule) {
      if (!await store.deleteRule(rule)) {
        return problem('invalid_route_rule', 'no such route rule');
      }
      catalog.invalidate();
      return success(null);
    },
    listRoutes: (input) => listRoutes(deps.charging, input),
  };
}
