/**
 * The shard of an account tree: FNV-1a of the root id, modulo the shard count. Every node of a
 * cluster must use the same count (it is part of the configuration they share).
 */
export function shardOf(rootId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < rootId.length; index += 1) {
    hash ^= rootId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shardCount;
}
