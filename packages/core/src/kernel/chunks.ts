import { assert } from './assert.ts';

/**
 * `work` on every item, at most `concurrentMax` at a time, results in the items' order. For
 * independent writes (each with its own idempotency key) that the charging engine can commit
 * in one batch when they arrive together.
 */
export async function mapInChunks<Item, Out>(items: readonly Item[], concurrentMax: number,
  work: (item: Item) => Promise<Out>): Promise<Out[]> {
  assert(Number.isInteger(concurrentMax) && concurrentMax > 0, 'a positive bound');
  const results: Out[] = [];
  for (let start = 0; start < items.length; start += concurrentMax) {
    results.push(...await Promise.all(items.slice(start, start + concurrentMax).map(work)));
  }
  return results;
}
