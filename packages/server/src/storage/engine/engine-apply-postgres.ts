import type pg from 'pg';
import { assert, type CompactedBatch } from '@tollgate/core';
import { batchParts, type BatchPart } from './engine-apply-postgres-parts.ts';

/**
 * The whole batch as ONE statement of data-modifying WITH queries: one round trip per batch
 * instead of one per row. PostgreSQL runs the parts against one snapshot, so no part may touch
 * a row another part touches: CompactedBatch writes each row once, which is what makes it
 * safe. Foreign keys are checked at the end of the statement, so a part may refer to rows
 * another part inserts (legs to their reservation, a session's levels to the session). It
 * answers how many rows each part wrote.
 */
function batchStatementText(parts: readonly BatchPart[]): string {
  let parameter = 0;
  const queries = parts.map((part) => {
    const arrays = part.columns.map(([, type]) => {
      parameter += 1;
      return `$${parameter}::${type}[]`;
    });
    const columns = part.columns.map(([name]) => name).join(', ');
    const sql = part.sql(`unnest(${arrays.join(', ')})`, columns);
    return `${part.name} AS (${sql} RETURNING 1)`;
  });
  const counts = parts.map((part) => `(SELECT count(*) FROM ${part.name})::int AS ${part.name}`);
  return `WITH ${queries.join(',\n')}\nSELECT ${counts.join(',\n  ')}`;
}

/** Prepared once per connection under this name (the text never changes). */
const statement = { name: 'engine_apply_batch', text: batchStatementText(batchParts) };

/** One array per column of every part, in the order of the statement's parameters. */
function parametersOf(batch: CompactedBatch): { values: unknown[][]; rowCounts: number[] } {
  const values: unknown[][] = [];
  const rowCounts: number[] = [];
  for (const part of batchParts) {
    const rows = part.rows(batch);
    rowCounts.push(rows.length);
    for (let column = 0; column < part.columns.length; column += 1) {
      values.push(rows.map((row) => row[column]));
    }
  }
  return { values, rowCounts };
}

/**
 * Writes a compacted batch inside the transaction the caller holds on `client`, then checks
 * what each part wrote before the caller commits: the assertions of the row primitives (an
 * update changes the row it names, a new row is new), for the whole batch at once.
 */
export async function applyPostgresBatch(client: pg.PoolClient, batch: CompactedBatch):
  Promise<void> {
  const { values, rowCounts } = parametersOf(batch);
  const { rows } = await client.query<Record<string, number>>({ ...statement, values });
  const counts = rows[0];
  assert(counts !== undefined, 'the batch statement answers one row of counts');
  for (const [index, part] of batchParts.entries()) {
    if (part.check !== null) assert(counts[part.name] === rowCounts[index], part.check);
  }
}
