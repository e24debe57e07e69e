import type { Did, DidDestination, DidHolding, DidState } from './did.ts';

/**
 * The DID domain's storage port. It never moves money: fees are posted through the ledger's
 * use cases, and this store keeps the inventory, the holds and each hold's fee cursor.
 * Each method is one transaction.
 */
export interface DidStore {
  /** Adds numbers with their carrier holds; false (nothing stored) when one exists already. */
  insertDids(rows: readonly { did: Did; carrierHolding: DidHolding | null }[]): Promise<boolean>;
  findDid(key: DidKey): Promise<Did | null>;
  /** Every operator's number with these digits (ids are per operator). */
  findDidsByNumber(number: string): Promise<Did[]>;
  /**
   * Numbers of an operator in number order after `afterNumber`; with `holderId`, only those
   * the account holds now.
   */
  listDids(query: { operatorId: string; holderId: string | null; afterNumber: string | null;
    limit: number }): Promise<Did[]>;
  /** The holds of a number that have not ended, carrier first (depth order). */
  activeHoldings(key: DidKey): Promise<DidHolding[]>;
  /**
   * Starts a hold, if no hold at its depth is active, and sets the number's state; false
   * (nothing written) when another assignment took the depth first.
   */
  startHolding(holding: DidHolding, state: DidState): Promise<boolean>;
  /** Undoes a hold whose setup fee was refused (nothing was charged on it). */
  removeHolding(holding: DidHolding, state: DidState): Promise<void>;
  /** Ends the active holds at `fromDepth` and deeper; sets the number's state. */
  endHoldings(key: DidKey, options: { fromDepth: number; endedAtMs: number; state: DidState;
    quarantineUntilMs: number | null }): Promise<number>;
  setDestination(key: DidKey, destination: DidDestination | null): Promise<boolean>;
  /** Active holds whose setup is unpaid or whose cursor is at or before `atMs`, id order. */
  listDueHoldings(query: { atMs: number; afterId: string | null; limit: number }):
    Promise<DidHolding[]>;
  markSetupCharged(id: string): Promise<void>;
  /** Moves the cursor forward only (a slower node never moves it back). */
  advanceCursor(id: string, chargedThroughMs: number): Promise<void>;
  /** The job lease shared with billing (`job_leases`): true when `holder` holds `name`. */
  acquireLease(lease: { name: string; holder: string; nowMs: number; untilMs: number }):
    Promise<boolean>;
}

export interface DidKey {
  readonly operatorId: string;
  readonly number: string;
}
