import type { Clock } from '../kernel/clock.ts';
import type { RoundingMode } from '../kernel/money.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { BillingStore } from './billing-store.ts';

export interface BillingOptions {
  /**
   * How long after a period's end its close waits. A decision taken just before the cut may
   * reach storage a little later (the engine commits in batches); waiting past any batch makes
   * the period's charges final before they are read. Far longer than a batch, by design.
   */
  readonly closeDelayMs: number;
  /** The one rounding mode of invoice lines and taxes. */
  readonly rounding: RoundingMode;
}

export const billingOptionsDefault: BillingOptions = {
  closeDelayMs: 5 * 60_000,
  rounding: 'half_up',
};

export interface BillingDeps {
  readonly store: BillingStore;
  /** Accounts are read, and payments and refunds posted, only through the ledger's use cases. */
  readonly ledger: LedgerService;
  readonly clock: Clock;
  readonly options: BillingOptions;
  /** The name of a destination in a deck, when the deck is at hand; null otherwise. */
  readonly destinationName?: (deckId: string, prefix: string) => string | null;
}
