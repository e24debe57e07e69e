import { micros } from '../kernel/money.ts';
import type { BookTotal } from '../ledger/ledger-store.ts';
import type { Reservation } from '../ledger/reservation.ts';
import { bookOwner } from '../ledger/book.ts';
import type { ReconcileFinding } from './reconcile-types.ts';

/**
 * Held money against live sessions: every live session holds through an open reservation,
 * and every main book of the scope holds exactly what its live sessions' open legs hold (a
 * hold left by a session that ended is money a customer cannot spend). Pure.
 */
export function compareHolds(input: {
  /** The scope's live sessions with their reservation (null when none was found). */
  readonly live: readonly { readonly sessionId: string; readonly accountId: string;
    readonly reservation: Reservation | null }[];
  /** Sum of all open legs per main book of the scope. */
  readonly reservedByBook: readonly BookTotal[];
}): ReconcileFinding[] {
  const findings: ReconcileFinding[] = [];
  const liveByBook = new Map<string, bigint>();
  for (const session of input.live) {
    const reservation = session.reservation;
    if (reservation === null || reservation.state !== 'open') {
      findings.push({ kind: 'session_without_hold', accountId: session.accountId,
        sessionId: session.sessionId, carrierId: null, currency: null,
        expectedMicros: micros(0n), actualMicros: micros(0n), transferIds: [] });
      continue;
    }
    for (const leg of reservation.legs) {
      liveByBook.set(leg.debitBookId, (liveByBook.get(leg.debitBookId) ?? 0n) +
        leg.pendingMicros);
    }
  }
  for (const total of input.reservedByBook) {
    const live = liveByBook.get(total.bookId) ?? 0n;
    if (live === total.amountMicros) continue;
    findings.push({ kind: 'hold_without_session', accountId: bookOwner(total.bookId),
      sessionId: null, carrierId: null, currency: null, expectedMicros: micros(live),
      actualMicros: total.amountMicros, transferIds: [] });
  }
  return findings;
}
