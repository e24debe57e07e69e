import type { DidStore } from '@tollgate/core';
import type { WithRunner } from '../storage/shared/api-store-sql.ts';
import {
  fromDbDid,
  fromDbHolding,
  toDbDid,
  toDbHolding,
  type DidRow,
  type HoldingRow,
} from './did-mapping.ts';
import { didSql as sql } from './did-sql.ts';

/**
 * The `DidStore` port over both dialects; every method is one transaction. A race between
 * two nodes inserting the same number or the same hold depth ends on a unique key: PostgreSQL
 * reruns the transaction (23505), and the rerun finds the winner's row and answers false.
 */
export function didStoreOver(transaction: WithRunner): DidStore {
  const read = <T>(work: Parameters<WithRunner>[0]) =>
    transaction(work, { readOnly: true }) as Promise<T>;
  return {
    insertDids: (rows) => transaction(async (runner) => {
      for (const { did } of rows) {
        const found = await runner.all(sql.findDid, [did.operatorId, did.number]);
        if (found.length > 0) return false;
      }
      for (const { did, carrierHolding } of rows) {
        await runner.run(sql.insertDid, toDbDid(did));
        if (carrierHolding !== null) await runner.run(sql.insertHolding,
          toDbHolding(carrierHolding));
      }
      return true;
    }),
    findDid: (key) => read(async (runner) => {
      const [row] = await runner.all<DidRow>(sql.findDid, [key.operatorId, key.number]);
      return row === undefined ? null : fromDbDid(row);
    }),
    findDidsByNumber: (number) => read(async (runner) =>
      (await runner.all<DidRow>(sql.findByNumber, [number])).map(fromDbDid)),
    listDids: (query) => read(async (runner) => {
      const after = query.afterNumber ?? '';
      const rows = query.holderId === null
        ? await runner.all<DidRow>(sql.listDids, [query.operatorId, after, query.limit])
        : await runner.all<DidRow>(sql.listHeld, [query.operatorId, query.holderId, after,
          query.limit]);
      return rows.map(fromDbDid);
    }),
    activeHoldings: (key) => read(async (runner) =>
      (await runner.all<HoldingRow>(sql.activeHoldings, [key.operatorId, key.number]))
        .map(fromDbHolding)),
    startHolding: (holding, state) => transaction(async (runner) => {
      const taken = await runner.all(sql.activeAtDepth, [holding.operatorId, holding.number,
        holding.depth]);
      if (taken.length > 0) return false;
      await runner.run(sql.insertHolding, toDbHolding(holding));
      await runner.run(sql.setState, [state, null, holding.operatorId, holding.number]);
      return true;
    }),
    removeHolding: (holding, state) => transaction(async (runner) => {
      await runner.run(sql.deleteHolding, [holding.id]);
      await runner.run(sql.setState, [state, null, holding.operatorId, holding.number]);
    }),
    endHoldings: (key, options) => transaction(async (runner) => {
      const active = await runner.all<HoldingRow>(sql.activeHoldings, [key.operatorId,
        key.number]);
      await runner.run(sql.endHoldings, [options.endedAtMs, key.operatorId, key.number,
        options.fromDepth]);
      await runner.run(sql.setState, [options.state, options.quarantineUntilMs,
        key.operatorId, key.number]);
      return active.filter((row) => Number(row.depth) >= options.fromDepth).length;
    }),
    setDestination: (key, destination) => transaction(async (runner) => {
      const found = await runner.all(sql.findDid, [key.operatorId, key.number]);
      if (found.length === 0) return false;
      await runner.run(sql.setDestination, [destination?.kind ?? null,
        destination?.value ?? null, key.operatorId, key.number]);
      return true;
    }),
    listDueHoldings: (query) => read(async (runner) =>
      (await runner.all<HoldingRow>(sql.dueHoldings, [query.atMs, query.afterId ?? '',
        query.limit])).map(fromDbHolding)),
    markSetupCharged: (id) => transaction((runner) => runner.run(sql.markSetupCharged, [id])),
    advanceCursor: (id, chargedThroughMs) => transaction((runner) =>
      runner.run(sql.advanceCursor, [chargedThroughMs, id, chargedThroughMs])),
    acquireLease: (lease) => transaction(async (runner) => (await runner.all(sql.acquireLease,
      [lease.name, lease.holder, lease.untilMs, lease.nowMs])).length === 1),
  };
}
