import type { Result } from '../kernel/result.ts';
import { expireReservations } from '../ledger/release-reservation.ts';
import type { ChargingDeps } from './charging-ports.ts';
import type { SweepOutcome } from './charging-service.ts';
import { inPricingTransaction } from './charging-work.ts';
import { settleAndClose } from './settle-session.ts';

/**
 * Closes sessions whose switch went silent past the deadline of their last grant (switch
 * crashed, BYE lost): settles what the policy says (reported or granted seconds), releases the
 * rest and writes a CDR with disposition `timeout`. Then lets the ledger expire holds whose
 * backstop passed.
 *
 * A blip never mass-terminates live calls: the deadline is the grant's end plus a grace period,
 * and for one grace period after start-up the sweeper does nothing, so switches that could not
 * reach Tollgate while it was down get to report first. Each session is closed in its own
 * transaction, at most `sweepBatchMax` per sweep.
 */
export async function sweepStaleSessions(deps: ChargingDeps): Promise<SweepOutcome> {
  const nowMs = deps.clock.nowMs();
  if (nowMs < deps.startedAtMs + deps.settings.sessionGraceMs) return { closed: 0, more: false };
  const limit = deps.settings.sweepBatchMax;
  // Not a read-only transaction: the charging engine answers it from the live sessions it
  // owns (a node sweeps only the trees it decides for), where storage would list every node's.
  const stale = await deps.store.transaction((tx) => tx.listStaleSessions(nowMs, limit + 1));
  let closed = 0;
  for (const candidate of stale.slice(0, limit)) {
    const result: Result<boolean> = await inPricingTransaction(deps, async (tx, deckOf) => {
      const session = await tx.findSession(candidate.sessionId);
      // Re-read under the transaction: the switch may have reported in the meantime.
      if (session === null || session.state !== 'live' || session.deadlineMs > nowMs) {
        return { ok: true, value: false };
      }
      const usedSeconds = deps.settings.staleSessionCharge === 'granted'
        ? session.grantedUntilSeconds : session.usedSeconds;
      const settled = await settleAndClose({ deps, tx, session, usedSeconds, nowMs, deckOf,
        requestNumber: session.lastRequestNumber + 1 }, 'timeout');
      return settled.ok ? { ok: true, value: true } : settled;
    });
    if (result.ok && result.value) closed += 1;
  }
  await expireReservations({ store: deps.store, clock: deps.clock }, { limit });
  return { closed, more: stale.length > limit };
}
