/**
 * What an assembled deck (`deck-assembly.ts`) keeps in memory, estimated from its structure:
 * the counts of what it holds times what one of each costs in V8 on 64-bit Node (no pointer
 * compression, so a reference or a small integer is 8 bytes). It is an estimate, not a
 * measurement: `npm run bench -- deck-import` prints it beside the heap a deck really keeps,
 * and they agree within about 10 %. Operators read it to size `deckCacheDecksMax`.
 */
export interface DeckMemoryCounts {
  readonly rows: number;
  /** Effective-window ends that are set (each is a boxed double in its row). */
  readonly instants: number;
  readonly lists: number;
  /** Prefixes short enough to be copied (V8 slices longer ones out of the shared text). */
  readonly shortStrings: number;
  readonly prefixChars: number;
  readonly destinations: number;
  readonly destinationChars: number;
  readonly amounts: number;
  readonly cells: number;
  /** Entries of the index's maps of prefixes no bucket key holds. */
  readonly mapEntries: number;
  /** Bytes of the index's typed arrays and the list ends. */
  readonly typedBytes: number;
}

/** V8 object sizes on 64-bit Node 20 (bytes). */
export const v8Bytes = {
  /** A row: map, properties and elements words, then its 14 fields in the object. */
  rowObject: 24 + 14 * 8,
  /** A boxed double (a field holding a number beyond the small integers). */
  heapNumber: 16,
  slot: 8,
  /** A string's header (map, hash, length); its characters follow, padded to 8 bytes. */
  stringHeader: 16,
  /** A slice of a longer string: header, parent and offset. */
  slicedString: 32,
  /** A bigint of one 64-bit digit. */
  bigint: 24,
  /** A Map entry: key, value and chain words, a bucket word per two, and room to grow. */
  mapEntry: 40,
  /** An array's or typed array's own object, beside its elements. */
  arrayObject: 32,
} as const;

/** Strings shorter than this are copied by `slice`; longer ones become a `slicedString`. */
export const slicedStringCharsMin = 13;

export function estimateDeckMemoryBytes(counts: DeckMemoryCounts): number {
  const { rows, lists } = counts;
  const rowBytes = rows * (v8Bytes.rowObject + v8Bytes.slot) + counts.instants * v8Bytes.heapNumber;
  // Long prefixes are slices of one text that stays alive with them; short ones are copies.
  const prefixBytes = counts.shortStrings * (v8Bytes.stringHeader + v8Bytes.slot) +
    (lists - counts.shortStrings) * v8Bytes.slicedString + padded(counts.prefixChars);
  const destinationBytes = counts.destinations * (v8Bytes.slicedString + v8Bytes.slot) +
    padded(counts.destinationChars * 2);
  const amountBytes = counts.amounts * (v8Bytes.bigint + v8Bytes.slot);
  const indexBytes = counts.cells * v8Bytes.slot + counts.mapEntries * v8Bytes.mapEntry +
    counts.typedBytes + 16 * v8Bytes.arrayObject;
  return rowBytes + prefixBytes + destinationBytes + amountBytes + indexBytes;
}

function padded(bytes: number): number {
  return v8Bytes.stringHeader + Math.ceil(bytes / 8) * 8;
}
