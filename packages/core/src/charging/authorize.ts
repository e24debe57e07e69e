import { micros, type Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { sortedUniqueAccountIds, type Account, type AccountId } from '../ledger/account.ts';
import { loadChain } from '../ledger/account-chain.ts';
import { loadSpend, type SpendRead } from '../ledger/chain-legs.ts';
import type { LockedAccount } from '../ledger/ledger-store.ts';
import { reserveChainInTransaction } from '../ledger/reserve-chain.ts';
import { TransactionConflictError } from '../ledger/ledger-store.ts';
import { bundleSecondsFor } from '../rating/bundle.ts';
import { defaultExpectedDurationS, routingLimits, type Carrier } from '../routing/carrier.ts';
import { routeCall } from '../routing/route-candidates.ts';
import { noRouting, type RoutingView } from '../routing/routing-ports.ts';
import { checkAuthorizeInput } from './charging-input.ts';
import type { ChargingDeps, ChargingTransaction } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import type {
  AuthorizeInput,
  GrantAnswer,
  RefusalAnswer,
  RouteChoice,
} from './charging-types.ts';
import { chargingProblem, inPricingTransaction, type DeckLookup } from './charging-work.ts';
import { nextGrant } from './next-grant.ts';
import { priceChain, type PricedLevel } from './priced-levels.ts';
import { deadlinesOf, reservationIdOf, sessionRecordOf } from './session-state.ts';
import { decodeStoredAnswer, isRefusal } from './stored-answer.ts';

/**
 * authorize / start (charging.md, "A live call", step 1): under the locks of the whole chain,
 * price the call for every level, grant what all of them can pay (net of their other live
 * calls' holds) and hold its cost at every level, atomically; or refuse, holding nothing.
 */
export async function authorize(
  deps: ChargingDeps,
  input: AuthorizeInput,
): Promise<ChargingResult<GrantAnswer | RefusalAnswer>> {
  const malformed = checkAuthorizeInput(input, deps.settings);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  const routing = deps.routing ?? noRouting;
  // Routing configuration is read before the transaction, like decks: never I/O inside it.
  const view = await routing.view();
  const ticket = routing.ticket();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const scoped = await loadScopedChain(tx, input.accountId, input.scopeAccountId);
    if (!scoped.ok) return scoped;
    const chain = scoped.value;
    const existing = await tx.findSession(input.sessionId);
    if (existing !== null) {
      if (existing.accountId !== input.accountId || existing.callee !== input.callee) {
        return chargingProblem('session_exists', `session ${input.sessionId} exists`);
      }
      if (existing.lastRequestNumber !== 0) {
        return chargingProblem('request_out_of_order',
          `session ${input.sessionId} is past request_number 0`);
      }
      // A retransmitted authorize: the stored answer, no money moves. Only a call's own first
      // answer replays; an event keyed by the same id is another thing with that id.
      const stored = decodeStoredAnswer(existing.lastAnswerJson);
      if (stored.status === 'granted' || isRefusal(stored)) return success(stored);
      return chargingProblem('session_exists', `session ${input.sessionId} exists`);
    }
    const routed = await chooseCarrier({ tx, deckOf, view, chain, input, nowMs, ticket });
    if (routed.kind === 'refused') {
      return success(await refusal(tx, input, nowMs, { status: 'no_route', accountId: null,
        message: routed.message }));
    }
    const carrier = routed.kind === 'routed' ? routed.carrier : null;
    const locked = await lockChain(tx, chain, carrier?.accountId);
    if (carrier !== null) await recheckCapacity(tx, carrier);
    // Only what was read under the locks is trusted: take each account from the lock.
    const byId = new Map(locked.map((entry) => [entry.account.id as string, entry.account]));
    const lockedChain = chain.map((account) => byId.get(account.id) ?? account);
    return success(await grantFirstSlice({ deps, tx, input, chain: lockedChain, locked, nowMs,
      deckOf, route: routed.kind === 'routed' ? routed : null }));
  });
}

/**
 * The account and its ancestors, or `account_not_found` when it is missing or the caller's
 * scope is not on the chain (the same answer: a key never learns which). Checked before
 * anything else is read, so a key never learns of a session or an event outside its tree.
 */
export async function loadScopedChain(
  tx: ChargingTransaction,
  accountId: string,
  scopeAccountId: string | undefined,
): Promise<ChargingResult<Account[]>> {
  const chain = await loadChain(tx, accountId as AccountId);
  if (chain === null) return chargingProblem('account_not_found', `no account ${accountId}`);
  if (!inScope(chain.map((account) => account.id), scopeAccountId)) return outOfScope(accountId);
  return success(chain);
}

/** True when no scope is asked for, or the chain (the account and its ancestors) holds it. */
export function inScope(chainIds: readonly string[], scopeAccountId: string | undefined) {
  return scopeAccountId === undefined || chainIds.includes(scopeAccountId);
}

/** An account outside the key's tree answers exactly like a missing one. */
export function outOfScope(accountId: string) {
  return chargingProblem('account_not_found', `no account ${accountId}`);
}

/** A session outside the key's tree answers exactly like a missing one. */
export function sessionOutOfScope(sessionId: string) {
  return chargingProblem('session_not_found', `no session ${sessionId}`);
}

type Routed =
  | { readonly kind: 'not_routed' }
  | { readonly kind: 'routed'; readonly carrier: Carrier; readonly choice: RouteChoice;
    readonly fallbacks: readonly RouteChoice[] }
  | { readonly kind: 'refused'; readonly message: string };

/**
 * The carrier of a call: the one the switch named, if it is among the usable routes, or the
 * first route. An operator without carriers does not route (its root pays its own deck).
 */
async function chooseCarrier(options: {
  tx: ChargingTransaction;
  deckOf: DeckLookup;
  view: RoutingView;
  chain: readonly Account[];
  input: AuthorizeInput;
  nowMs: number;
  ticket: number;
}): Promise<Routed> {
  const { view, chain, input } = options;
  const carriers = view.carriersOf(chain.at(-1)!.id);
  if (carriers.length === 0) {
    return input.carrierId === undefined ? { kind: 'not_routed' }
      : { kind: 'refused', message: `carrier ${input.carrierId} is not known` };
  }
  const selection = await routeCall({ tx: options.tx, deckOf: options.deckOf, view, chain,
    callee: input.callee, startedAtMs: options.nowMs, expectedS: defaultExpectedDurationS,
    ticket: options.ticket });
  if (!selection.ok) {
    return { kind: 'refused', message: `no route for ${input.callee}: ${selection.reason}` };
  }
  const route = input.carrierId === undefined ? selection.routes[0]!
    : selection.routes.find((entry) => entry.carrierId === input.carrierId);
  if (route === undefined) {
    const dropped = selection.dropped.find((entry) => entry.carrierId === input.carrierId);
    return { kind: 'refused', message: `carrier ${input.carrierId} is not usable: ` +
      `${dropped?.reason ?? 'not_known'}` };
  }
  const carrier = carriers.find((entry) => entry.id === route.carrierId)!;
  // The usable routes after the chosen one, in the policy's order: where the switch turns when
  // the carrier fails (a loss-making one only under `allow_loss`, as in the routes).
  const fallbacks = selection.routes.filter((entry) => entry !== route)
    .slice(0, routingLimits.fallbacksMax)
    .map((entry) => ({ carrierId: entry.carrierId, gateway: entry.gateway, prefix: entry.prefix }));
  return { kind: 'routed', carrier, fallbacks,
    choice: { carrierId: carrier.id, gateway: carrier.gateway, prefix: route.prefix } };
}

/**
 * The carrier's ledger account is locked by every call routed to it, so its live calls counted
 * now are exact: if another call took the last place since the carrier was chosen, the whole
 * transaction runs again and routes around it.
 */
async function recheckCapacity(tx: ChargingTransaction, carrier: Carrier): Promise<void> {
  if (carrier.concurrentCallsMax === null) return;
  const live = (await tx.countLiveCarrierSessions([carrier.id])).get(carrier.id) ?? 0;
  if (live >= carrier.concurrentCallsMax) {
    throw new TransactionConflictError(`carrier ${carrier.id} filled up while it was chosen`);
  }
}

/**
 * Locks the chain (and the carrier's account a routed call pays) and checks, under the locks,
 * that the chain did not move since it was read.
 */
export async function lockChain(
  tx: ChargingTransaction,
  chain: readonly Account[],
  payeeAccountId?: string,
): Promise<LockedAccount[]> {
  const ids = chain.map((account) => account.id as string);
  if (payeeAccountId !== undefined) ids.push(payeeAccountId);
  const locked = await tx.lockAccounts(sortedUniqueAccountIds(ids as AccountId[]));
  const byId = new Map(locked.map((entry) => [entry.account.id as string, entry.account]));
  for (const account of chain) {
    if (byId.get(account.id)?.parentId !== account.parentId) {
      throw new TransactionConflictError('the chain moved while it was being locked');
    }
  }
  return locked;
}

async function grantFirstSlice(context: {
  deps: ChargingDeps;
  tx: ChargingTransaction;
  input: AuthorizeInput;
  chain: readonly Account[];
  locked: readonly LockedAccount[];
  nowMs: number;
  deckOf: DeckLookup;
  route: { carrier: Carrier; choice: RouteChoice; fallbacks: readonly RouteChoice[] } | null;
}): Promise<GrantAnswer | RefusalAnswer> {
  const { deps, tx, input, chain, locked, nowMs, route } = context;
  const refuse = async (status: RefusalAnswer['status'], accountId: string | null,
    message: string) => refusal(tx, input, nowMs, { status, accountId, message });
  const busy = await concurrencyRefusal(tx, chain);
  if (busy !== null) return refuse('concurrent_calls_limit', busy, `${busy} is at its limit`);
  const bundles = await tx.findBundles(chain[0]!.id);
  const live = bundles.filter((bundle) => bundle.validUntilMs === null ||
    bundle.validUntilMs > nowMs);
  const priced = await priceChain({ tx, deckOf: context.deckOf, chain, callee: input.callee,
    startedAtMs: nowMs, horizonS: deps.settings.callDurationSecondsMax,
    extraBandNames: live.flatMap((bundle) => bundle.timeBand ?? []),
    carrier: route?.carrier ?? null });
  if (!priced.ok) return refuse(priced.code, priced.accountId, priced.message);
  const levels = priced.levels;
  const bundle = levels[0]!.plan === null ? { bundleId: null, seconds: 0 }
    : bundleSecondsFor(levels[0]!.plan, live.map((entry) => ({ bundleId: entry.id,
      prefixes: entry.prefixes, timeBand: entry.timeBand,
      secondsRemaining: entry.secondsRemaining })));
  const zeros = levels.map(() => micros(0n));
  // Read once: the grant and the check of the hold it makes see the same windows.
  const spend = await loadSpend(tx, locked.map((entry) => entry.account), nowMs);
  const next = nextGrant({ levels, locked, spend, nowMs, usedS: 0, releasingMicros: zeros,
    bundleSeconds: bundle.seconds, settings: deps.settings, requestedS: input.requestedSeconds });
  if (next.kind === 'refused') return refuse(next.code, next.accountId, next.message);
  const held = await holdFirstSlice({ tx, input, levels, exposureMicros: next.exposureMicros,
    nowMs, deps, locked, spend });
  if (held !== null) return refuse(held.status, held.accountId, held.message);
  if (bundle.bundleId !== null) await tx.addBundleSeconds(bundle.bundleId, -bundle.seconds);
  const { hangupAtMs, deadlineMs } = deadlinesOf(nowMs, next.grant.grantedSeconds, deps.settings);
  const answer: GrantAnswer = { status: 'granted', sessionId: input.sessionId, requestNumber: 0,
    grantedSeconds: next.grant.grantedSeconds, final: next.grant.final, hangupAtMs,
    usedSeconds: 0, costMicros: micros(0n), currency: levels[0]!.account.currency,
    ...(route === null ? {} : { route: route.choice, fallbacks: route.fallbacks }) };
  await tx.insertSession(sessionRecordOf({ input, levels, exposureMicros: next.exposureMicros,
    answer, deadlineMs, nowMs, bundleId: bundle.bundleId, bundleSecondsHeld: bundle.seconds,
    carrierId: route?.carrier.id ?? null }));
  return answer;
}

/** Every level whose live calls already reach its concurrent-call limit refuses the call. */
async function concurrencyRefusal(
  tx: ChargingTransaction,
  chain: readonly Account[],
): Promise<string | null> {
  const limited = chain.filter((account) => account.concurrentCallsMax !== null);
  if (limited.length === 0) return null;
  const counts = await tx.countLiveSessions(limited.map((account) => account.id));
  for (const account of limited) {
    if ((counts.get(account.id) ?? 0) >= account.concurrentCallsMax!) return account.id;
  }
  return null;
}

async function holdFirstSlice(context: {
  tx: ChargingTransaction;
  input: AuthorizeInput;
  levels: readonly PricedLevel[];
  exposureMicros: readonly Micros[];
  nowMs: number;
  deps: ChargingDeps;
  locked: readonly LockedAccount[];
  spend: SpendRead;
}): Promise<Pick<RefusalAnswer, 'status' | 'accountId' | 'message'> | null> {
  const { tx, input, levels, exposureMicros, nowMs, deps, locked, spend } = context;
  const reservationId = reservationIdOf(input.sessionId);
  const { reservationExpiresAtMs } = deadlinesOf(nowMs, deps.settings.sliceSeconds,
    deps.settings);
  const reserved = await reserveChainInTransaction(tx, {
    reservationId, reference: reservationId, idempotencyKey: `${reservationId}:0`,
    expiresAtMs: reservationExpiresAtMs,
    legs: levels.map((level, index) => ({ accountId: level.account.id,
      parentId: level.account.parentId, currency: level.account.currency,
      amountMicros: exposureMicros[index]!, payeeAccountId: level.payeeAccountId })),
  }, nowMs, { idempotencyOwner: 'caller', locked, spend });
  if (reserved.ok) return null;
  // The grant was computed from the same locked funds, so only rounding can refuse it here.
  const status = reserved.code === 'insufficient_funds' || reserved.code === 'credit_limit_reached'
    || reserved.code === 'daily_limit_reached' || reserved.code === 'monthly_limit_reached'
    || reserved.code === 'account_suspended' || reserved.code === 'account_closed'
    ? reserved.code : 'insufficient_funds';
  return { status, accountId: reserved.accountId ?? null, message: reserved.message };
}

async function refusal(
  tx: ChargingTransaction,
  input: AuthorizeInput,
  nowMs: number,
  reason: Pick<RefusalAnswer, 'status' | 'accountId' | 'message'>,
): Promise<RefusalAnswer> {
  const answer: RefusalAnswer = { ...reason, sessionId: input.sessionId, requestNumber: 0 };
  // Stored so that a retransmitted authorize gets the same refusal; no session_levels rows.
  await tx.insertSession(sessionRecordOf({ input, levels: [], exposureMicros: [], answer,
    deadlineMs: nowMs, nowMs, bundleId: null, bundleSecondsHeld: 0, carrierId: null }));
  return answer;
}
