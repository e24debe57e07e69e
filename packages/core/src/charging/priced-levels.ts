import { micros, type Micros } from '../kernel/money.ts';
import type { Account } from '../ledger/account.ts';
import {
  convertMicros,
  parseExchangeRate,
  unitRate,
  type RationalRate,
} from '../ledger/exchange-rate.ts';
import { planCall, type CallPlan } from '../rating/call-plan.ts';
import { rateDuration } from '../rating/rate-duration.ts';
import type { ChargingRefusalCode } from './charging-types.ts';
import type { ChargingTransaction } from './charging-ports.ts';
import type { DeckLookup } from './charging-work.ts';

/**
 * One level of a call's chain, priced: the plan of the deck its parent sells it (null for a
 * root without a carrier deck: it pays nothing) and the exchange rate from the deck's currency
 * to the account's, fixed at the call start.
 */
export interface PricedLevel {
  readonly account: Account;
  readonly deckId: string | null;
  readonly plan: CallPlan | null;
  readonly rate: RationalRate;
  /**
   * Who a root level pays: a carrier's ledger account when the call is routed to a carrier;
   * null for the outside world (and always null below the root, which pays its parent).
   */
  readonly payeeAccountId: string | null;
}

export type PricedChain =
  | { readonly ok: true; readonly levels: readonly PricedLevel[] }
  | {
      readonly ok: false;
      readonly code: ChargingRefusalCode;
      readonly accountId: string;
      readonly message: string;
    };

/** Prices every level of `chain` (customer first) for a call to `callee` at `startedAtMs`. */
export async function priceChain(options: {
  tx: ChargingTransaction;
  deckOf: DeckLookup;
  chain: readonly Account[];
  callee: string;
  startedAtMs: number;
  horizonS: number;
  extraBandNames?: readonly string[];
  /** The carrier the call is routed to: it prices the root level and is paid by it. */
  carrier?: { readonly rateDeckId: string; readonly accountId: string } | null;
  /** An inbound DID call: each level's inbound deck; a level without one is free. */
  deckIdByAccount?: Readonly<Record<string, string | null>>;
}): Promise<PricedChain> {
  const levels: PricedLevel[] = [];
  const inbound = options.deckIdByAccount;
  for (const [index, account] of options.chain.entries()) {
    const refuse = (code: ChargingRefusalCode, message: string): PricedChain =>
      ({ ok: false, code, accountId: account.id, message });
    const carrier = account.parentId === null ? options.carrier ?? null : null;
    const deckId = inbound !== undefined ? inbound[account.id] ?? null
      : carrier?.rateDeckId ?? account.rateDeckId;
    const payeeAccountId = carrier?.accountId ?? null;
    if (deckId === null) {
      if (account.parentId === null || inbound !== undefined) {
        levels.push({ account, deckId: null, plan: null, rate: unitRate, payeeAccountId });
        continue;
      }
      return refuse('no_rate', `account ${account.id} has no rate deck`);
    }
    const deck = options.deckOf(deckId);
    if (deck === null) return refuse('rate_deck_not_found', `deck ${deckId} is gone`);
    const planned = planCall({ deck, number: options.callee, startedAtMs: options.startedAtMs,
      horizonS: options.horizonS,
      ...(index === 0 && options.extraBandNames !== undefined
        ? { extraBandNames: options.extraBandNames } : {}) });
    if (planned.status === 'no_rate') {
      return refuse('no_rate', `no rate for ${options.callee} in deck ${deckId}`);
    }
    const rate = await exchangeRateOf(options.tx, deck.settings.currency, account.currency,
      options.startedAtMs);
    if (rate === null) {
      return refuse('exchange_rate_not_found',
        `no exchange rate ${deck.settings.currency} -> ${account.currency}`);
    }
    levels.push({ account, deckId, plan: planned.plan, rate, payeeAccountId });
  }
  return { ok: true, levels };
}

/** The rate from one currency to another at `atMs`; 1/1 when they are the same. */
export async function exchangeRateOf(
  tx: ChargingTransaction,
  fromCurrency: Account['currency'],
  toCurrency: Account['currency'],
  atMs: number,
): Promise<RationalRate | null> {
  if (fromCurrency === toCurrency) return unitRate;
  const found = await tx.findExchangeRate({ fromCurrency, toCurrency, atMs });
  if (found === null) return null;
  const parsed = parseExchangeRate(found.rate);
  return parsed.ok ? parsed.value : null;
}

/** A deck-currency amount in the account's currency (half up, like a rated call). */
export function toAccountMicros(level: PricedLevel, deckMicros: Micros): Micros {
  return convertMicros({ amountMicros: deckMicros, rate: level.rate, mode: 'half_up' });
}

/**
 * An account-currency amount in the deck's currency, rounded down: the grant computed from it
 * then never costs more than the account has (floor(a / r) * r <= a, and half-up rounding of a
 * value at most the whole number a stays at most a).
 */
export function toDeckMicros(level: PricedLevel, accountMicros: Micros): Micros {
  const inverse = { numerator: level.rate.denominator, denominator: level.rate.numerator };
  return convertMicros({ amountMicros: accountMicros, rate: inverse, mode: 'down' });
}

/**
 * The cost of `seconds` at this level in the account's currency, with the bundle seconds the
 * level may use; null when the rate has a gap there.
 */
export interface LevelUsage {
  readonly costMicros: Micros;
  /** The same cost in the deck's currency, before conversion. */
  readonly deckCostMicros: Micros;
  readonly billedSeconds: number;
  readonly bundleSeconds: number;
  readonly prefix: string | null;
}

export function levelCost(
  level: PricedLevel,
  seconds: number,
  bundleSeconds: number,
): LevelUsage | null {
  if (level.plan === null) {
    return { costMicros: micros(0n), deckCostMicros: micros(0n), billedSeconds: 0,
      bundleSeconds: 0, prefix: null };
  }
  const rated = rateDuration(level.plan, seconds, bundleSeconds);
  if (rated.status !== 'rated') return null;
  return { costMicros: toAccountMicros(level, rated.costMicros),
    deckCostMicros: rated.costMicros,
    billedSeconds: rated.billedSeconds, bundleSeconds: rated.bundleSeconds,
    prefix: rated.prefix };
}
