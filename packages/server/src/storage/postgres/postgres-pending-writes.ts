import type pg from 'pg';
import { assert } from '@tollgate/core';

/**
 * Writes that a unit of work holds back until it next needs the database (write-behind), so
 * that several writes that answer nothing travel in one round trip. PostgresDatabase opens a
 * unit on a client before running its work, flushes the held writes when the work resolves
 * (inside the unit's transaction or savepoint, so they commit or fail with the unit that made
 * them) and closes the unit, dropping whatever a failed unit left held.
 */
export interface PendingWrites {
  flush(): Promise<void>;
  discard(): void;
}

interface UnitState {
  writes: PendingWrites | null;
}

const unitByClient = new WeakMap<pg.PoolClient, UnitState>();

export function openUnit(client: pg.PoolClient): void {
  assert(!unitByClient.has(client), 'one unit of work at a time per connection');
  unitByClient.set(client, { writes: null });
}

export async function flushPendingWrites(client: pg.PoolClient): Promise<void> {
  await unitByClient.get(client)?.writes?.flush();
}

export function closeUnit(client: pg.PoolClient): void {
  unitByClient.get(client)?.writes?.discard();
  unitByClient.delete(client);
}

/**
 * The writes held for the unit running on `client`, created by `create` on first use. Only a
 * unit opened by PostgresDatabase may hold writes: nothing else would flush them.
 */
export function pendingWritesOf<W extends PendingWrites>(
  client: pg.PoolClient,
  create: () => W,
): W {
  const unit = unitByClient.get(client);
  assert(unit !== undefined, 'ledger primitives run inside PostgresDatabase.transaction');
  unit.writes ??= create();
  return unit.writes as W;
}
