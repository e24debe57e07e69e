import { micros } from '../kernel/money.ts';

/**
 * Every bound of the ledger, by name (conventions, rule 8). Input beyond a bound is a typed
 * problem; an internal walk beyond a bound is an assertion.
 */
export const ledgerLimits = {
  /** Resellers nest: a reseller directly under an admin has depth 1. */
  resellerDepthMax: 5,
  /** super_admin + admin + resellerDepthMax resellers + customer. */
  accountChainDepthMax: 8,
  /** A reservation holds money at every level of one chain, at most. */
  reservationLegsMax: 8,
  /** A reservation may live at most a day; a live call renews it with every grant. */
  reservationTtlMsMax: 86_400_000,
  /** Reservations the sweeper expires in one transaction. */
  expireBatchMax: 500,
  /** Children returned by one page of listChildren. */
  childrenPageMax: 500,
  /** Reseller accounts visited when measuring a subtree before a re-parenting. */
  subtreeAccountsMax: 10_000,
  /** Books compared per page by the verification. */
  verifyPageSizeMax: 1_000,
  /** Pages the verification reads: with verifyPageSizeMax, 10 million books. */
  verifyPagesMax: 10_000,
  /** Mismatches listed in one verification report (the count is always exact). */
  verifyFindingsMax: 100,
  idLengthMax: 64,
  /**
   * A stored account id: an id chosen (idLengthMax) under the namespaces of the accounts whose
   * keys made it and its ancestors (`<root>~<admin>~<reseller>~<id>`, account.ts), four chosen
   * ids and their separators at most, as deep as the tiers go.
   */
  accountIdLengthMax: 4 * 64 + 3,
  referenceLengthMax: 128,
  /**
   * Keys the shell builds embed an account id and a reference (`topup:<account>:<reference>`):
   * room for both at their longest (accountIdLengthMax, referenceLengthMax) and a prefix.
   */
  idempotencyKeyLengthMax: 4 * 64 + 3 + 128 + 32,
  nameLengthMax: 200,
  concurrentCallsMaxLimit: 1_000_000,
  /** Sanity bound on one amount: a bad tariff or a typo cannot move a fortune. */
  amountMicrosMax: micros(1_000_000_000_000_000n),
} as const;
