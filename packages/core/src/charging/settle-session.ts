import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { sortedUniqueAccountIds, type AccountId } from '../ledger/account.ts';
import { loadSpend } from '../ledger/chain-legs.ts';
import { postChargeInTransaction } from '../ledger/charge-transfers.ts';
import { commitReservationInTransaction } from '../ledger/commit-reservation.ts';
import type { LockedAccount } from '../ledger/ledger-store.ts';
import { planCall } from '../rating/call-plan.ts';
import type { ChargingDeps, ChargingTransaction } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import type {
  Cdr,
  CdrDisposition,
  GrantAnswer,
  TerminateAnswer,
} from './charging-types.ts';
import type { DeckLookup } from './charging-work.ts';
import { killAnswerOf } from './closed-session-answers.ts';
import { nextGrant } from './next-grant.ts';
import { levelCost, type LevelUsage, type PricedLevel } from './priced-levels.ts';
import type { SessionRecord } from './session-record.ts';
import { deadlinesOf, reservationIdOf } from './session-state.ts';
import { encodeStoredAnswer } from './stored-answer.ts';

export interface SettleContext {
  readonly deps: ChargingDeps;
  readonly tx: ChargingTransaction;
  readonly session: SessionRecord;
  readonly requestNumber: number;
  readonly usedSeconds: number;
  readonly nowMs: number;
  readonly deckOf: DeckLookup;
  /** Seconds the switch asked for next (update only); undefined: the slice. */
  readonly requestedSeconds?: number | undefined;
}

interface Settled {
  readonly locked: readonly LockedAccount[];
  readonly levels: readonly PricedLevel[];
  /** Seconds charged: what was reported, never past what was granted. */
  readonly chargedSeconds: number;
  /** Per level, account currency: the cost of the charged seconds. */
  readonly costMicros: readonly Micros[];
  /** Per level: the rated charged seconds (billed and bundle seconds, prefix). */
  readonly usages: readonly LevelUsage[];
  /** Per level: what this request posts (cost - committed before). */
  readonly commitMicros: readonly Micros[];
}

/**
 * Locks the session's chain and prices what it used. A switch that reports more than it was
 * granted is charged for the granted seconds only: it was told to hang up, and holding it to
 * more would take money that was never reserved (the overrun is kept in the CDR's used
 * seconds).
 */
async function priceUsage(context: SettleContext): Promise<Settled> {
  const { deps, tx, session } = context;
  const locked = await tx.lockAccounts(sessionLockIds(session));
  const byId = new Map(locked.map((entry) => [entry.account.id as string, entry.account]));
  const levels: PricedLevel[] = [];
  for (const level of session.levels) {
    const account = byId.get(level.accountId);
    assert(account !== undefined, 'accounts of a live session are never deleted');
    let plan = null;
    if (level.deckId !== null) {
      const deck = context.deckOf(level.deckId);
      assert(deck !== null, 'decks are immutable and never deleted');
      const planned = planCall({ deck, number: session.callee, startedAtMs: session.startedAtMs,
        horizonS: deps.settings.callDurationSecondsMax });
      assert(planned.status === 'planned', 'a planned call plans again the same way');
      plan = planned.plan;
    }
    levels.push({ account, deckId: level.deckId, plan, payeeAccountId: level.payeeAccountId,
      rate: { numerator: level.rateNumerator, denominator: level.rateDenominator } });
  }
  const chargedSeconds = Math.min(context.usedSeconds, session.grantedUntilSeconds);
  const usages = levels.map((level, index) => {
    const usage = levelCost(level, chargedSeconds, index === 0 ? session.bundleSecondsHeld : 0);
    assert(usage !== null, 'granted seconds are always rated');
    return usage;
  });
  const costMicros = usages.map((usage) => usage.costMicros);
  const commitMicros = session.levels.map((level, index) => {
    const commit = micros(costMicros[index]! - level.committedMicros);
    assert(commit >= 0n, 'a cumulative cost never decreases');
    assert(commit <= level.reservedMicros, 'granted seconds never cost more than was held');
    return commit;
  });
  return { locked, levels, chargedSeconds, costMicros, usages, commitMicros };
}

/** Every account a session's money moves between: its chain and the carrier it pays. */
export function sessionLockIds(session: SessionRecord): AccountId[] {
  const ids: string[] = [];
  for (const level of session.levels) {
    ids.push(level.accountId);
    if (level.payeeAccountId !== null) ids.push(level.payeeAccountId);
  }
  return sortedUniqueAccountIds(ids as AccountId[]);
}

/** update: commit what was used and hold the next slice, in one transaction. */
export async function settleAndGrant(context: SettleContext): Promise<ChargingResult<GrantAnswer>> {
  const { deps, tx, session, nowMs } = context;
  const settled = await priceUsage(context);
  const releasing = session.levels.map((level, index) =>
    micros(level.reservedMicros - settled.commitMicros[index]!));
  // Read once: the grant and the check of the hold it makes see the same windows.
  const spend = await loadSpend(tx, settled.locked.map((entry) => entry.account), nowMs);
  const next = nextGrant({ levels: settled.levels, locked: settled.locked, spend, nowMs,
    usedS: settled.chargedSeconds, releasingMicros: releasing,
    bundleSeconds: session.bundleSecondsHeld, settings: deps.settings,
    requestedS: context.requestedSeconds });
  const grantedSeconds = next.kind === 'granted' ? next.grant.grantedSeconds : 0;
  const holds = settled.levels.map((_, index) => next.kind === 'granted'
    ? micros(next.exposureMicros[index]! - settled.costMicros[index]!) : micros(0n));
  const { hangupAtMs, deadlineMs, reservationExpiresAtMs } =
    deadlinesOf(nowMs, grantedSeconds, deps.settings);
  const reservationId = reservationIdOf(session.sessionId);
  const committed = await commitReservationInTransaction(tx, { reservationId,
    idempotencyKey: `${reservationId}:${context.requestNumber}`,
    amountsMicros: settled.commitMicros,
    keepOpen: { amountsMicros: holds, expiresAtMs: reservationExpiresAtMs } }, nowMs,
    { idempotencyOwner: 'caller', locked: settled.locked, spend });
  if (!committed.ok) return committed;
  const answer: GrantAnswer = { status: 'granted', sessionId: session.sessionId,
    requestNumber: context.requestNumber, grantedSeconds,
    final: next.kind === 'refused' || next.grant.final, hangupAtMs,
    usedSeconds: context.usedSeconds, costMicros: settled.costMicros[0]!,
    currency: settled.levels[0]!.account.currency };
  await tx.updateSession({ ...session, lastRequestNumber: context.requestNumber,
    usedSeconds: context.usedSeconds, grantedUntilSeconds: settled.chargedSeconds + grantedSeconds,
    hangupAtMs, deadlineMs, updatedAtMs: nowMs, lastAnswerJson: encodeStoredAnswer(answer),
    levels: session.levels.map((level, index) => ({ ...level,
      committedMicros: settled.costMicros[index]!, reservedMicros: holds[index]! })) });
  return success(answer);
}

/**
 * terminate (and the sweeper, and a kill): commit the final cost, release the rest, write the
 * CDR. A kill's settlement is stored tagged `killed`, so that what the switch sends after it,
 * whatever its number, is answered as coming after a kill (session-requests.ts).
 */
export async function settleAndClose(
  context: SettleContext,
  disposition: CdrDisposition,
): Promise<ChargingResult<TerminateAnswer>> {
  const { tx, session, nowMs } = context;
  const settled = await priceUsage(context);
  const posted = await postFinal(context, settled.commitMicros, settled.locked);
  if (!posted.ok) return posted;
  const usage = settled.usages[0]!;
  if (session.bundleId !== null && session.bundleSecondsHeld > usage.bundleSeconds) {
    await tx.addBundleSeconds(session.bundleId, session.bundleSecondsHeld - usage.bundleSeconds);
  }
  const cdr = cdrOf(context, settled, disposition, usage);
  await tx.insertCdr(cdr);
  const answer: TerminateAnswer = { status: 'terminated', sessionId: session.sessionId,
    requestNumber: context.requestNumber, cdrId: cdr.id, usedSeconds: context.usedSeconds,
    billedSeconds: usage.billedSeconds, costMicros: cdr.costMicros, currency: cdr.currency,
    ...(cdr.carrier === null ? {} : { carrierId: cdr.carrier.carrierId,
      carrierPrefix: cdr.carrier.prefix }) };
  const stored = disposition === 'killed' ? killAnswerOf(answer) : answer;
  await tx.updateSession({ ...session, state: 'closed', lastRequestNumber: context.requestNumber,
    usedSeconds: context.usedSeconds, updatedAtMs: nowMs,
    lastAnswerJson: encodeStoredAnswer(stored),
    levels: session.levels.map((level, index) => ({ ...level,
      committedMicros: settled.costMicros[index]!, reservedMicros: micros(0n) })) });
  return success(answer);
}

/**
 * Posts the final commit and releases the rest of the hold. If the ledger already expired the
 * hold (the sweeper ran very late, e.g. after a long outage), the used part is still charged,
 * as plain chain charges: a call that happened is never free.
 */
async function postFinal(
  context: SettleContext,
  commitMicros: readonly Micros[],
  locked: readonly LockedAccount[],
) {
  const { tx, session, nowMs } = context;
  const reservationId = reservationIdOf(session.sessionId);
  const idempotencyKey = `${reservationId}:${context.requestNumber}`;
  const committed = await commitReservationInTransaction(tx, { reservationId, idempotencyKey,
    amountsMicros: commitMicros }, nowMs, { idempotencyOwner: 'caller', locked });
  if (committed.ok) return success(null);
  const expired = committed.code === 'reservation_expired' ||
    committed.code === 'reservation_already_expired';
  if (!expired) return committed;
  const legs = session.levels.flatMap((level, index) => commitMicros[index]! === 0n ? [] : [{
    accountId: level.accountId, parentId: level.parentId, currency: level.currency,
    amountMicros: commitMicros[index]!, payeeAccountId: level.payeeAccountId }]);
  if (legs.length === 0) return success(null);
  const charged = await postChargeInTransaction(tx, { reference: reservationId, idempotencyKey,
    legs, overdraft: 'allow' }, nowMs);
  return charged.ok ? success(null) : charged;
}

function cdrOf(
  context: SettleContext,
  settled: Settled,
  disposition: CdrDisposition,
  usage: LevelUsage,
): Cdr {
  const { session, nowMs } = context;
  return {
    id: `c:${session.sessionId}`,
    sessionId: session.sessionId,
    accountId: session.accountId,
    caller: session.caller,
    callee: session.callee,
    startedAtMs: session.startedAtMs,
    endedAtMs: nowMs,
    usedSeconds: context.usedSeconds,
    billedSeconds: usage.billedSeconds,
    bundleSeconds: usage.bundleSeconds,
    costMicros: settled.costMicros[0]!,
    currency: settled.levels[0]!.account.currency,
    disposition,
    levels: settled.levels.map((level, index) => ({ accountId: level.account.id,
      deckId: level.deckId, prefix: level.plan?.prefix ?? null,
      currency: level.account.currency, costMicros: settled.costMicros[index]!,
      billedSeconds: settled.usages[index]!.billedSeconds })),
    carrier: carrierOf(session, settled),
  };
}

/** The carrier's own figure for the call: the root level's cost before conversion. */
function carrierOf(session: SessionRecord, settled: Settled): Cdr['carrier'] {
  if (session.carrierId === null) return null;
  const root = settled.levels.at(-1)!;
  const usage = settled.usages.at(-1)!;
  assert(root.plan !== null && root.payeeAccountId !== null, 'a routed root is priced');
  return { carrierId: session.carrierId, prefix: usage.prefix ?? root.plan.prefix,
    currency: root.plan.deck.settings.currency as Cdr['currency'],
    costMicros: usage.deckCostMicros, billedSeconds: usage.billedSeconds };
}
