import { success } from '../kernel/result.ts';
import { postChargeInTransaction } from '../ledger/charge-transfers.ts';
import { fundsCodes, type FundsCode } from '../ledger/ledger-problem.ts';
import { bundleSecondsFor } from '../rating/bundle.ts';
import { loadScopedChain, lockChain } from './authorize.ts';
import { checkEventInput } from './charging-input.ts';
import type { ChargingDeps, ChargingTransaction } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import type { EventAnswer, EventInput, RefusalAnswer } from './charging-types.ts';
import { chargingProblem, inPricingTransaction } from './charging-work.ts';
import { levelCost, priceChain, type PricedLevel } from './priced-levels.ts';
import type { SessionRecord } from './session-record.ts';
import { decodeStoredAnswer, encodeStoredAnswer, isRefusal } from './stored-answer.ts';

/**
 * One-shot charging (charging.md, "event"): a whole usage rated and posted at every level at
 * once, with its CDR, or refused. Keyed by the event id like a session (`e:<id>`), so a repeat
 * is answered from storage and moves no money.
 */
export async function chargeEvent(
  deps: ChargingDeps,
  input: EventInput,
): Promise<ChargingResult<EventAnswer | RefusalAnswer>> {
  const malformed = checkEventInput(input, deps.settings);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  const startedAtMs = input.startedAtMs ?? nowMs;
  const sessionId = `e:${input.eventId}`;
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const scoped = await loadScopedChain(tx, input.accountId, input.scopeAccountId);
    if (!scoped.ok) return scoped;
    const chain = scoped.value;
    const existing = await tx.findSession(sessionId);
    if (existing !== null) {
      if (existing.accountId !== input.accountId || existing.callee !== input.callee) {
        return chargingProblem('event_exists', `event ${input.eventId} exists`);
      }
      // A repeated event: the stored answer, unless the id is a call's (another thing).
      const stored = decodeStoredAnswer(existing.lastAnswerJson);
      if (stored.status === 'charged' || isRefusal(stored)) return success(stored);
      return chargingProblem('event_exists', `event ${input.eventId} exists`);
    }
    await lockChain(tx, chain);
    const context = { deps, tx, input, sessionId, startedAtMs, nowMs };
    const priced = await priceChain({ tx, deckOf, chain, callee: input.callee,
      startedAtMs, horizonS: input.durationSeconds });
    if (!priced.ok) {
      return success(await refuseEvent(context, priced.code, priced.accountId, priced.message));
    }
    return postEvent(context, priced.levels);
  });
}

interface EventContext {
  readonly deps: ChargingDeps;
  readonly tx: ChargingTransaction;
  readonly input: EventInput;
  readonly sessionId: string;
  readonly startedAtMs: number;
  readonly nowMs: number;
}

async function postEvent(
  context: EventContext,
  levels: readonly PricedLevel[],
): Promise<ChargingResult<EventAnswer | RefusalAnswer>> {
  const { tx, input, sessionId, nowMs } = context;
  const customer = levels[0]!;
  const bundles = await tx.findBundles(customer.account.id);
  const bundle = customer.plan === null ? { bundleId: null, seconds: 0 }
    : bundleSecondsFor(customer.plan, bundles.filter((entry) => entry.timeBand === null &&
      (entry.validUntilMs === null || entry.validUntilMs > nowMs)).map((entry) => ({
      bundleId: entry.id, prefixes: entry.prefixes, timeBand: null,
      secondsRemaining: entry.secondsRemaining })));
  const costs = levels.map((level, index) =>
    levelCost(level, input.durationSeconds, index === 0 ? bundle.seconds : 0));
  const gap = costs.findIndex((cost) => cost === null);
  if (gap >= 0) {
    return success(await refuseEvent(context, 'no_rate', levels[gap]!.account.id,
      'the rate has a gap inside the event'));
  }
  const legs = levels.flatMap((level, index) => costs[index]!.costMicros === 0n ? [] : [{
    accountId: level.account.id, parentId: level.account.parentId,
    currency: level.account.currency, amountMicros: costs[index]!.costMicros }]);
  if (legs.length > 0) {
    const posted = await postChargeInTransaction(tx, { reference: sessionId,
      idempotencyKey: sessionId, legs, overdraft: 'refuse' }, nowMs);
    if (!posted.ok) {
      if (!(fundsCodes as readonly string[]).includes(posted.code)) return posted;
      return success(await refuseEvent(context, posted.code as FundsCode,
        posted.accountId ?? null, posted.message));
    }
  }
  const usage = costs[0]!;
  if (bundle.bundleId !== null && usage.bundleSeconds > 0) {
    await tx.addBundleSeconds(bundle.bundleId, -usage.bundleSeconds);
  }
  const cdrId = `c:${sessionId}`;
  await tx.insertCdr({ id: cdrId, sessionId, accountId: input.accountId, caller: input.caller,
    callee: input.callee, startedAtMs: context.startedAtMs, endedAtMs: nowMs,
    usedSeconds: input.durationSeconds, billedSeconds: usage.billedSeconds,
    bundleSeconds: usage.bundleSeconds, costMicros: usage.costMicros,
    currency: customer.account.currency, disposition: 'event',
    levels: levels.map((level, index) => ({ accountId: level.account.id, deckId: level.deckId,
      prefix: costs[index]!.prefix, currency: level.account.currency,
      costMicros: costs[index]!.costMicros, billedSeconds: costs[index]!.billedSeconds })),
    // Events are rated after the fact and not routed: the root pays its own deck, if any.
    carrier: null });
  const answer: EventAnswer = { status: 'charged', eventId: input.eventId, cdrId,
    billedSeconds: usage.billedSeconds, costMicros: usage.costMicros,
    currency: customer.account.currency };
  await tx.insertSession(eventRecord(context, 'closed', answer));
  return success(answer);
}

async function refuseEvent(
  context: EventContext,
  status: RefusalAnswer['status'],
  accountId: string | null,
  message: string,
): Promise<RefusalAnswer> {
  const answer: RefusalAnswer = { status, sessionId: context.sessionId, requestNumber: 0,
    accountId, message };
  await context.tx.insertSession(eventRecord(context, 'refused', answer));
  return answer;
}

/** An event is stored as a closed (or refused) session, so its id cannot be charged twice. */
function eventRecord(
  context: EventContext,
  state: 'closed' | 'refused',
  answer: EventAnswer | RefusalAnswer,
): SessionRecord {
  const { input, sessionId, nowMs } = context;
  return { sessionId, accountId: input.accountId, state, caller: input.caller,
    callee: input.callee, startedAtMs: context.startedAtMs, lastRequestNumber: 0,
    usedSeconds: input.durationSeconds, grantedUntilSeconds: input.durationSeconds,
    hangupAtMs: nowMs, deadlineMs: nowMs, levels: [], carrierId: null, bundleId: null,
    bundleSecondsHeld: 0, lastAnswerJson: encodeStoredAnswer(answer), updatedAtMs: nowMs };
}

