import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';

/** One level of a live call's chain, fixed at authorize. */
export interface SessionLevel {
  readonly accountId: string;
  readonly parentId: string | null;
  /** The account's own currency: reservations and commits are in it. */
  readonly currency: CurrencyCode;
  /** The deck that prices this level (its parent's plan for it), or null: pays nothing. */
  readonly deckId: string | null;
  /** Exchange rate deck currency -> account currency, as a fraction; 1/1 when equal. */
  readonly rateNumerator: bigint;
  readonly rateDenominator: bigint;
  /** Posted for this call so far, in the account's currency. */
  readonly committedMicros: Micros;
  /** Held for the current grant, in the account's currency. */
  readonly reservedMicros: Micros;
  /** A root level routed to a carrier pays the carrier's ledger account; otherwise null. */
  readonly payeeAccountId: string | null;
}

export const sessionStates = ['live', 'closed', 'refused'] as const;
export type SessionState = (typeof sessionStates)[number];

export interface SessionRecord {
  readonly sessionId: string;
  readonly accountId: string;
  readonly state: SessionState;
  readonly caller: string;
  readonly callee: string;
  readonly startedAtMs: number;
  readonly lastRequestNumber: number;
  readonly usedSeconds: number;
  /** Total seconds granted so far (used + the current grant). */
  readonly grantedUntilSeconds: number;
  readonly hangupAtMs: number;
  /** The sweeper closes the session after this instant. */
  readonly deadlineMs: number;
  readonly levels: readonly SessionLevel[];
  /** The carrier the call was routed to (least-cost routing), or null. */
  readonly carrierId: string | null;
  /** A bundle whose seconds this call holds, and how many it holds. */
  readonly bundleId: string | null;
  readonly bundleSecondsHeld: number;
  /** The answer to `lastRequestNumber`, returned again on a retransmission. */
  readonly lastAnswerJson: string;
  readonly updatedAtMs: number;
}

export interface BundleRecord {
  readonly id: string;
  readonly accountId: string;
  readonly prefixes: readonly string[];
  readonly timeBand: string | null;
  readonly secondsRemaining: number;
  readonly validUntilMs: number | null;
  readonly createdAtMs: number;
}
