import type { FirstPeriodMode } from '../billing/recurring-periods.ts';
import type { Micros } from '../kernel/money.ts';

/**
 * A phone number an operator sells (a DID). Numbers are E.164 digits without the `+`; the
 * inventory belongs to one operator (a root account) and comes from one of its carriers.
 */
export interface Did {
  readonly number: string;
  readonly operatorId: string;
  /** ISO 3166-1 alpha-2, as the carrier states it. */
  readonly country: string;
  /** The routing carrier the number comes from; null for a number the operator owns. */
  readonly carrierId: string | null;
  /** What the carrier charges, in the operator's currency. */
  readonly carrierSetupMicros: Micros;
  readonly carrierMonthlyMicros: Micros;
  /** As stored; `quarantine` past its end reads as `available` (`didStateAt`). */
  readonly state: DidStoredState;
  readonly quarantineUntilMs: number | null;
  readonly destination: DidDestination | null;
  readonly createdAtMs: number;
}

export const didStates = ['available', 'assigned', 'quarantine'] as const;
export type DidState = (typeof didStates)[number];
export type DidStoredState = DidState;

/** Where an inbound call to the number rings. */
export const didDestinationKinds = ['sip_uri', 'extension', 'account'] as const;
export type DidDestinationKind = (typeof didDestinationKinds)[number];
export interface DidDestination {
  readonly kind: DidDestinationKind;
  /** A `sip:` URI, an extension (digits, `*`, `#`), or the id of an account of the tree. */
  readonly value: string;
}

/**
 * One level's hold of a number, and the fees that go with it: the holder pays its payee the
 * setup price once and the monthly price once per period while the hold lasts. Two kinds:
 * `carrier` (the operator holds the number from its carrier: the operator pays the carrier's
 * account) and `parent` (an account holds it from its parent, who assigned it).
 */
export interface DidHolding {
  readonly id: string;
  readonly operatorId: string;
  readonly number: string;
  readonly kind: 'carrier' | 'parent';
  /** 0 for the carrier hold, 1 for the root's child, and so on down the tree. */
  readonly depth: number;
  readonly accountId: string;
  /** The parent for `parent`; the carrier's ledger account for `carrier`. */
  readonly payeeAccountId: string;
  readonly currency: string;
  readonly setupMicros: Micros;
  readonly monthlyMicros: Micros;
  /** The deck inbound calls are priced with at this level; null: free. */
  readonly inboundDeckId: string | null;
  readonly firstPeriod: DidFirstPeriod;
  readonly startedAtMs: number;
  readonly endedAtMs: number | null;
  readonly setupCharged: boolean;
  /** The end of the last fee period charged: the fee job's cursor. */
  readonly chargedThroughMs: number;
}

/** The first period's monthly fee, prorated or full (`billing/recurring-periods.ts`). */
export type DidFirstPeriod = FirstPeriodMode;

export interface DidSettings {
  readonly firstPeriod: DidFirstPeriod;
  /** Days a released number rests before it can be assigned again (0: at once). */
  readonly quarantineDays: number;
}

export const didSettingsDefault: DidSettings = { firstPeriod: 'prorated', quarantineDays: 30 };

/** The state a number is in at `nowMs`: a quarantine ends by itself. */
export function didStateAt(did: Pick<Did, 'state' | 'quarantineUntilMs'>, nowMs: number):
  DidState {
  if (did.state === 'quarantine' && (did.quarantineUntilMs ?? 0) <= nowMs) return 'available';
  return did.state;
}
