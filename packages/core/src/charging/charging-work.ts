import { problem, type Problem, type Result } from '../kernel/result.ts';
import { inRollbackTransaction } from '../kernel/rollback-transaction.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import type { ChargingStore, ChargingTransaction, DeckProvider } from './charging-ports.ts';
import type { ChargingCode } from './charging-types.ts';

export type ChargingProblem = Problem<ChargingCode | LedgerCode>;

/**
 * Runs `work` in one store transaction; a returned problem rolls everything back, so a rejected
 * request writes nothing even if it wrote before finding the problem. Refusals are not
 * problems: they are answers, stored with the session and replayed.
 */
export function inChargingTransaction<T>(
  store: ChargingStore,
  work: (tx: ChargingTransaction) => Promise<Result<T, ChargingCode | LedgerCode>>,
): Promise<Result<T, ChargingCode | LedgerCode>> {
  return inRollbackTransaction(store, work);
}

/** A deck by id inside a charging transaction, without I/O; null when there is no such deck. */
export type DeckLookup = (deckId: string) => RateDeck | null;

class DeckNotLoaded extends Error {
  override readonly name = 'DeckNotLoaded';
  readonly deckId: string;

  constructor(deckId: string) {
    super(`deck ${deckId} is not in memory`);
    this.deckId = deckId;
  }
}

/** A chain has at most this many levels, so a request loads at most this many decks. */
const deckLoadsPerRequestMax = 8;

/**
 * `inChargingTransaction` for work that prices calls. Decks are never read from storage inside
 * the transaction: that read would be a second transaction queued behind the first on the same
 * connection (SQLite) or batch, and would never run. When the work meets a deck that is not in
 * memory, the transaction is rolled back, the deck is loaded outside it, and the work runs again.
 */
export async function inPricingTransaction<T>(
  deps: { store: ChargingStore; decks: DeckProvider },
  work: (tx: ChargingTransaction, deckOf: DeckLookup) =>
    Promise<Result<T, ChargingCode | LedgerCode>>,
): Promise<Result<T, ChargingCode | LedgerCode>> {
  const fetched = new Map<string, RateDeck | null>();
  const deckOf: DeckLookup = (deckId) => {
    const known = fetched.get(deckId);
    if (known !== undefined || fetched.has(deckId)) return known ?? null;
    const loaded = deps.decks.loadedDeck(deckId);
    if (loaded === undefined) throw new DeckNotLoaded(deckId);
    return loaded;
  };
  for (let loads = 0; ; loads += 1) {
    try {
      return await inChargingTransaction(deps.store, (tx) => work(tx, deckOf));
    } catch (error) {
      if (!(error instanceof DeckNotLoaded) || loads >= deckLoadsPerRequestMax) throw error;
      fetched.set(error.deckId, await deps.decks.getDeck(error.deckId));
    }
  }
}

export function chargingProblem(
  code: ChargingCode | LedgerCode,
  message: string,
): ChargingProblem {
  return problem(code, message);
}
