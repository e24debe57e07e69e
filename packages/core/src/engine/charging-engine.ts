import type { ChargingStore, ChargingTransaction } from '../charging/charging-ports.ts';
import { BatchCommitter } from './batch-committer.ts';
import type { EngineRecord } from './engine-records.ts';
import { EngineFault, EngineState, type AbsentKey } from './engine-state.ts';
import type { EngineStorage } from './engine-storage.ts';
import { engineTransaction, type DecisionLog, type DurableRead } from './engine-transaction.ts';
import { EngineMemoryStale, loadNeeds } from './load-needs.ts';
import type { EngineSnapshot } from './engine-storage.ts';
import { ownsEveryTree, rootsOf, type TreeOwnership } from './tree-ownership.ts';

export interface EngineSettings {
  /** Decisions committed together at most. */
  readonly decisionsPerBatchMax: number;
  /** Loads one decision may need before it is given up (each load names all it lacks). */
  readonly faultsPerDecisionMax: number;
  /** Transfer ids fetched from storage at once. */
  readonly transferIdBlock: number;
  /** Closed sessions (and their reservations) kept in memory for retransmissions. */
  readonly closedSessionsKeptMax: number;
  /**
   * How long exchange rates stay in memory. Rates belong to no tree: any node may set one, so
   * memory reads them again after this long (a new rate reaches every node within it).
   */
  readonly exchangeRatesKeptMs: number;
}

export const engineDefaults: EngineSettings = {
  decisionsPerBatchMax: 2_000,
  faultsPerDecisionMax: 16,
  transferIdBlock: 1_024,
  closedSessionsKeptMax: 20_000,
  exchangeRatesKeptMs: 5_000,
};

export interface EngineStats {
  readonly decisions: number;
  readonly faults: number;
  readonly batches: number;
  readonly batchDecisionsMax: number;
  readonly lastBatchDecisions: number;
  readonly lastCommitMs: number;
  readonly commitMsTotal: number;
  readonly failedBatches: number;
  readonly sessionsInMemory: number;
}

/**
 * The charging store of a single writer: one owner of the state decides every write in memory,
 * one decision after another, and a group committer makes the decisions durable in batches.
 * It is a ChargingStore, so the charging and ledger use cases run on it unchanged; what changes
 * is what a transaction is: a decision over memory, undone when it fails, whose answer is
 * released only after the batch holding its records has committed.
 */
export interface ChargingEngine extends ChargingStore {
  /** Loads the state; transactions wait for it. */
  start(): Promise<void>;
  /** Resolves when every decision taken so far is durable (or failed). */
  idle(): Promise<void>;
  stats(): EngineStats;
  /**
   * Makes everything decided so far durable, then forgets memory: the next decision loads the
   * trees owned then. Called when the trees this engine owns change (a takeover, a release).
   */
  reload(): Promise<void>;
  /**
   * Tells the engine a session belongs to a tree another engine owns (its authorize was just
   * handed to that owner), so the session's later requests are handed over without a load.
   */
  noteForeignSession(sessionId: string, rootId: string): void;
}

interface Decided<T> {
  readonly kind: 'decided';
  readonly value: T;
  readonly durable: Promise<void>;
}

interface Faulted {
  readonly kind: 'fault';
  readonly fault: EngineFault;
}

/** Memory was dropped (a failed batch) while the decision ran: run it again on fresh memory. */
interface Stale {
  readonly kind: 'stale';
}

export function createChargingEngine(options: {
  storage: EngineStorage;
  settings?: Partial<EngineSettings>;
  nowMs: () => number;
  nextTurn: () => Promise<void>;
  /** The trees this engine decides for; all of them by default (a single node). */
  ownership?: TreeOwnership;
}): ChargingEngine {
  return new Engine(options.storage, { ...engineDefaults, ...options.settings },
    options.nowMs, options.nextTurn, options.ownership ?? ownsEveryTree);
}

/** The part of a snapshot that belongs to the trees this engine owns. */
function ownedPart(snapshot: EngineSnapshot, ownership: TreeOwnership): EngineSnapshot {
  if (ownership === ownsEveryTree) return snapshot;
  const roots = rootsOf(snapshot.accounts);
  const owned = (accountId: string | null) =>
    accountId === null || ownership.owns(roots.get(accountId) ?? accountId);
  return {
    accounts: snapshot.accounts.filter((account) => owned(account.id)),
    books: snapshot.books.filter((book) => owned(book.accountId)),
    openReservations: snapshot.openReservations.filter((reservation) =>
      reservation.legs.every((leg) => owned(leg.accountId))),
    liveSessions: snapshot.liveSessions.filter((session) => owned(session.accountId)),
  };
}

class Engine implements ChargingEngine {
  readonly #storage: EngineStorage;
  readonly #settings: EngineSettings;
  readonly #committer: BatchCommitter;
  readonly #ownership: TreeOwnership;
  readonly #nowMs: () => number;
  #ratesKeptSinceMs = 0;
  #state: EngineState | null = null;
  #loading: Promise<EngineState> | null = null;
  /** Bumped when memory is dropped after a failed batch: decisions of an older one fail. */
  #generation = 0;
  #queue: Promise<unknown> = Promise.resolve();
  /** The log of the decision running now, and the transaction over it and the state. */
  readonly #log: DecisionLog = { undo: [], records: [], absent: new Set() };
  #tx: ChargingTransaction | null = null;
  #txState: EngineState | null = null;
  /** Closed sessions and reservations in the order they closed, with the batch that did it. */
  readonly #closed: Array<{ sessionId: string | null; reservationId: string | null;
    seq: number }> = [];
  #stats = { decisions: 0, faults: 0, batches: 0, batchDecisionsMax: 0, lastBatchDecisions: 0,
    lastCommitMs: 0, commitMsTotal: 0, failedBatches: 0 };

  constructor(storage: EngineStorage, settings: EngineSettings, nowMs: () => number,
    nextTurn: () => Promise<void>, ownership: TreeOwnership) {
    this.#storage = storage;
    this.#ownership = ownership;
    this.#nowMs = nowMs;
    this.#settings = settings;
    this.#committer = new BatchCommitter({
      append: (records) => storage.appendBatch(records),
      decisionsPerBatchMax: settings.decisionsPerBatchMax,
      nowMs,
      nextTurn,
      onDurable: (seq, decisions, _records, ms) => this.#onDurable(seq, decisions, ms),
      onFailed: () => {
        this.#stats.failedBatches += 1;
        this.#dropMemory();
      },
    });
  }

  noteForeignSession(sessionId: string, rootId: string): void {
    const state = this.#state;
    if (state !== null && !state.sessions.has(sessionId)) {
      state.noteForeignSession(sessionId, rootId);
    }
  }

  reload(): Promise<void> {
    return this.#serial(async () => {
      await this.#committer.idle();
      this.#dropMemory();
    });
  }

  async start(): Promise<void> {
    await this.#loaded();
  }

  idle(): Promise<void> {
    return this.#committer.idle();
  }

  stats(): EngineStats {
    return { ...this.#stats, sessionsInMemory: this.#state?.sessions.size ?? 0 };
  }

  async transaction<T>(
    work: (tx: ChargingTransaction) => Promise<T>,
    options: { readonly readOnly?: boolean } = {},
  ): Promise<T> {
    if (options.readOnly === true) return this.#storage.read(work);
    const absent = new Set<AbsentKey>();
    for (let faults = 0; ; faults += 1) {
      const outcome = await this.#serial(() => this.#decide(work, absent));
      if (outcome.kind === 'decided') {
        await outcome.durable;
        return outcome.value;
      }
      this.#stats.faults += 1;
      if (faults >= this.#settings.faultsPerDecisionMax) {
        throw new Error('a charging decision needed more loads than allowed');
      }
      if (outcome.kind === 'stale') continue;
      const state = await this.#loaded();
      try {
        await loadNeeds(this.#storage, state, this.#ownership, outcome.fault.needs,
          this.#settings.transferIdBlock, absent);
      } catch (error) {
        if (!(error instanceof EngineMemoryStale)) throw error;
        await this.reload();
      }
    }
  }

  /** Runs `step` after every decision queued before it: decisions never interleave. */
  #serial<R>(step: () => Promise<R>): Promise<R> {
    const result = this.#queue.then(step, step);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #decide<T>(work: (tx: ChargingTransaction) => Promise<T>,
    absent: ReadonlySet<AbsentKey>): Promise<Decided<T> | Faulted | Stale> {
    // The state and its generation are taken together: memory dropped between the two (a
    // batch failing in the meantime) must not be decided on.
    const generation = this.#generation;
    const state = await this.#loaded();
    const current = () => generation === this.#generation && state === this.#state;
    if (!current()) return { kind: 'stale' };
    const nowMs = this.#nowMs();
    if (nowMs - this.#ratesKeptSinceMs > this.#settings.exchangeRatesKeptMs) {
      state.rates.clear();
      this.#ratesKeptSinceMs = nowMs;
    }
    const log = this.#log;
    log.undo = [];
    log.records = [];
    log.absent = absent;
    if (this.#txState !== state) {
      this.#tx = engineTransaction(state, log, this.#durableRead, this.#ownership);
      this.#txState = state;
    }
    let value: T;
    try {
      value = await work(this.#tx!);
    } catch (error) {
      for (const step of log.undo.reverse()) step();
      if (!current()) return { kind: 'stale' };
      if (error instanceof EngineFault) return { kind: 'fault', fault: error };
      throw error;
    }
    // Checked in the same turn as the append below: a decision taken on memory a failed batch
    // made stale is never recorded; it runs again on what storage holds.
    if (!current()) return { kind: 'stale' };
    this.#stats.decisions += 1;
    const records = log.records;
    if (records.length === 0) return { kind: 'decided', value,
      durable: this.#committer.barrier() };
    const { seq, durable } = this.#committer.append(records);
    this.#noteClosed(records, seq);
    return { kind: 'decided', value, durable };
  }

  /** Memory does not hold the journal: a decision reads it once everything before is durable. */
  readonly #durableRead: DurableRead = async (work) => {
    await this.#committer.barrier();
    return this.#storage.read(work);
  };

  #loaded(): Promise<EngineState> {
    if (this.#state !== null) return Promise.resolve(this.#state);
    this.#loading ??= this.#storage.loadSnapshot().then((snapshot) => {
      this.#state = EngineState.fromSnapshot(ownedPart(snapshot, this.#ownership));
      return this.#state;
    }).finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  /**
   * A batch failed (memory is ahead of storage) or the owned trees changed. Drop memory; the
   * next decision reloads committed state (what was acknowledged), so nothing unacknowledged
   * survives in memory either.
   */
  #dropMemory(): void {
    this.#generation += 1;
    this.#state = null;
    this.#closed.length = 0;
  }

  #noteClosed(records: readonly EngineRecord[], seq: number): void {
    for (const record of records) {
      // A refused authorize inserts its session already closed: it is forgotten like the rest.
      const session = record.kind === 'session_updated' || record.kind === 'session_inserted'
        ? record.session : null;
      if (session !== null && session.state !== 'live') {
        this.#closed.push({ sessionId: session.sessionId, reservationId: null, seq });
      } else if (record.kind === 'reservation_updated' &&
        record.reservation.state !== 'open') {
        this.#closed.push({ sessionId: null, reservationId: record.reservation.id, seq });
      }
    }
  }

  #onDurable(seq: number, decisions: number, ms: number): void {
    const stats = this.#stats;
    stats.batches += 1;
    stats.lastBatchDecisions = decisions;
    stats.batchDecisionsMax = Math.max(stats.batchDecisionsMax, decisions);
    stats.lastCommitMs = ms;
    stats.commitMsTotal += ms;
    this.#evictClosed(seq);
  }

  /** Forgets the oldest closed sessions past the bound once they are durable. */
  #evictClosed(durableSeq: number): void {
    const state = this.#state;
    const keep = this.#settings.closedSessionsKeptMax;
    let dropped = 0;
    while (this.#closed.length - dropped > keep) {
      const entry = this.#closed[dropped];
      if (entry === undefined || entry.seq > durableSeq) break;
      dropped += 1;
      if (state === null) continue;
      if (entry.sessionId !== null && state.sessions.get(entry.sessionId)?.state !== 'live') {
        state.dropSession(entry.sessionId);
      }
      if (entry.reservationId !== null &&
        state.reservations.get(entry.reservationId)?.state !== 'open') {
        state.reservations.delete(entry.reservationId);
      }
    }
    if (dropped > 0) this.#closed.splice(0, dropped);
  }
}
