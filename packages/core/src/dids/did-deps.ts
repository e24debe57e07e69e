import type { BillingSettings } from '../billing/billing-settings.ts';
import type { Clock } from '../kernel/clock.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { DidSettings } from './did.ts';
import type { DidStore } from './did-store.ts';

export interface DidDeps {
  readonly store: DidStore;
  /** Fees move money only through the ledger's use cases (`postCharge`). */
  readonly ledger: LedgerService;
  readonly clock: Clock;
  readonly settings: DidSettings;
  /** Billing settings of these accounts (the cycle fees follow). */
  billingSettings(accountIds: readonly string[]): Promise<BillingSettings[]>;
  /** The ledger account of a carrier of the operator; null when it has no such carrier. */
  carrierAccountOf(operatorId: string, carrierId: string): Promise<string | null>;
  newId(): string;
}
