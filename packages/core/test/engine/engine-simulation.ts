import {
  authorizeAction,
  killAction,
  lateAction,
  retransmitAction,
  sessionRequestAction,
  stateAction,
  sweepAction,
  topupAction,
  topupReplayAction,
  type Action,
} from './engine-sim-actions.ts';
import { quietPlan, runBurst, type BurstPlan } from './engine-sim-burst.ts';
import { checkNothingHeld, checkSession, checkStep } from './engine-sim-checks.ts';
import type { ModelSession } from './engine-sim-model.ts';
import { buildTrees, randomCallee, randomMicros } from './engine-sim-tree.ts';
import {
  between,
  call,
  chance,
  count,
  createWorld,
  fail,
  note,
  pick,
  show,
  startNode,
  type World,
} from './engine-sim-world.ts';

/**
 * The seeded simulation of the charging engine (issue 15): random calls on random trees, with
 * retransmissions (alone and racing their original), kills, top-ups, suspensions, sweeper
 * runs under a manual clock, several requests in flight at once, storage failures and node
 * deaths at random points (while decisions run, while a batch is being written). After every
 * step, storage is checked against a model of what the clients were told
 * (engine-sim-checks.ts). A failure names the seed and the step; the same seed replays the
 * same run.
 */
export interface SimulationOptions {
  readonly seed: number;
  readonly steps: number;
  /** Steps between checks of every session (touched sessions are checked every step). */
  readonly fullCheckEvery?: number;
}

export interface SimulationReport {
  readonly counts: Record<string, number>;
  /** A summary of the final storage: the same seed gives the same digest. */
  readonly digest: string;
}

const unit = 1_000_000n;
const liveCallsMax = 40;

export async function runEngineSimulation(options: SimulationOptions):
  Promise<SimulationReport> {
  const world = createWorld(options.seed);
  let step = -1;
  try {
    await buildTrees(world);
    for (step = 0; step < options.steps; step += 1) {
      await runStep(world, step);
      await checkStep(world, world.model.touched,
        step % (options.fullCheckEvery ?? 500) === 0);
      world.model.touched.clear();
    }
    step = options.steps;
    await drain(world);
    await checkStep(world, world.model.touched, true);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`engine simulation failed: seed ${options.seed}, step ${step} ` +
      `(ENGINE_SIM_SEED=${options.seed} replays it): ${reason}\nlast events:\n` +
      world.log.slice(-60).join('\n'), { cause: error });
  }
  return { counts: world.counts, digest: digestOf(world) };
}

async function runStep(world: World, step: number): Promise<void> {
  const draw = world.random();
  if (draw < 0.78) return burst(world, step);
  if (draw < 0.84) return replayAlone(world, step);
  if (draw < 0.89) {
    const ms = between(world, 0, 20_000);
    world.clock.advanceMs(ms);
    note(world, `step ${step}: clock +${ms} ms`);
    return;
  }
  if (draw < 0.955) {
    const ms = between(world, 0, 90_000);
    world.clock.advanceMs(ms);
    note(world, `step ${step}: clock +${ms} ms, sweep`);
    await runBurst(world, [sweepAction(world)], new Set(), randomPlan(world, 0.1, 0));
    count(world, 'sweeps');
    return;
  }
  if (draw < 0.975) return quietDeath(world, step);
  if (draw < 0.985) {
    note(world, `step ${step}: every call ends, the sweeper runs`);
    await drain(world);
    return;
  }
  return burst(world, step);
}

function randomPlan(world: World, failureChance: number, deathChance: number): BurstPlan {
  const failure = chance(world, failureChance) ? pick(world.random, ['lost', 'ambiguous'] as
    const) : null;
  const death = chance(world, deathChance) ? pick(world.random, ['lost', 'admit-one'] as const)
    : 'none';
  return { hold: chance(world, 0.45), failure, death };
}

async function burst(world: World, step: number): Promise<void> {
  const busy = new Set<string>();
  const actions: Action[] = [];
  const withSweep = chance(world, 0.1);
  if (withSweep) actions.push(sweepAction(world));
  const wanted = between(world, 1, 5);
  for (let index = 0; index < wanted; index += 1) {
    const action = randomAction(world, busy, withSweep);
    if (action === null) continue;
    actions.push(action);
    if (action.sessionId !== null) busy.add(action.sessionId);
  }
  if (actions.length === 0) return;
  const duplicated = new Set<number>();
  const duplicable = actions.flatMap((action, index) => (action.duplicable ? [index] : []));
  if (duplicable.length > 0 && chance(world, 0.3)) {
    duplicated.add(pick(world.random, duplicable));
  }
  const plan = randomPlan(world, 0.2, 0.04);
  note(world, `step ${step}: ${actions.map((action, index) => action.label +
    (duplicated.has(index) ? ' (x2)' : '')).join(' | ')} ${show(plan)}`);
  for (const action of actions) count(world, action.kind);
  if (duplicated.size > 0) count(world, 'concurrent duplicates');
  if (plan.failure !== null) count(world, `storage failures (${plan.failure})`);
  await runBurst(world, actions, duplicated, plan);
}

/** Live calls a switch may still talk to: not past the ledger's backstop on their hold. */
function talkable(world: World, busy: ReadonlySet<string>, withSweep: boolean): ModelSession[] {
  const nowMs = world.clock.nowMs();
  const grace = world.settings.sessionGraceMs;
  return [...world.model.live].map((id) => world.model.sessions.get(id)!).filter((session) =>
    !busy.has(session.id) && nowMs < world.model.holdExpiryOf(session, grace) &&
    (!withSweep || nowMs < world.model.deadlineOf(session, grace)));
}

/** What the switch reports next: mostly within its grant, sometimes nothing new, an overrun. */
function nextUsed(world: World, session: ModelSession): number {
  const room = Math.max(0, session.grantedUntil - session.usedSeconds);
  if (chance(world, 0.07)) return session.usedSeconds + room + between(world, 1, 20);
  if (chance(world, 0.1)) return session.usedSeconds;
  return session.usedSeconds + between(world, 0, room);
}

function recent(world: World, ids: readonly string[], busy: ReadonlySet<string>,
  window: number): string | null {
  const candidates = ids.slice(-window).filter((id) => !busy.has(id));
  return candidates.length === 0 ? null : pick(world.random, candidates);
}

function randomAction(world: World, busy: ReadonlySet<string>, withSweep: boolean)
  : Action | null {
  const draw = world.random();
  const live = talkable(world, busy, withSweep);
  const session = live.length === 0 ? null : pick(world.random, live);
  const fewCalls = live.length < 3 && chance(world, 0.5);
  if ((draw < 0.3 || fewCalls) && world.model.live.size < liveCallsMax) return newCall(world);
  if (draw < 0.55 && session !== null) {
    return sessionRequestAction(world, session, 'update', nextUsed(world, session),
      requestedSeconds(world));
  }
  if (draw < 0.7 && session !== null) {
    return sessionRequestAction(world, session, 'terminate', nextUsed(world, session));
  }
  if (draw < 0.73 && session !== null) {
    return killAction(world, session, chance(world, 0.5) ? undefined
      : between(world, session.usedSeconds, session.grantedUntil + 5));
  }
  if (draw < 0.81) return retransmission(world, busy, withSweep);
  if (draw < 0.83 && world.model.topups.length > 0) {
    const topups = world.model.topups.length;
    return topupReplayAction(world, between(world, Math.max(0, topups - 30), topups - 1));
  }
  if (draw < 0.86) {
    const id = recent(world, world.model.closedByServer, busy, 30);
    const closed = id === null ? null : world.model.sessions.get(id)!;
    return closed === null ? null
      : lateAction(world, closed, chance(world, 0.5) ? 'update' : 'terminate');
  }
  if (draw < 0.94) return topup(world);
  return suspendOrActivate(world);
}

function newCall(world: World): Action {
  world.counter += 1;
  const requested = requestedSeconds(world);
  return authorizeAction(world, { sessionId: `s${world.counter}`, requestNumber: 0,
    accountId: pick(world.random, world.model.customers), caller: '15550100',
    callee: randomCallee(world),
    ...(requested === undefined ? {} : { requestedSeconds: requested }) });
}

/** Half the switches ask for their seconds (issue 16): from 1 s to past the slice. */
function requestedSeconds(world: World): number | undefined {
  return chance(world, 0.5) ? between(world, 1, world.settings.sliceSeconds + 10) : undefined;
}

function retransmission(world: World, busy: ReadonlySet<string>, withSweep: boolean)
  : Action | null {
  const id = recent(world, world.model.sessionOrder, busy, 60);
  if (id === null) return null;
  const session = world.model.sessions.get(id)!;
  // With a sweep in flight, a stale call's answer depends on which comes first.
  if (withSweep && session.state === 'live' && world.clock.nowMs() >=
    world.model.deadlineOf(session, world.settings.sessionGraceMs)) return null;
  return retransmitAction(world, session);
}

function nonRootAccounts(world: World): string[] {
  return [...world.model.accounts.values()].filter((account) => account.parentId !== null)
    .map((account) => account.id);
}

/** Customers top up; resellers and admins pay their postpaid bills (bigger amounts). */
function topup(world: World): Action {
  if (chance(world, 0.6)) {
    return topupAction(world, pick(world.random, world.model.customers),
      randomMicros(world, unit, 20n * unit));
  }
  return topupAction(world, pick(world.random, nonRootAccounts(world)),
    randomMicros(world, 5n * unit, 60n * unit));
}

/** Suspensions are short: a suspended account is the likeliest to be activated next. */
function suspendOrActivate(world: World): Action | null {
  const suspended = [...world.model.accounts.values()]
    .filter((account) => account.state === 'suspended' && !world.model.unsettled.has(account.id))
    .map((account) => account.id);
  if (suspended.length > 0 && chance(world, 0.7)) {
    return stateAction(world, pick(world.random, suspended), 'active');
  }
  const id = chance(world, 0.7) ? pick(world.random, world.model.customers)
    : pick(world.random, nonRootAccounts(world));
  const account = world.model.accounts.get(id)!;
  if (world.model.unsettled.has(id)) return null;
  if (account.state === 'suspended') return stateAction(world, id, 'active');
  return chance(world, 0.5) ? stateAction(world, id, 'suspended') : null;
}

/**
 * A retransmission alone on a quiet system: it must get the answer the switch was told (or
 * what a closed call answers) and move nothing: no record is appended at all.
 */
async function replayAlone(world: World, step: number): Promise<void> {
  const id = recent(world, world.model.sessionOrder, new Set(), 200);
  const topups = world.model.topups.length;
  if (id === null && topups === 0) return;
  const action = id === null || (topups > 0 && chance(world, 0.2))
    ? topupReplayAction(world, between(world, Math.max(0, topups - 50), topups - 1))
    : retransmitAction(world, world.model.sessions.get(id)!);
  note(world, `step ${step}: ${action.label} (alone)`);
  const before = { ...world.storage.counters, transfers: world.storage.tables.transfers.length };
  const value = await call(world, action.label, (node) => action.start(node));
  action.accept(world, value, world.node);
  const after = { ...world.storage.counters, transfers: world.storage.tables.transfers.length };
  if (after.appendedRecords !== before.appendedRecords || after.transfers !== before.transfers) {
    fail(`${action.label} moved money: ${show(before)} -> ${show(after)}`);
  }
  if (id !== null) world.model.touched.add(id);
  count(world, 'retransmissions alone');
}

/**
 * A node dies with nothing in flight and a new one takes over: every answer any client was
 * told must be there (checked in full after this step), and retransmissions to the new node
 * get the same answers.
 */
async function quietDeath(world: World, step: number): Promise<void> {
  world.storage.fence();
  const old = world.node.id;
  world.node = startNode(world);
  note(world, `step ${step}: node ${old} died quietly, node ${world.node.id} takes over`);
  count(world, 'node deaths');
  for (let index = 0; index < 4; index += 1) await replayAlone(world, step);
}

/**
 * Every call ends: the switches terminate what they can, the clock passes every deadline and
 * the ledger's backstop, the sweeper runs until nothing is left. Nothing may stay held.
 */
async function drain(world: World): Promise<void> {
  for (let round = 0; world.model.live.size > 0 && round < 20; round += 1) {
    const batch = talkable(world, new Set(), false).slice(0, 5).map((session) =>
      sessionRequestAction(world, session, 'terminate', nextUsed(world, session)));
    if (batch.length === 0) break;
    await runBurst(world, batch, new Set(), quietPlan);
  }
  // Small steps: the sweeper settles each call before the ledger's backstop would expire it.
  for (let round = 0; round < 400; round += 1) {
    if (world.model.live.size === 0 && world.storage.tables.openReservations.size === 0) break;
    world.clock.advanceMs(world.settings.sessionGraceMs / 2);
    await runBurst(world, [sweepAction(world)], new Set(), quietPlan);
  }
  for (const id of world.model.touched) checkSession(world, world.model.sessions.get(id)!);
  checkNothingHeld(world);
  count(world, 'drains');
}

function digestOf(world: World): string {
  const tables = world.storage.tables;
  let posted = 0n;
  let weighted = 0n;
  for (const [index, book] of [...tables.books.values()].entries()) {
    posted += book.postedMicros < 0n ? -book.postedMicros : book.postedMicros;
    weighted += BigInt(index + 1) * book.postedMicros;
  }
  return [tables.transfers.length, tables.sessions.size, tables.cdrs.size, posted, weighted,
    world.nodesStarted, world.clock.nowMs()].join('/');
}

