import {
  ManualClock,
  chargingDefaults,
  createChargingEngine,
  createChargingService,
  createLedgerService,
  micros,
  type ChargingEngine,
  type ChargingService,
  type LedgerService,
} from '../../src/index.ts';
import { deck } from '../rating-kit.ts';
import { flush, TurnScheduler } from './engine-sim-world.ts';
import { MemoryEngineStorage } from './memory-engine-storage.ts';

/**
 * A small fixture for exact interleavings: one engine over the in-memory storage, its event-loop
 * turns in the test's hands. root -> customer (prepaid, 10.00, 0.06/min to 44).
 */
export interface ReproNode {
  readonly engine: ChargingEngine;
  readonly charging: ChargingService;
  readonly ledger: LedgerService;
}

export interface Repro {
  readonly storage: MemoryEngineStorage;
  readonly scheduler: TurnScheduler;
  readonly clock: ManualClock;
  node: ReproNode;
  /** A new node over the same storage (the old one is dropped). */
  restart(): ReproNode;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown } | null;

/** A promise whose outcome can be read synchronously once it settled. */
export function track<T>(promise: Promise<T>): { readonly outcome: Settled<T> } {
  const box: { outcome: Settled<T> } = { outcome: null };
  promise.then((value) => {
    box.outcome = { ok: true, value };
  }, (error: unknown) => {
    box.outcome = { ok: false, error };
  });
  return box;
}

export function callOutcome(outcome: Settled<unknown>): string {
  if (outcome === null) return 'pending';
  if (outcome.ok) return 'answered';
  const error = outcome.error;
  return error instanceof Error && error.name === 'AssertionError' ? `assertion: ${error.message}`
    : 'rejected';
}

/** Runs turns and lets appends through until every tracked promise settled. */
export async function settleAll(repro: Repro, tracked: ReadonlyArray<{ outcome: unknown }>):
  Promise<void> {
  for (let round = 0; round < 10_000; round += 1) {
    await flush();
    if (tracked.every((entry) => entry.outcome !== null)) return;
    if (repro.scheduler.pending > 0) repro.scheduler.run(0);
    else if (repro.storage.waitingAppends > 0) repro.storage.releaseAppends();
    else throw new Error('stalled');
  }
  throw new Error('did not settle');
}

/** Runs turns until the engine's committer is writing a batch (held by the storage). */
export async function untilAppendWaits(repro: Repro): Promise<void> {
  for (let round = 0; round < 1_000; round += 1) {
    await flush();
    if (repro.storage.waitingAppends > 0) return;
    if (repro.scheduler.pending > 0) repro.scheduler.run(0);
  }
  throw new Error('no append started');
}

export async function call<T>(repro: Repro, promise: Promise<T>): Promise<T> {
  const tracked = track(promise);
  await settleAll(repro, [tracked]);
  const outcome = tracked.outcome!;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

function startNode(repro: Omit<Repro, 'node' | 'restart'>): ReproNode {
  const engine = createChargingEngine({ storage: repro.storage.port(),
    nowMs: () => repro.clock.nowMs(), nextTurn: repro.scheduler.nextTurn });
  const decks = new Map([['d44', deck([{ prefix: '44', rate: '0.06' }])]]);
  const charging = createChargingService({ store: engine, clock: repro.clock,
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    settings: chargingDefaults, startedAtMs: repro.clock.nowMs() });
  return { engine, charging, ledger: createLedgerService({ store: engine, clock: repro.clock }) };
}

export async function openRepro(): Promise<Repro> {
  const base = { storage: new MemoryEngineStorage(), scheduler: new TurnScheduler(),
    clock: new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0)) };
  const repro: Repro = { ...base, node: startNode(base),
    restart() {
      repro.storage.fence();
      repro.node = startNode(base);
      return repro.node;
    } };
  const ledger = repro.node.ledger;
  const created = [
    await call(repro, ledger.createAccount({ id: 'root', tier: 'super_admin', parentId: null,
      name: 'root', currency: 'USD' })),
    await call(repro, ledger.createAccount({ id: 'cus', tier: 'customer', parentId: 'root',
      name: 'cus', currency: 'USD', rateDeckId: 'd44' })),
    await call(repro, ledger.topup({ accountId: 'cus', currency: 'USD',
      amountMicros: micros(10_000_000n), reference: 'topup-1', idempotencyKey: 'topup-1#0' })),
  ];
  if (created.some((result) => !result.ok)) throw new Error('fixture setup failed');
  return repro;
}

/** Authorizes a call to 44 and returns once its answer is durable. */
export async function startCall(repro: Repro, sessionId: string): Promise<void> {
  const answer = await call(repro, repro.node.charging.authorize({ sessionId, requestNumber: 0,
    accountId: 'cus', caller: '1', callee: '442071234567' }));
  if (!answer.ok || answer.value.status !== 'granted') throw new Error('the call was refused');
}
