import type { Action } from './engine-sim-actions.ts';
import type { AppendFailure } from './memory-engine-storage.ts';
import {
  between,
  chance,
  count,
  describeError,
  drive,
  fail,
  flush,
  note,
  startNode,
  startTask,
  type Task,
  type World,
} from './engine-sim-world.ts';

/**
 * How a burst of requests meets trouble: appends held (decisions pile up in the open batch),
 * one append failing, or the node dying, at a random point of the interleaving: between two
 * microtasks of the decisions in flight, while a batch is being written or before it starts.
 */
export interface BurstPlan {
  readonly hold: boolean;
  readonly failure: AppendFailure | null;
  /** `lost`: whatever was not committed is gone; `admit-one`: one waiting commit lands first. */
  readonly death: 'none' | 'lost' | 'admit-one';
}

export const quietPlan: BurstPlan = { hold: false, failure: null, death: 'none' };

interface Copy {
  readonly slot: Slot;
  task: Task | null;
}

interface Slot {
  readonly action: Action;
  readonly copies: Copy[];
}

/** What the client heard of one copy: its answer, a lost commit's error, or nothing sure. */
type Heard = { kind: 'acked'; value: unknown } | { kind: 'lost' } | { kind: 'unknown' };

type Move = 'start' | 'turn' | 'admit' | 'fail' | 'die' | 'flush';

interface BurstState {
  readonly copies: Copy[];
  readonly plan: BurstPlan;
  next: number;
  armed: boolean;
  died: boolean;
  /** Tasks of a dead node still pending when it died: their answers never left. */
  readonly unheard: Set<Task>;
}

const burstRoundsMax = 50_000;
const journalError = 'the charging journal could not be stored';

/**
 * Runs actions at once (a duplicated one as two copies, the retransmission race), in a random
 * interleaving of starts, event-loop turns and commits, with the plan's trouble injected at a
 * random point. Then settles what every client heard: answers are checked and recorded; a
 * request rejected by a lost commit must have left nothing in storage; and every request whose
 * client heard no answer is sent again, alone, as a switch or an operator would.
 */
export async function runBurst(world: World, actions: readonly Action[],
  duplicated: ReadonlySet<number>, plan: BurstPlan): Promise<void> {
  const slots: Slot[] = actions.map((action) => ({ action, copies: [] }));
  const order = slots.flatMap((slot, index) => (duplicated.has(index) ? [slot, slot] : [slot]));
  for (let index = order.length - 1; index > 0; index -= 1) {
    const other = between(world, 0, index);
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const state: BurstState = { copies: order.map((slot) => {
    const copy: Copy = { slot, task: null };
    slot.copies.push(copy);
    return copy;
  }), plan, next: 0, armed: false, died: false, unheard: new Set() };
  const failedBefore = world.storage.counters.failedAppends;
  if (plan.hold) world.storage.holdAppends();
  await interleave(world, state);
  world.storage.releaseAppends();
  world.storage.clearFailure();
  await drive(world, state.copies.map((copy) => copy.task!));
  const failureMet = world.storage.counters.failedAppends > failedBefore;
  if (failureMet) count(world, 'storage failures met');
  await settle(world, slots, state, failureMet);
}

function movesOf(world: World, state: BurstState): Move[] {
  const moves: Move[] = ['flush'];
  if (state.next < state.copies.length) {
    moves.push('start', 'start', 'start');
  }
  if (world.scheduler.pending > 0) moves.push('turn', 'turn');
  if (world.storage.waitingAppends > 0) moves.push('admit');
  if (state.plan.failure !== null && !state.armed) {
    // A batch being written is the likeliest target.
    moves.push('fail');
    if (world.storage.waitingAppends > 0) moves.push('fail');
  }
  if (state.plan.death !== 'none' && !state.died && state.next > 0) moves.push('die');
  return moves;
}

function finished(state: BurstState): boolean {
  return state.next === state.copies.length &&
    (state.plan.failure === null || state.armed) &&
    (state.plan.death === 'none' || state.died) &&
    state.copies.every((copy) => copy.task?.outcome.kind !== 'pending');
}

async function interleave(world: World, state: BurstState): Promise<void> {
  let stillRounds = 0;
  for (let round = 0; round < burstRoundsMax; round += 1) {
    if (finished(state)) return;
    const moves = movesOf(world, state);
    // Nothing but waiting is possible: after a few flushes that is a hang of the engine.
    stillRounds = moves.length === 1 ? stillRounds + 1 : 0;
    if (stillRounds > 3) {
      fail(`stalled: ${state.copies.filter((copy) => copy.task?.outcome.kind === 'pending')
        .map((copy) => copy.slot.action.label).join(', ')} never settle`);
    }
    const move = moves[between(world, 0, moves.length - 1)]!;
    await makeMove(world, state, move);
  }
  fail('a burst took more than the bound of moves');
}

async function makeMove(world: World, state: BurstState, move: Move): Promise<void> {
  switch (move) {
    case 'start': {
      const copy = state.copies[state.next]!;
      state.next += 1;
      copy.task = startTask(copy.slot.action.label, world.node,
        () => copy.slot.action.start(world.node));
      return;
    }
    case 'turn':
      world.scheduler.run(between(world, 0, world.scheduler.pending - 1));
      return;
    case 'admit':
      world.storage.admitOne();
      return;
    case 'fail':
      return failAppend(world, state);
    case 'die':
      return die(world, state);
    case 'flush':
      return flush();
  }
}

/**
 * The storage fails, a few microtasks from now (so between two steps of whatever decisions are
 * running): the batch being written (held by the storage) fails at once, or the next append to
 * reach its commit does (possibly one in its I/O turns already).
 */
async function failAppend(world: World, state: BurstState): Promise<void> {
  // With appends held, the failure mostly waits for a batch being written, to fail it.
  if (state.plan.hold && world.storage.waitingAppends === 0 && chance(world, 0.8)) return;
  state.armed = true;
  const mode = state.plan.failure!;
  const hops = between(world, 0, 6);
  for (let hop = 0; hop < hops; hop += 1) await Promise.resolve();
  const inFlight = state.copies.some((copy) => copy.task?.outcome.kind === 'pending');
  if (inFlight) count(world, 'storage failures with requests in flight');
  if (world.storage.waitingAppends > 0 && chance(world, 0.5)) {
    world.storage.failWritingAppend(mode);
    count(world, 'storage failures of the batch being written');
    note(world, `  storage: the batch being written fails (${mode}, +${hops} microtasks)`);
    return;
  }
  world.storage.failNextAppend(mode);
  note(world, `  storage: the next append fails (${mode}, +${hops} microtasks)`);
}

/**
 * The node dies: what it had not committed is lost (or, `admit-one`, the commit it was
 * writing lands first), its clients hear nothing more, and a new node takes over the storage.
 */
async function die(world: World, state: BurstState): Promise<void> {
  state.died = true;
  for (const copy of state.copies) {
    if (copy.task !== null && copy.task.outcome.kind === 'pending' &&
      copy.task.node === world.node) state.unheard.add(copy.task);
  }
  const admitted = state.plan.death === 'admit-one' && world.storage.admitOne();
  world.storage.fence();
  // The admitted commit completes before anyone reads: it happened before the death.
  await flush();
  const old = world.node.id;
  world.node = startNode(world);
  count(world, 'node deaths');
  note(world, `  node ${old} died (${admitted ? 'one commit landed' : 'in-flight batch lost'})` +
    `, node ${world.node.id} takes over`);
}

/**
 * An answer leaves only after the commit that holds its records, so storage holds whatever a
 * client was told; a request with nothing to write (a retransmission answered from memory, a
 * replayed top-up) fails with the batch holding its original. Anything else fails here.
 */
function checkStored(world: World, action: Action, value: unknown): void {
  // A problem (nothing written) is the action's to judge.
  if ((value as { ok?: boolean }).ok === false || action.stored(world)) return;
  fail(`${action.label} was answered, but storage does not hold it (durability lost)`);
}

function heardOf(world: World, copy: Copy, state: BurstState, failureMet: boolean): Heard {
  const task = copy.task!;
  if (state.unheard.has(task)) return { kind: 'unknown' };
  const outcome = task.outcome;
  if (outcome.kind === 'resolved') return { kind: 'acked', value: outcome.value };
  if (outcome.kind === 'pending') return fail(`${task.label} never settled`);
  const error = outcome.error;
  const journal = error instanceof Error && error.message === journalError;
  if (!journal || (!failureMet && !state.died)) {
    fail(`${task.label} rejected: ${describeError(error)}` +
      (error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : ''));
  }
  // A dead node's error may come from its fencing: whether it committed is not known.
  if (state.died || state.plan.failure === 'ambiguous') return { kind: 'unknown' };
  return { kind: 'lost' };
}

async function settle(world: World, slots: readonly Slot[], state: BurstState,
  failureMet: boolean): Promise<void> {
  const toResolve: Slot[] = [];
  const lost: Slot[] = [];
  // The sweeper's closures are read from storage: after every other answer is recorded.
  const ordered = [...slots].sort((a, b) =>
    Number(a.action.kind === 'sweep') - Number(b.action.kind === 'sweep'));
  for (const slot of ordered) {
    const heard = slot.copies.map((copy) =>
      ({ copy, heard: heardOf(world, copy, state, failureMet) }));
    const acked = heard.filter((entry) => entry.heard.kind === 'acked');
    const [first, second] = acked.map((entry) => (entry.heard as { value: unknown }).value);
    if (acked.length >= 2 && !slot.action.sameAnswer(first, second)) {
      fail(`${slot.action.label}: two copies answered differently`);
    }
    if (acked.length > 0) {
      checkStored(world, slot.action, first);
      slot.action.accept(world, first, acked[0]!.copy.task!.node);
      continue;
    }
    if (heard.every((entry) => entry.heard.kind === 'lost')) lost.push(slot);
    toResolve.push(slot);
    count(world, heard.some((entry) => entry.heard.kind === 'unknown') ? 'answers unknown'
      : 'answers lost');
  }
  for (const slot of slots) {
    if (slot.action.sessionId !== null) world.model.touched.add(slot.action.sessionId);
  }
  for (const slot of lost) slot.action.checkNotApplied(world);
  for (const slot of toResolve) {
    note(world, `  ${slot.action.label}: sent again`);
    await slot.action.resolve(world);
  }
  world.model.unsettled.clear();
}
