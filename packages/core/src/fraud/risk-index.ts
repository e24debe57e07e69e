import { fraudLimits } from './fraud-limits.ts';
import type { RiskList } from './fraud-types.ts';

export interface RiskMatch {
  readonly list: RiskList;
  /** The longest prefix of the list that the number starts with. */
  readonly prefix: string;
}

/** Prefix -> lists, for at most `prefixDigitsMax` map lookups per call whatever the list sizes. */
export interface RiskIndex {
  readonly byPrefix: ReadonlyMap<string, readonly RiskList[]>;
  readonly empty: boolean;
}

export function riskIndexOf(lists: Iterable<RiskList>): RiskIndex {
  const byPrefix = new Map<string, RiskList[]>();
  for (const list of lists) {
    for (const prefix of list.prefixes) {
      const entry = byPrefix.get(prefix);
      if (entry === undefined) byPrefix.set(prefix, [list]);
      else entry.push(list);
    }
  }
  return { byPrefix, empty: byPrefix.size === 0 };
}

/**
 * The lists a call matches that apply to the account (the owner is on its chain, or the list is
 * the operator's), each with its longest matching prefix.
 */
export function riskMatches(index: RiskIndex, callee: string,
  chainIds: readonly string[]): RiskMatch[] {
  if (index.empty) return [];
  const found = new Map<string, RiskMatch>();
  const digits = Math.min(callee.length, fraudLimits.prefixDigitsMax);
  for (let length = 1; length <= digits; length += 1) {
    const prefix = callee.slice(0, length);
    const lists = index.byPrefix.get(prefix);
    if (lists === undefined) continue;
    for (const list of lists) {
      if (list.ownerAccountId !== null && !chainIds.includes(list.ownerAccountId)) continue;
      found.set(list.id, { list, prefix });
    }
  }
  return [...found.values()];
}
