import type pg from 'pg';
import {
  assert,
  type BookDelta,
  type IdempotentOutcome,
  type Reservation,
  type SpendWindow,
} from '@tollgate/core';
import { postgresLedgerSql } from './postgres-ledger-sql.ts';
import type { PendingWrites } from './postgres-pending-writes.ts';

interface WriteCounts {
  readonly deltas: number;
  readonly spend: number;
  readonly reservations: number;
  readonly legs: number;
  readonly outcomes: number;
}

/**
 * The ledger writes that answer nothing (book deltas, spend, a reservation's update, idempotent
 * outcomes), held until the unit next reads or ends and then written by one statement. A commit
 * used to send four statements after taking its locks; it now sends one, so the locks of hot
 * rows are held for three round trips less. Each kind is held at most once: a second write of
 * the same kind first flushes the first, so the database sees every write in the order the use
 * case made it, relative to every statement that can observe it.
 */
export class PostgresLedgerWrites implements PendingWrites {
  readonly #client: pg.PoolClient;
  #deltas: readonly BookDelta[] = [];
  #spend: readonly SpendWindow[] = [];
  #reservation: Reservation | null = null;
  #outcomes: IdempotentOutcome[] = [];

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  async applyBookDeltas(deltas: readonly BookDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    if (this.#deltas.length > 0) await this.flush();
    this.#deltas = deltas;
  }

  async addSpend(windows: readonly SpendWindow[]): Promise<void> {
    if (windows.length === 0) return;
    if (this.#spend.length > 0) await this.flush();
    this.#spend = windows;
  }

  async updateReservation(reservation: Reservation): Promise<void> {
    if (this.#reservation !== null) await this.flush();
    this.#reservation = reservation;
  }

  async saveOutcome(outcome: IdempotentOutcome): Promise<void> {
    // Several keys may travel together; the same key twice fails on the unique key, as before.
    this.#outcomes.push(outcome);
  }

  async flush(): Promise<void> {
    if (this.#deltas.length === 0 && this.#spend.length === 0 && this.#reservation === null &&
      this.#outcomes.length === 0) return;
    const expected: WriteCounts = { deltas: this.#deltas.length, spend: this.#spend.length,
      reservations: this.#reservation === null ? 0 : 1,
      legs: this.#reservation?.legs.length ?? 0, outcomes: this.#outcomes.length };
    const values = this.#values();
    // Taken before the round trip: statements queued meanwhile run after this one.
    this.discard();
    const { rows } = await this.#client.query<WriteCounts>({ name: 'ledger_writeBehind',
      text: postgresLedgerSql.writeBehind, values });
    const counts = rows[0];
    assert(counts !== undefined, 'the write-behind statement answers one row of counts');
    assert(counts.deltas === expected.deltas, 'each delta changes one existing book');
    assert(counts.spend === expected.spend, 'each spend window is written');
    assert(counts.reservations === expected.reservations && counts.legs === expected.legs,
      'an update keeps the legs of a reservation');
    assert(counts.outcomes === expected.outcomes, 'each outcome is stored');
  }

  discard(): void {
    this.#deltas = [];
    this.#spend = [];
    this.#reservation = null;
    this.#outcomes = [];
  }

  #values(): unknown[] {
    const deltas = this.#deltas;
    const spend = this.#spend;
    const reservation = this.#reservation;
    const legs = reservation?.legs ?? [];
    const outcomes = this.#outcomes;
    return [
      deltas.map((d) => d.bookId), deltas.map((d) => d.postedDeltaMicros),
      deltas.map((d) => d.pendingDeltaMicros),
      spend.map((w) => w.accountId), spend.map((w) => w.periodKey),
      spend.map((w) => w.spentMicros),
      reservation?.id ?? null, reservation?.state ?? null, reservation?.expiresAtMs ?? null,
      reservation?.closedAtMs ?? null,
      legs.map((_leg, index) => index), legs.map((leg) => leg.pendingMicros),
      legs.map((leg) => leg.committedMicros),
      outcomes.map((o) => o.key), outcomes.map((o) => o.operation),
      outcomes.map((o) => o.requestJson), outcomes.map((o) => o.outcomeJson),
      outcomes.map((o) => o.createdAtMs),
    ];
  }
}
