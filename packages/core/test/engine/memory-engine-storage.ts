import {
  spendKey,
  type ChargingTransaction,
  type EngineRecord,
  type EngineSnapshot,
  type EngineStorage,
  type ExchangeRatePair,
} from '../../src/index.ts';
import { liveSessionsOf, readTransaction } from './memory-engine-read.ts';
import { applyRecords, ConstraintViolation, EngineTables } from './memory-engine-tables.ts';

/**
 * How the next append fails. `lost`: nothing is stored (a commit that crashed, a connection
 * lost before COMMIT). `ambiguous`: everything is stored but the engine hears an error (the
 * connection was lost after COMMIT, before its acknowledgement): the engine cannot tell them
 * apart, and must not acknowledge either, yet a retransmission must find what was stored.
 */
export type AppendFailure = 'lost' | 'ambiguous';

export interface StorageCounters {
  appends: number;
  appendedRecords: number;
  failedAppends: number;
  fencedAppends: number;
  reads: number;
  loads: number;
}

/** What a held append is told when it is let go. */
type Admission = 'commit' | 'fenced' | AppendFailure;

interface Waiter {
  readonly epoch: number;
  readonly admit: (admission: Admission) => void;
}

const clone = (globalThis as unknown as { structuredClone: <T>(value: T) => T })
  .structuredClone;

/** A deep copy, so that neither side can change the other's values in place. */
function copy<T>(value: T): T {
  return clone(value);
}

/**
 * The engine's storage port over plain in-memory tables, for the simulation. One object is
 * the database; each node of the simulation gets its own `port()`. A node death fences the
 * ports handed out before it: their appends that have not committed yet never will (an
 * in-flight batch is lost), exactly as a lost lease or a closed connection does on PostgreSQL.
 *
 * Appends can be made to wait (`holdAppends`) until the test lets them through, one
 * (`admitOne`) or all (`releaseAppends`), so decisions pile up in the engine's open batch, and
 * to fail: the next one to reach its commit (`failNextAppend`), or the one being written now
 * (`failWritingAppend`, a held append). A failure lands wherever the test puts it, decisions in
 * flight or not, as on a real database. Reads and loads see only committed state; a read is
 * never interleaved with a commit (a read transaction's snapshot): commits wait for reads.
 */
export class MemoryEngineStorage {
  readonly tables = new EngineTables();
  readonly counters: StorageCounters = { appends: 0, appendedRecords: 0, failedAppends: 0,
    fencedAppends: 0, reads: 0, loads: 0 };
  /** Constraints a batch broke: always a bug of the engine (or of this double). */
  readonly violations: string[] = [];
  /** Microtask turns each operation yields before it runs (simulated I/O latency). */
  ioTurns = 1;
  #epoch = 0;
  #failNext: AppendFailure | null = null;
  #holding = false;
  readonly #waiters: Waiter[] = [];
  #activeReads = 0;
  #readsDone: Promise<void> = Promise.resolve();
  #readsDoneResolve: () => void = () => undefined;

  /** The port of a new node; ports of earlier epochs keep working until `fence`. */
  port(): EngineStorage {
    const epoch = this.#epoch;
    return {
      loadSnapshot: () => this.#load(() => this.#snapshot()),
      loadSessions: (ids) => this.#load(() => ids.flatMap((id) => this.#sessionOf(id))),
      loadSpendWindows: (keys) => this.#load(() => keys.flatMap((key) => {
        const spent = this.tables.spend.get(spendKey(key));
        return spent === undefined ? [] : [{ ...key, spentMicros: spent }];
      })),
      loadBundles: (query) => this.#load(() => [...this.tables.bundles.values()].filter(
        (bundle) => query.accountIds.includes(bundle.accountId) ||
          query.bundleIds.includes(bundle.id))),
      loadOutcomes: (keys) => this.#load(() => keys.flatMap((key) =>
        this.tables.outcomes.get(key) ?? [])),
      loadReservations: (ids) => this.#load(() => ids.flatMap((id) =>
        this.tables.reservations.get(id) ?? [])),
      loadExchangeRates: (pairs) => this.#load(() => this.#ratesOf(pairs)),
      loadAccounts: (ids) => this.#load(() => ids.flatMap((id) =>
        this.tables.accounts.get(id) ?? [])),
      allocateTransferIds: (count) => this.#load(() => this.#allocate(count)),
      appendBatch: (records) => this.#append(epoch, records),
      read: (work) => this.#read(work),
    };
  }

  /** A node died: nothing its port has not committed yet will ever commit. */
  fence(): void {
    this.#epoch += 1;
    for (const waiter of this.#waiters.splice(0)) waiter.admit('fenced');
  }

  failNextAppend(mode: AppendFailure): void {
    this.#failNext = mode;
  }

  get failurePending(): boolean {
    return this.#failNext !== null;
  }

  /**
   * The oldest held append (the batch the engine is writing now) fails at once, whatever else
   * is in flight; false if none is held.
   */
  failWritingAppend(mode: AppendFailure): boolean {
    const waiter = this.#waiters.shift();
    waiter?.admit(mode);
    return waiter !== undefined;
  }

  /** Forgets a failure no append has met yet. */
  clearFailure(): void {
    this.#failNext = null;
  }

  /** Appends wait from now on, until `admitOne` or `releaseAppends`. */
  holdAppends(): void {
    this.#holding = true;
  }

  releaseAppends(): void {
    this.#holding = false;
    for (const waiter of this.#waiters.splice(0)) waiter.admit('commit');
  }

  /** Lets the oldest waiting append commit; true if there was one. */
  admitOne(): boolean {
    const waiter = this.#waiters.shift();
    waiter?.admit('commit');
    return waiter !== undefined;
  }

  get waitingAppends(): number {
    return this.#waiters.length;
  }

  async #turns(): Promise<void> {
    for (let turn = 0; turn < this.ioTurns; turn += 1) await Promise.resolve();
  }

  async #load<T>(load: () => T): Promise<T> {
    await this.#turns();
    this.counters.loads += 1;
    return copy(load());
  }

  async #append(epoch: number, records: readonly EngineRecord[]): Promise<void> {
    const batch = copy(records);
    await this.#turns();
    let admission: Admission = 'commit';
    if (this.#holding && epoch === this.#epoch) {
      admission = await new Promise<Admission>((admit) => this.#waiters.push({ epoch, admit }));
    } else if (epoch !== this.#epoch) {
      admission = 'fenced';
    }
    if (admission === 'fenced') return this.#fenced();
    while (this.#activeReads > 0) await this.#readsDone;
    const failure = admission !== 'commit' ? admission : this.#failNext;
    if (admission === 'commit') this.#failNext = null;
    if (failure === null) return this.#commit(batch);
    this.counters.failedAppends += 1;
    if (failure === 'ambiguous') this.#commit(batch);
    throw new Error(failure === 'lost' ? 'simulated failure: the commit was lost'
      : 'simulated failure: the connection dropped after COMMIT');
  }

  #fenced(): never {
    this.counters.fencedAppends += 1;
    throw new Error('simulated node death: this node can no longer commit');
  }

  #commit(records: readonly EngineRecord[]): void {
    try {
      applyRecords(this.tables, records);
    } catch (error) {
      if (error instanceof ConstraintViolation) this.violations.push(error.message);
      throw error;
    }
    this.counters.appends += 1;
    this.counters.appendedRecords += records.length;
  }

  async #read<T>(work: (tx: ChargingTransaction) => Promise<T>): Promise<T> {
    await this.#turns();
    this.counters.reads += 1;
    if (this.#activeReads === 0) {
      this.#readsDone = new Promise((resolve) => {
        this.#readsDoneResolve = resolve;
      });
    }
    this.#activeReads += 1;
    try {
      return copy(await work(readTransaction(this.tables)));
    } finally {
      this.#activeReads -= 1;
      if (this.#activeReads === 0) this.#readsDoneResolve();
    }
  }

  #snapshot(): EngineSnapshot {
    const tables = this.tables;
    return {
      accounts: [...tables.accounts.values()],
      books: [...tables.books.values()],
      openReservations: [...tables.openReservations].map((id) => tables.reservations.get(id)!),
      liveSessions: liveSessionsOf(tables),
    };
  }

  #sessionOf(id: string) {
    const session = this.tables.sessions.get(id);
    return session === undefined ? [] : [session];
  }

  #ratesOf(pairs: readonly ExchangeRatePair[]) {
    return [...this.tables.rates.values()].filter((rate) => pairs.some((pair) =>
      pair.fromCurrency === rate.fromCurrency && pair.toCurrency === rate.toCurrency));
  }

  #allocate(count: number): bigint[] {
    const ids: bigint[] = [];
    for (let index = 0; index < count; index += 1) {
      const id = this.tables.nextTransferId;
      this.tables.nextTransferId += 1n;
      this.tables.allocatedIds.add(id);
      ids.push(id);
    }
    return ids;
  }
}
