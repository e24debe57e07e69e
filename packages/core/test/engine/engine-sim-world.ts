import {
  ManualClock,
  chargingDefaults,
  createChargingEngine,
  createChargingService,
  createLedgerService,
  type ChargingEngine,
  type ChargingService,
  type ChargingSettings,
  type DeckProvider,
  type EngineSettings,
  type LedgerService,
  type RateDeck,
} from '../../src/index.ts';
import { pick, seededRandom } from '../contract/ledger-simulation.ts';
import { SimModel } from './engine-sim-model.ts';
import { MemoryEngineStorage } from './memory-engine-storage.ts';

export { pick, seededRandom };

type Macrotask = (callback: () => void) => void;
const timers = globalThis as unknown as {
  setImmediate?: Macrotask;
  setTimeout: (callback: () => void, ms: number) => unknown;
};
const macrotask: Macrotask = timers.setImmediate ??
  ((callback) => void timers.setTimeout(callback, 0));

/**
 * Lets every microtask run. Nothing in the simulation waits on a timer or on I/O: the only
 * turns are the engine's `nextTurn`, which the scheduler below hands out, so after a flush the
 * world stands still until the simulation moves it, and a seed replays the same interleaving.
 */
export function flush(): Promise<void> {
  return new Promise((resolve) => macrotask(resolve));
}

/** The event loop turns the engines wait for (the shell's setImmediate), run when told. */
export class TurnScheduler {
  readonly #turns: Array<() => void> = [];

  readonly nextTurn = (): Promise<void> => new Promise((resolve) => this.#turns.push(resolve));

  get pending(): number {
    return this.#turns.length;
  }

  run(index: number): void {
    const [turn] = this.#turns.splice(index, 1);
    turn?.();
  }
}

/** One node: an engine over its own port of the shared storage, and the services over it. */
export interface SimNode {
  readonly id: number;
  readonly engine: ChargingEngine;
  readonly charging: ChargingService;
  readonly ledger: LedgerService;
  readonly startedAtMs: number;
}

export interface World {
  readonly seed: number;
  readonly random: () => number;
  readonly clock: ManualClock;
  readonly storage: MemoryEngineStorage;
  readonly scheduler: TurnScheduler;
  readonly decks: Map<string, RateDeck>;
  readonly settings: ChargingSettings;
  readonly engineSettings: Partial<EngineSettings>;
  readonly model: SimModel;
  node: SimNode;
  nodesStarted: number;
  counter: number;
  /** What happened lately, for the failure report. */
  readonly log: string[];
  readonly counts: Record<string, number>;
}

export const simulationStartMs = Date.UTC(2026, 2, 28, 23, 40, 0);

export function fail(message: string): never {
  throw new Error(message);
}

export function note(world: World, line: string): void {
  world.log.push(line);
  if (world.log.length > 60) world.log.splice(0, world.log.length - 60);
}

export function count(world: World, name: string): void {
  world.counts[name] = (world.counts[name] ?? 0) + 1;
}

/** A random whole number in [low, high]. */
export function between(world: { random: () => number }, low: number, high: number): number {
  return low + Math.floor(world.random() * (high - low + 1));
}

export function chance(world: { random: () => number }, probability: number): boolean {
  return world.random() < probability;
}

/**
 * Random settings per world: small batches, a small cache of closed sessions and small blocks
 * of transfer ids make the engine evict, reload and fault often, which is where bugs hide.
 */
export function createWorld(seed: number): World {
  const random = seededRandom(seed);
  const choose = <T>(items: readonly T[]) => pick(random, items);
  const settings: ChargingSettings = { ...chargingDefaults,
    sliceSeconds: choose([20, 30, 60]), sessionGraceMs: 30_000,
    sweepBatchMax: choose([2, 5, 500]), staleSessionCharge: 'reported' };
  const engineSettings: Partial<EngineSettings> = {
    decisionsPerBatchMax: choose([1, 2, 3, 2_000]),
    transferIdBlock: choose([1, 3, 1_024]),
    closedSessionsKeptMax: choose([0, 2, 20_000]),
  };
  const storage = new MemoryEngineStorage();
  storage.ioTurns = choose([0, 1, 3]);
  const clock = new ManualClock(simulationStartMs);
  const world = { seed, random, clock, storage, scheduler: new TurnScheduler(),
    decks: new Map<string, RateDeck>(), settings, engineSettings, model: new SimModel(),
    nodesStarted: 0, counter: 0, log: [], counts: {} } as Omit<World, 'node'> as World;
  world.node = startNode(world);
  return world;
}

/**
 * A new node over the storage: its own engine (memory rebuilt from the committed tables when
 * it starts), its own deck cache (empty: decks load on first use), its own services.
 */
export function startNode(world: World): SimNode {
  world.nodesStarted += 1;
  const engine = createChargingEngine({ storage: world.storage.port(),
    settings: world.engineSettings, nowMs: () => world.clock.nowMs(),
    nextTurn: world.scheduler.nextTurn });
  const cached = new Set<string>();
  const decks: DeckProvider = {
    getDeck: async (id) => {
      await Promise.resolve();
      cached.add(id);
      return world.decks.get(id) ?? null;
    },
    loadedDeck: (id) => (cached.has(id) ? world.decks.get(id) : undefined),
  };
  const startedAtMs = world.clock.nowMs();
  const charging = createChargingService({ store: engine, clock: world.clock, decks,
    settings: world.settings, startedAtMs });
  const ledger = createLedgerService({ store: engine, clock: world.clock });
  return { id: world.nodesStarted, engine, charging, ledger, startedAtMs };
}

export type Outcome<T> =
  | { readonly kind: 'pending' }
  | { readonly kind: 'resolved'; readonly value: T }
  | { readonly kind: 'rejected'; readonly error: unknown };

/** A request started on a node; its outcome is filled in when it settles. */
export interface Task<T = unknown> {
  readonly label: string;
  readonly node: SimNode;
  outcome: Outcome<T>;
}

export function startTask<T>(label: string, node: SimNode, run: () => Promise<T>): Task<T> {
  const task: Task<T> = { label, node, outcome: { kind: 'pending' } };
  run().then((value) => {
    task.outcome = { kind: 'resolved', value };
  }, (error: unknown) => {
    task.outcome = { kind: 'rejected', error };
  });
  return task;
}

const driveRoundsMax = 100_000;

/**
 * Runs the world until every task has settled: lets microtasks run, then hands out one pending
 * turn (at random when several wait), or lets waiting appends through. A world where tasks
 * are pending and nothing can move is a hang of the engine: reported, not waited on.
 */
export async function drive(world: World, tasks: readonly Task[]): Promise<void> {
  for (let round = 0; round < driveRoundsMax; round += 1) {
    await flush();
    if (tasks.every((task) => task.outcome.kind !== 'pending')) return;
    if (world.scheduler.pending > 0) {
      world.scheduler.run(between(world, 0, world.scheduler.pending - 1));
    } else if (world.storage.waitingAppends > 0) {
      world.storage.releaseAppends();
    } else {
      fail(`stalled: ${tasks.filter((task) => task.outcome.kind === 'pending')
        .map((task) => task.label).join(', ')} never settle and nothing is left to run`);
    }
  }
  fail('a request took more than the bound of turns to settle');
}

/** Runs one request alone and returns its value; a rejection fails the simulation. */
export async function call<T>(world: World, label: string, run: (node: SimNode) => Promise<T>):
  Promise<T> {
  const task = startTask(label, world.node, () => run(world.node));
  await drive(world, [task]);
  const outcome = task.outcome;
  if (outcome.kind === 'resolved') return outcome.value;
  if (outcome.kind === 'rejected') {
    throw new Error(`${label} rejected on a quiet world: ${describeError(outcome.error)}`,
      { cause: outcome.error });
  }
  return fail(`${label} did not settle`);
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

/** JSON that shows bigints, for messages. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `${item}n` : item);
}
