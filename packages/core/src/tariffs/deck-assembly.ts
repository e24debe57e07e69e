import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import {
  recordNumberStride,
  rowInt,
  rowIntStride,
  type RateDeckImage,
} from './deck-image.ts';
import { estimateDeckMemoryBytes, slicedStringCharsMin } from './deck-memory.ts';
import { adoptPrefixIndex, prefixIndexOver } from './prefix-index.ts';
import type { Cell } from './prefix-record.ts';
import type { RateDeck, RateRow } from './rate-deck.ts';
import { SortedRowLists } from './sorted-row-lists.ts';
import type { TimeBandSet } from './time-bands.ts';

export interface AssembledDeck {
  readonly deck: RateDeck;
  /** `estimateDeckMemoryBytes` of what the deck and its index keep. */
  readonly memoryBytes: number;
}

/**
 * Builds a deck (with its prefix index adopted) from an image, a bounded amount of work per
 * `step`, so that a server can answer requests between steps: a million-row deck is about a
 * million row objects and six million index cells, some hundreds of milliseconds in one go.
 */
export interface DeckAssembly {
  /** Does at most `unitsMax` units (a row, a record, an amount, ...); true once complete. */
  step(unitsMax: number): boolean;
  /** The deck; only after `step` returned true. */
  result(): AssembledDeck;
}

export const deckAssemblyLimits = {
  /** A step larger than this would block its caller for about a second. */
  unitsPerStepMax: 1_000_000,
} as const;

export function assembleRateDeck(image: RateDeckImage, bands: TimeBandSet): DeckAssembly {
  const assembler = new DeckAssembler(image, bands);
  return {
    step: (unitsMax) => assembler.step(unitsMax),
    result: () => assembler.result(),
  };
}

/** The phases, in order; each has a count of units and a cursor. */
const phases = ['amounts', 'destinations', 'rows', 'records', 'maps'] as const;
type Phase = (typeof phases)[number];

class DeckAssembler {
  readonly #image: RateDeckImage;
  readonly #bands: TimeBandSet;
  readonly #bandNames: readonly string[];
  readonly #amounts: Micros[] = [];
  readonly #destinations: string[] = [];
  readonly #rows: RateRow[] = [];
  readonly #cells: Cell[] = [];
  readonly #shortByPrefix = new Map<string, number>();
  readonly #longByPrefix = new Map<string, number>();
  #phase = 0;
  #cursor = 0;
  /** The list the rows phase is in, and its prefix ('' until its first row). */
  #list = 0;
  #prefix = '';
  #shortStrings = 0;
  #instants = 0;
  #done: AssembledDeck | null = null;

  constructor(image: RateDeckImage, bands: TimeBandSet) {
    assert(image.listCount >= 1 && image.rowCount >= image.listCount, 'a deck has rows');
    // Rows refer to the band set's own name strings, as the parser's rows do.
    const names = new Map<string, string>();
    for (const name of bands.keys()) names.set(name, name);
    this.#bandNames = image.bandNames.map((name) => {
      const own = names.get(name);
      assert(own !== undefined, 'a band the rows name is in the band set');
      return own;
    });
    this.#image = image;
    this.#bands = bands;
  }

  step(unitsMax: number): boolean {
    assert(Number.isSafeInteger(unitsMax) && unitsMax >= 1 &&
      unitsMax <= deckAssemblyLimits.unitsPerStepMax, 'a step is bounded');
    let budget = unitsMax;
    while (budget > 0 && this.#phase < phases.length) {
      const phase = phases[this.#phase]!;
      const total = this.#unitsOf(phase);
      const end = Math.min(total, this.#cursor + budget);
      budget -= this.#run(phase, this.#cursor, end);
      this.#cursor = end;
      if (end === total) {
        this.#phase += 1;
        this.#cursor = 0;
      }
    }
    if (this.#phase < phases.length) return false;
    this.#done ??= this.#finish();
    return true;
  }

  result(): AssembledDeck {
    assert(this.#done !== null, 'a deck is read once assembled');
    return this.#done;
  }

  #unitsOf(phase: Phase): number {
    const image = this.#image;
    switch (phase) {
      case 'amounts': return image.amountsMicros.length;
      case 'destinations': return image.destinationEnd.length;
      case 'rows': return image.rowCount;
      case 'records': return image.listCount;
      case 'maps': return image.index.shortRecords.length + image.index.longRecords.length;
    }
  }

  /** Runs units `[from, to)` of a phase; returns how many. */
  #run(phase: Phase, from: number, to: number): number {
    const image = this.#image;
    switch (phase) {
      case 'amounts':
        for (let at = from; at < to; at += 1) this.#amounts.push(micros(image.amountsMicros[at]!));
        return to - from;
      case 'destinations':
        for (let at = from; at < to; at += 1) {
          const start = at === 0 ? 0 : image.destinationEnd[at - 1]!;
          this.#destinations.push(image.destinationText.slice(start, image.destinationEnd[at]!));
        }
        return to - from;
      case 'rows': return this.#addRows(from, to);
      case 'records': return this.#addRecords(from, to);
      case 'maps': return this.#addMapEntries(from, to);
    }
  }

  /** Rows `[from, to)`, in list order; a list's first row makes its prefix string. */
  #addRows(from: number, to: number): number {
    const image = this.#image;
    assert(from === this.#rows.length, 'rows are assembled in order');
    for (let row = from; row < to; row += 1) {
      if (this.#prefix === '') {
        const start = this.#list === 0 ? 0 : image.prefixEnd[this.#list - 1]!;
        // One string per prefix, shared by its rows.
        this.#prefix = image.prefixText.slice(start, image.prefixEnd[this.#list]!);
        if (this.#prefix.length < slicedStringCharsMin) this.#shortStrings += 1;
      }
      this.#rows.push(this.#rowAt(row, this.#prefix));
      if (row + 1 === image.rowEnd[this.#list]) {
        this.#list += 1;
        this.#prefix = '';
      }
    }
    return to - from;
  }

  #rowAt(row: number, prefix: string): RateRow {
    const ints = this.#image.rowInts;
    const at = row * rowIntStride;
    const band = ints[at + rowInt.timeBand]!;
    const from = this.#image.rowInstants[row * 2]!;
    const to = this.#image.rowInstants[row * 2 + 1]!;
    if (!Number.isNaN(from)) this.#instants += 1;
    if (!Number.isNaN(to)) this.#instants += 1;
    // The parser's field order, so both kinds of deck share one object shape.
    return {
      line: ints[at + rowInt.line]!,
      prefix,
      destination: this.#destinations[ints[at + rowInt.destination]!]!,
      rateMicros: this.#amounts[ints[at + rowInt.rate]!]!,
      connectFeeMicros: this.#amounts[ints[at + rowInt.connectFee]!]!,
      rateUnitS: ints[at + rowInt.rateUnitS]!,
      initialIncrementS: ints[at + rowInt.initialIncrementS]!,
      incrementS: ints[at + rowInt.incrementS]!,
      fromS: ints[at + rowInt.fromS]!,
      includedS: ints[at + rowInt.includedS]!,
      timeBand: band < 0 ? null : this.#bandNames[band]!,
      weight: ints[at + rowInt.weight]!,
      effectiveFromMs: Number.isNaN(from) ? null : from,
      effectiveToMs: Number.isNaN(to) ? null : to,
    };
  }

  /** Records in record order: the row and prefix references, then the image's numbers. */
  #addRecords(from: number, to: number): number {
    const numbers = this.#image.index.recordNumbers;
    for (let record = from; record < to; record += 1) {
      const at = record * recordNumberStride;
      const list = numbers[at]!;
      const row = this.#rows[list === 0 ? 0 : this.#image.rowEnd[list - 1]!]!;
      // In `recordField` order: row, prefix, plan, rate low, connect fee low, list.
      this.#cells.push(row, row.prefix, numbers[at + 1]!, numbers[at + 2]!, numbers[at + 3]!,
        list);
    }
    return to - from;
  }

  #addMapEntries(from: number, to: number): number {
    const { shortRecords, longRecords } = this.#image.index;
    for (let entry = from; entry < to; entry += 1) {
      const isShort = entry < shortRecords.length;
      const record = isShort ? shortRecords[entry]! : longRecords[entry - shortRecords.length]!;
      const prefix = this.#cells[record + 1] as string;
      (isShort ? this.#shortByPrefix : this.#longByPrefix).set(prefix, record);
    }
    return to - from;
  }

  #finish(): AssembledDeck {
    const image = this.#image;
    const { index } = image;
    assert(this.#rows.length === image.rowCount, 'every row is assembled');
    const rowsByPrefix = new SortedRowLists(this.#rows, image.rowEnd);
    const prefixIndex = prefixIndexOver({ cells: this.#cells, keys: index.keys,
      schemes: index.schemes, bucketStart: index.bucketStart, shortBest: index.shortBest,
      shortByPrefix: this.#shortByPrefix, longByPrefix: this.#longByPrefix,
      listCount: image.listCount, rowsOf: (list) => rowsByPrefix.rowsOf(list),
      parentOfList: index.parentOfList, windows: index.windows, stemDigits: index.stemDigits,
      suffixDigits: index.suffixDigits, longestPrefix: index.longestPrefix });
    const deck: RateDeck = { settings: image.settings, rowsByPrefix,
      prefixLengthMax: image.prefixLengthMax, rowCount: image.rowCount, bands: this.#bands };
    adoptPrefixIndex(deck, prefixIndex);
    return { deck, memoryBytes: this.#memoryBytes() };
  }

  #memoryBytes(): number {
    const image = this.#image;
    const { index } = image;
    const typed = [image.rowEnd, index.keys, index.schemes, index.bucketStart, index.shortBest,
      index.parentOfList, index.windows];
    return estimateDeckMemoryBytes({ rows: image.rowCount, instants: this.#instants,
      lists: image.listCount, shortStrings: this.#shortStrings,
      prefixChars: image.prefixText.length, destinations: this.#destinations.length,
      destinationChars: image.destinationText.length, amounts: this.#amounts.length,
      cells: this.#cells.length,
      mapEntries: this.#shortByPrefix.size + this.#longByPrefix.size,
      typedBytes: typed.reduce((sum, array) => sum + array.byteLength, 0) });
  }
}
