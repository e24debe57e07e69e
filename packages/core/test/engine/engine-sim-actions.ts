import {
  decodeLedgerJson,
  type AuthorizeInput,
  type GrantAnswer,
  type KillAnswer,
  type KillInput,
  type Micros,
  type RefusalAnswer,
  type Result,
  type SweepOutcome,
  type TerminateAnswer,
  type TerminateInput,
  type TransferOutcome,
  type UpdateInput,
} from '../../src/index.ts';
import type { ModelSession, SwitchRequest } from './engine-sim-model.ts';
import { call, count, fail, note, show, type SimNode, type World } from './engine-sim-world.ts';
import { sameValue, syncSwept } from './engine-sim-sync.ts';

export type ActionKind = 'authorize' | 'update' | 'terminate' | 'kill' | 'retransmit' | 'late' |
  'topup' | 'state' | 'sweep';

/**
 * One request a client sends, with what the client learns from its answer. The burst driver
 * decides when it runs and whether its answer reached the client; the action checks the
 * answer against the model and records it there.
 */
export interface Action {
  readonly kind: ActionKind;
  readonly label: string;
  /** The session it talks to: one action per session per burst (copies aside). */
  readonly sessionId: string | null;
  /** Idempotent: two copies may be in flight at once (a retransmission race). */
  readonly duplicable: boolean;
  start(node: SimNode): Promise<unknown>;
  /** The client got this answer: check it and record it. */
  accept(world: World, value: unknown, node: SimNode): void;
  /** Two copies were both answered: the answers must agree. */
  sameAnswer(first: unknown, second: unknown): boolean;
  /** A lost commit rejected every copy: storage must show nothing of it. */
  checkNotApplied(world: World): void;
  /** Whether storage holds what this request's answer said it did. */
  stored(world: World): boolean;
  /** The client heard an error or nothing: it sends the request again, alone. */
  resolve(world: World): Promise<void>;
}

type Answer<T> = Result<T>;

function ok<T>(label: string, result: unknown): T {
  const answer = result as Answer<T>;
  if (!answer.ok) fail(`${label}: unexpected problem ${answer.code}: ${answer.message}`);
  return answer.value;
}

function check(condition: boolean, message: () => string): void {
  if (!condition) fail(message());
}

const refusalStatuses = new Set(['no_rate', 'concurrent_calls_limit', 'insufficient_funds',
  'credit_limit_reached', 'daily_limit_reached', 'monthly_limit_reached', 'account_suspended',
  'account_closed']);

/** The common part of every action: resolving means sending it again and taking the answer. */
function base(kind: ActionKind, label: string, sessionId: string | null,
  start: (node: SimNode) => Promise<unknown>) {
  const action = {
    kind, label, sessionId, duplicable: true, start,
    sameAnswer: (first: unknown, second: unknown) => sameValue(first, second),
    checkNotApplied: (_world: World) => undefined,
    stored: (_world: World) => true,
    async resolve(this: Action, world: World) {
      const value = await call(world, `${label} (again)`, (node) => this.start(node));
      this.accept(world, value, world.node);
    },
  };
  return action;
}

function checkGrant(world: World, label: string, answer: GrantAnswer, expected: {
  requestNumber: number; usedSeconds: number; costAtLeast: bigint;
  requestedSeconds?: number | undefined }): void {
  const nowMs = world.clock.nowMs();
  check(answer.status === 'granted' && answer.requestNumber === expected.requestNumber &&
    answer.usedSeconds === expected.usedSeconds, () => `${label}: answer ${show(answer)}`);
  check(answer.costMicros >= expected.costAtLeast,
    () => `${label}: cost ${answer.costMicros} below ${expected.costAtLeast} already charged`);
  check(answer.grantedSeconds >= 0 && answer.grantedSeconds <= world.settings.sliceSeconds,
    () => `${label}: granted ${answer.grantedSeconds} s`);
  check(answer.hangupAtMs === nowMs + answer.grantedSeconds * 1000,
    () => `${label}: hang-up at ${answer.hangupAtMs}, now ${nowMs}`);
  check(answer.grantedSeconds > 0 || answer.final, () => `${label}: 0 s but not final`);
  check(answer.grantedSeconds <= (expected.requestedSeconds ?? answer.grantedSeconds),
    () => `${label}: granted ${answer.grantedSeconds} s, asked ${expected.requestedSeconds}`);
}

/**
 * A suspended account pays for nothing new: a grant may still run to the end of an increment
 * it already paid for, but its level holds nothing for it.
 */
function checkNothingHeldBySuspended(world: World, label: string, session: ModelSession): void {
  const stored = world.storage.tables.sessions.get(session.id);
  for (const level of stored?.levels ?? []) {
    const account = world.model.accounts.get(level.accountId)!;
    if (account.state !== 'suspended' || world.model.unsettled.has(account.id)) continue;
    check(level.reservedMicros === 0n, () => `${label}: suspended ${account.id} holds ` +
      `${level.reservedMicros} for the next grant`);
  }
}

export function authorizeAction(world: World, input: AuthorizeInput): Action {
  const label = `authorize ${input.sessionId} by ${input.accountId} to ${input.callee}`;
  const action = base('authorize', label, input.sessionId,
    (node) => node.charging.authorize(input));
  return { ...action,
    accept(world: World, value: unknown) {
      const answer = ok<GrantAnswer | RefusalAnswer>(label, value);
      const chain = world.model.chainOf(input.accountId);
      const session: ModelSession = { id: input.sessionId, customer: input.accountId, chain,
        callee: input.callee, state: 'refused', lastNumber: 0,
        lastRequest: { kind: 'authorize', input }, lastAnswer: answer, usedSeconds: 0,
        chargedSeconds: 0, grantedUntil: 0, final: true, hangupAtMs: world.clock.nowMs(),
        costMicros: 0n, closedBy: null, killAnswer: null, terminateAnswer: null };
      world.model.addSession(session);
      if (answer.status !== 'granted') {
        check(refusalStatuses.has(answer.status) && answer.requestNumber === 0,
          () => `${label}: refusal ${show(answer)}`);
        note(world, `  ${input.sessionId} refused: ${answer.status}`);
        count(world, `refused: ${answer.status}`);
        return;
      }
      checkGrant(world, label, answer, { requestNumber: 0, usedSeconds: 0, costAtLeast: 0n,
        requestedSeconds: input.requestedSeconds });
      check(answer.costMicros === 0n && answer.grantedSeconds > 0,
        () => `${label}: first grant ${show(answer)}`);
      check(!world.model.chainSurelySuspended(chain), () => `${label}: granted, but ` +
        `${chain.find((id) => world.model.accounts.get(id)?.state === 'suspended')} is suspended`);
      Object.assign(session, { grantedUntil: answer.grantedSeconds, final: answer.final,
        hangupAtMs: answer.hangupAtMs });
      world.model.setState(session, 'live');
      note(world, `  ${input.sessionId} granted ${answer.grantedSeconds} s`);
      count(world, 'calls granted');
    },
    checkNotApplied(world: World) {
      check(!world.storage.tables.sessions.has(input.sessionId),
        () => `${label} was rejected, yet its session is stored`);
    },
    stored: (world: World) => world.storage.tables.sessions.has(input.sessionId),
  };
}

/** update and terminate: the next request of a live session. */
export function sessionRequestAction(world: World, session: ModelSession,
  kind: 'update' | 'terminate', usedSeconds: number, requestedSeconds?: number): Action {
  const input: UpdateInput = { sessionId: session.id, requestNumber: session.lastNumber + 1,
    usedSeconds, ...(requestedSeconds === undefined ? {} : { requestedSeconds }) };
  const label = `${kind} ${session.id} #${input.requestNumber} used ${usedSeconds} s`;
  const action = base(kind, label, session.id, (node) => kind === 'update'
    ? node.charging.update(input) : node.charging.terminate(input));
  return { ...action,
    accept(world: World, value: unknown) {
      const before = { requestNumber: input.requestNumber, usedSeconds,
        costAtLeast: session.costMicros, requestedSeconds };
      const chargedSeconds = Math.min(usedSeconds, session.grantedUntil);
      const request: SwitchRequest = kind === 'update' ? { kind, input }
        : { kind, input: input as TerminateInput };
      if (kind === 'update') {
        const answer = ok<GrantAnswer>(label, value);
        checkGrant(world, label, answer, before);
        checkNothingHeldBySuspended(world, label, session);
        Object.assign(session, { grantedUntil: chargedSeconds + answer.grantedSeconds,
          final: answer.final, hangupAtMs: answer.hangupAtMs, lastAnswer: answer });
        world.model.setCost(session, answer.costMicros);
      } else {
        const answer = ok<TerminateAnswer>(label, value);
        check(answer.status === 'terminated' && answer.requestNumber === input.requestNumber &&
          answer.cdrId === `c:${session.id}` && answer.usedSeconds === usedSeconds &&
          answer.costMicros >= session.costMicros, () => `${label}: answer ${show(answer)}`);
        Object.assign(session, { closedBy: 'terminate', terminateAnswer: answer,
          lastAnswer: answer });
        world.model.setCost(session, answer.costMicros);
        world.model.setState(session, 'closed');
      }
      Object.assign(session, { lastNumber: input.requestNumber, lastRequest: request,
        usedSeconds, chargedSeconds });
      note(world, `  ${label}: cost ${session.costMicros}, until ${session.grantedUntil} s`);
    },
    checkNotApplied(world: World) {
      const stored = world.storage.tables.sessions.get(session.id);
      check(stored?.lastRequestNumber === session.lastNumber && stored.state === 'live',
        () => `${label} was rejected, yet storage holds #${stored?.lastRequestNumber} ` +
          `(${stored?.state})`);
    },
    stored: (world: World) => (world.storage.tables.sessions.get(session.id)
      ?.lastRequestNumber ?? -1) >= input.requestNumber,
  };
}

export function killAction(world: World, session: ModelSession, usedSeconds?: number): Action {
  const input: KillInput = usedSeconds === undefined ? { sessionId: session.id }
    : { sessionId: session.id, usedSeconds };
  const label = `kill ${session.id}${usedSeconds === undefined ? '' : ` at ${usedSeconds} s`}`;
  const action = base('kill', label, session.id, (node) => node.charging.kill(input));
  const accept = (world: World, answer: KillAnswer) => {
    // A kill never charges past the grant; with a measured time it also reports no more.
    const usedAtLeast = Math.min(session.usedSeconds, usedSeconds ?? session.usedSeconds,
      session.grantedUntil);
    check(answer.status === 'killed' && answer.requestNumber === session.lastNumber + 1 &&
      answer.costMicros >= session.costMicros && answer.usedSeconds >= usedAtLeast &&
      answer.usedSeconds <= Math.max(session.usedSeconds, session.grantedUntil),
    () => `${label}: answer ${show(answer)} for ${show(session)}`);
    Object.assign(session, { closedBy: 'kill', killAnswer: answer,
      lastNumber: answer.requestNumber, usedSeconds: answer.usedSeconds,
      chargedSeconds: Math.min(answer.usedSeconds, session.grantedUntil) });
    world.model.setCost(session, answer.costMicros);
    world.model.setState(session, 'closed');
    world.model.closedByServer.push(session.id);
    note(world, `  ${label}: cost ${answer.costMicros}`);
  };
  return { ...action, duplicable: false,
    accept: (world: World, value: unknown) => accept(world, ok<KillAnswer>(label, value)),
    checkNotApplied(world: World) {
      const stored = world.storage.tables.sessions.get(session.id);
      check(stored?.state === 'live' && stored.lastRequestNumber === session.lastNumber,
        () => `${label} was rejected, yet the session is ${stored?.state}`);
    },
    stored: (world: World) => world.storage.tables.sessions.get(session.id)?.state === 'closed',
    async resolve(world: World) {
      const again = await call(world, `${label} (again)`, (node) => node.charging.kill(input));
      if (again.ok) return accept(world, again.value);
      // The kill was stored before the client lost its answer: read what it settled.
      const stored = world.storage.tables.sessions.get(session.id);
      check(again.code === 'session_closed' && stored !== undefined,
        () => `${label} (again): ${again.code}`);
      accept(world, decodeLedgerJson(stored!.lastAnswerJson) as KillAnswer);
    },
  };
}

/** What a retransmission of the session's last request must get. */
function expectedReplay(world: World, session: ModelSession):
  { kind: 'answer'; value: unknown } | { kind: 'problem'; code: string } {
  const request = session.lastRequest;
  if (request.input.requestNumber === session.lastNumber) {
    return { kind: 'answer', value: { ok: true, value: session.lastAnswer } };
  }
  if (request.kind === 'authorize') return { kind: 'problem', code: 'request_out_of_order' };
  if (session.closedBy === 'kill' && request.kind === 'update') {
    const kill = session.killAnswer!;
    return { kind: 'answer', value: { ok: true, value: { status: 'granted',
      sessionId: session.id, requestNumber: request.input.requestNumber, grantedSeconds: 0,
      final: true, hangupAtMs: world.clock.nowMs(), usedSeconds: kill.usedSeconds,
      costMicros: kill.costMicros, currency: kill.currency } } };
  }
  return { kind: 'problem', code: 'session_closed' };
}

export function retransmitAction(world: World, session: ModelSession): Action {
  const request = session.lastRequest;
  const label = `retransmit ${request.kind} ${session.id} #${request.input.requestNumber}`;
  const start = (node: SimNode): Promise<unknown> => {
    switch (request.kind) {
      case 'authorize': return node.charging.authorize(request.input);
      case 'update': return node.charging.update(request.input);
      case 'terminate': return node.charging.terminate(request.input);
    }
  };
  const action = base('retransmit', label, session.id, start);
  return { ...action,
    accept(world: World, value: unknown) {
      const expected = expectedReplay(world, session);
      const got = value as Answer<unknown>;
      if (expected.kind === 'problem') {
        check(!got.ok && got.code === expected.code,
          () => `${label}: expected ${expected.code}, got ${show(got)}`);
        return;
      }
      check(sameValue(got, expected.value),
        () => `${label}: got ${show(got)}, the switch was told ${show(expected.value)}`);
    },
  };
}

/**
 * The switch's next request to a call Tollgate closed (a kill, the sweeper): it did not know.
 * It gets the settlement, or "0 seconds, final", and moves no money.
 */
export function lateAction(world: World, session: ModelSession, kind: 'update' | 'terminate')
  : Action {
  const input: UpdateInput = { sessionId: session.id,
    requestNumber: session.lastRequest.input.requestNumber + 1,
    usedSeconds: session.usedSeconds };
  const label = `late ${kind} ${session.id} #${input.requestNumber} after ${session.closedBy}`;
  const action = base('late', label, session.id, (node) => kind === 'update'
    ? node.charging.update(input) : node.charging.terminate(input));
  return { ...action,
    accept(world: World, value: unknown) {
      const answer = value as Answer<GrantAnswer | TerminateAnswer>;
      const requestNumber = kind === 'update' ? input.requestNumber : session.lastNumber;
      check(answer.ok && answer.value.costMicros === session.costMicros &&
        answer.value.requestNumber === requestNumber &&
        answer.value.status === (kind === 'update' ? 'granted' : 'terminated'),
      () => `${label}: got ${show(answer)}, the call cost ${session.costMicros}`);
      if (answer.ok && answer.value.status === 'granted') {
        check(answer.value.grantedSeconds === 0 && answer.value.final,
          () => `${label}: a closed call was granted ${show(answer.value)}`);
      }
    },
  };
}

export function topupAction(world: World, accountId: string, amountMicros: Micros): Action {
  world.counter += 1;
  const account = world.model.accounts.get(accountId)!;
  const input = { accountId, currency: account.currency, amountMicros,
    reference: `topup-${world.counter}`, idempotencyKey: `topup-${world.counter}#0` };
  const label = `topup ${accountId} ${amountMicros} (${input.reference})`;
  const action = base('topup', label, null, (node) => node.ledger.topup(input));
  return { ...action,
    accept(world: World, value: unknown) {
      const outcome = ok<TransferOutcome>(label, value);
      check(outcome.transfers.length === 1 && outcome.transfers[0]!.amountMicros ===
        amountMicros, () => `${label}: ${show(outcome)}`);
      world.model.accounts.get(accountId)!.topupMicros += amountMicros;
      world.model.topups.push({ input, transfers: outcome.transfers });
    },
    sameAnswer: (first: unknown, second: unknown) =>
      sameValue(ok<TransferOutcome>(label, first).transfers,
        ok<TransferOutcome>(label, second).transfers),
    checkNotApplied(world: World) {
      check(!world.storage.tables.debitsByReference.has(input.reference),
        () => `${label} was rejected, yet its transfer is stored`);
    },
    stored: (world: World) => world.storage.tables.debitsByReference.has(input.reference),
  };
}

/** An operator's top-up sent again: the stored outcome, the same transfers, no money. */
export function topupReplayAction(world: World, index: number): Action {
  const { input, transfers } = world.model.topups[index]!;
  const label = `retransmit topup ${input.accountId} (${input.reference})`;
  const action = base('retransmit', label, null, (node) => node.ledger.topup(input));
  return { ...action,
    accept(world: World, value: unknown) {
      const outcome = ok<TransferOutcome>(label, value);
      check(outcome.replayed && sameValue(outcome.transfers, transfers),
        () => `${label}: got ${show(outcome)}, first answer ${show(transfers)}`);
    },
  };
}

export function stateAction(world: World, accountId: string, state: 'active' | 'suspended')
  : Action {
  const label = `${state === 'active' ? 'activate' : 'suspend'} ${accountId}`;
  const before = world.model.accounts.get(accountId)!.state;
  world.model.unsettled.add(accountId);
  const action = base('state', label, null,
    (node) => node.ledger.updateAccount({ id: accountId, changes: { state } }));
  return { ...action,
    accept(world: World, value: unknown) {
      ok(label, value);
      world.model.accounts.get(accountId)!.state = state;
    },
    checkNotApplied(world: World) {
      check(world.storage.tables.accounts.get(accountId)?.state === before,
        () => `${label} was rejected, yet the account changed`);
    },
    stored: (world: World) => world.storage.tables.accounts.get(accountId)?.state === state,
  };
}

/**
 * A sweeper run. What it must close is known from the model: the live calls whose deadline
 * passed, earliest first, up to the batch bound; nothing in the first grace period of a node.
 */
export function sweepAction(world: World): Action {
  const label = 'sweep';
  const expected = (node: SimNode): string[] => {
    const nowMs = world.clock.nowMs();
    if (nowMs < node.startedAtMs + world.settings.sessionGraceMs) return [];
    const grace = world.settings.sessionGraceMs;
    return [...world.model.live].map((id) => world.model.sessions.get(id)!)
      .filter((session) => world.model.deadlineOf(session, grace) <= nowMs)
      .sort((a, b) => a.hangupAtMs - b.hangupAtMs || (a.id < b.id ? -1 : 1))
      .slice(0, world.settings.sweepBatchMax).map((session) => session.id);
  };
  const action = base('sweep', label, null, (node) => node.charging.sweepStaleSessions());
  return { ...action, duplicable: false,
    accept(world: World, value: unknown, node: SimNode) {
      const outcome = value as SweepOutcome;
      const due = expected(node).sort();
      const closed = syncSwept(world).sort();
      check(outcome.closed === due.length && sameValue(closed, due),
        () => `sweep closed ${outcome.closed} (${closed.join(' ')}), due: ${due.join(' ')}`);
      note(world, `  sweep closed ${closed.join(' ') || 'nothing'}`);
    },
    async resolve(this: Action, world: World) {
      syncSwept(world);
      const value = await call(world, 'sweep (again)', (node) => node.charging
        .sweepStaleSessions());
      this.accept(world, value, world.node);
    },
  };
}
