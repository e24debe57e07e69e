import type { Cdr } from '../charging/charging-types.ts';
import type { ChargingStore } from '../charging/charging-ports.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';

/**
 * What revenue assurance reads. It never writes: the charging store is only opened read-only
 * (one snapshot per run), the ledger is asked for its own verification, and CDRs that ended
 * outside a period are found through billing's read port.
 */
export interface AssuranceDeps {
  readonly store: ChargingStore;
  readonly ledger: LedgerService;
  /** CDRs by session id, wherever they ended (`BillingStore.findCdrsBySessions`). */
  readonly findCdrsBySessions: (sessionIds: readonly string[]) => Promise<Cdr[]>;
}
