import { setImmediate as nextTurn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import {
  assembleRateDeck,
  assert,
  parseRateDeckCsv,
  parseRateDeckImage,
  parseRateDeckSettings,
  prefixIndexOf,
  type AssembledDeck,
  type RateDeck,
  type RateDeckSettings,
} from '@tollgate/core';

import { generateDeckCsv } from './generate-deck.ts';

/**
 * How fast a large rate deck imports and how much memory the imported deck keeps. Operators
 * upload whole carrier decks (hundreds of thousands of prefixes) and the rating path holds the
 * deck in memory, so both numbers bound what a server can carry. The memory of a 1M-row deck
 * is measured twice: as the parser returns it with its index (what the server kept before
 * issue 14) and as the server keeps it now, assembled from the worker's image (one flat row
 * array, one string per prefix), beside the estimate the server reports (`memory_bytes`).
 * Run with `node --expose-gc`: without forced collections the heap difference is mostly
 * garbage, so it is not reported.
 */

const benchRowCounts = [100_000, 500_000] as const;
const memoryRowCount = 1_000_000;
/** Rows or records per assembly step, as the server's catalog uses. */
const assemblyUnitsPerStep = 8_192;
const runsPerSize = 3;
/** Fixed so that every run imports the very same decks. */
const benchSeed = 20_240_101;
const bytesPerMegabyte = 1_048_576;

interface ImportTiming {
  readonly rows: number;
  readonly csvBytes: number;
  readonly runsMs: readonly number[];
  readonly bestMs: number;
  readonly rowsPerSecond: number;
}

export async function runDeckImportBench(): Promise<Record<string, unknown>> {
  const settings = benchSettings();
  const timings: ImportTiming[] = [];
  for (const rows of benchRowCounts) {
    timings.push(await timeImport(rows, settings));
  }
  const memory = await measureRetainedHeap(memoryRowCount, settings);
  const assembled = await measureAssembledHeap(memoryRowCount, settings);
  printReport(timings, memory, assembled);
  return {
    bench: 'deck-import',
    timings,
    retainedHeapRows: memoryRowCount,
    retainedHeapBytes: memory.retainedBytes,
    retainedHeapBytesPerRow:
      memory.retainedBytes === null ? null : Math.round(memory.retainedBytes / memoryRowCount),
    indexHeapBytes: memory.indexBytes,
    assembledHeapBytes: assembled.retainedBytes,
    assembledEstimateBytes: assembled.estimateBytes,
  };
}

interface AssembledHeap {
  /** Heap and typed arrays the assembled deck keeps; null without `--expose-gc`. */
  readonly retainedBytes: number | null;
  /** What the server reports for it (`memory_bytes`). */
  readonly estimateBytes: number;
}

/** The deck as the server keeps it now: parsed to an image, then assembled step by step. */
async function measureAssembledHeap(rows: number, settings: RateDeckSettings):
  Promise<AssembledHeap> {
  collectGarbage();
  await nextTurn();
  const before = heapAndBuffers();
  const assembled = assembleGenerated(rows, settings);
  await nextTurn();
  collectGarbage();
  const after = heapAndBuffers();
  assert(assembled.deck.rowCount === rows, 'the deck is still held while the heap is measured');
  return { retainedBytes: gcFunction() === undefined ? null : after - before,
    estimateBytes: assembled.memoryBytes };
}

function assembleGenerated(rows: number, settings: RateDeckSettings): AssembledDeck {
  const image = parseRateDeckImage(generateDeckCsv({ rows, seed: benchSeed }), { settings });
  assert(image.ok, 'the generated deck imports');
  const assembly = assembleRateDeck(image.value, new Map());
  const stepsMax = Math.ceil((rows * 3) / assemblyUnitsPerStep) + 8;
  for (let step = 0; !assembly.step(assemblyUnitsPerStep); step += 1) {
    assert(step < stepsMax, 'the assembly ends within its step bound');
  }
  return assembly.result();
}

function benchSettings(): RateDeckSettings {
  const parsed = parseRateDeckSettings({ currency: 'USD' });
  assert(parsed.ok, 'the bench settings are valid');
  return parsed.value;
}

async function timeImport(rows: number, settings: RateDeckSettings): Promise<ImportTiming> {
  const text = generateDeckCsv({ rows, seed: benchSeed });
  const runsMs: number[] = [];
  for (let run = 0; run < runsPerSize; run += 1) {
    collectGarbage();
    await nextTurn();
    const startedAt = performance.now();
    const deck = parseRateDeckCsv(text, { settings });
    runsMs.push(performance.now() - startedAt);
    assert(deck.ok && deck.value.rowCount === rows, 'the generated deck imports completely');
  }
  const bestMs = Math.min(...runsMs);
  return {
    rows,
    csvBytes: text.length,
    runsMs: runsMs.map(roundToTenth),
    bestMs: roundToTenth(bestMs),
    rowsPerSecond: Math.round((rows / bestMs) * 1_000),
  };
}

/** Null without `--expose-gc`: uncollected garbage makes the difference meaningless. */
interface RetainedHeap {
  readonly retainedBytes: number | null;
  /** What the prefix index (built on first rating) adds to the deck. */
  readonly indexBytes: number | null;
}

/**
 * Heap in use while holding one imported deck, minus the heap before. The CSV text is built and
 * dropped inside `importGenerated`, so anything the deck still references (a source string kept
 * alive through substrings, say) is counted, as it would be in the server.
 */
async function measureRetainedHeap(
  rows: number,
  settings: RateDeckSettings,
): Promise<RetainedHeap> {
  collectGarbage();
  await nextTurn();
  const beforeBytes = process.memoryUsage().heapUsed;
  const deck = importGenerated(rows, settings);
  await nextTurn();
  collectGarbage();
  const afterBytes = process.memoryUsage().heapUsed;
  const buffersBefore = process.memoryUsage().arrayBuffers;
  assert(deck.rowCount === rows, 'the deck is still held while the heap is measured');
  const index = prefixIndexOf(deck);
  await nextTurn();
  collectGarbage();
  // Typed arrays live outside the V8 heap: their buffers are counted besides it.
  const withIndexBytes = heapAndBuffers();
  assert(index.listCount === rows, 'the index is held while the heap is measured');
  const gcExposed = gcFunction() !== undefined;
  return {
    retainedBytes: gcExposed ? afterBytes - beforeBytes : null,
    indexBytes: gcExposed ? withIndexBytes - afterBytes - buffersBefore : null,
  };
}

function importGenerated(rows: number, settings: RateDeckSettings): RateDeck {
  const deck = parseRateDeckCsv(generateDeckCsv({ rows, seed: benchSeed }), { settings });
  assert(deck.ok, 'the generated deck imports');
  return deck.value;
}

function heapAndBuffers(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function gcFunction(): (() => void) | undefined {
  return (globalThis as { gc?: () => void }).gc;
}

function collectGarbage(): void {
  const gc = gcFunction();
  if (gc !== undefined) gc();
}

function printReport(timings: readonly ImportTiming[], memory: RetainedHeap,
  assembled: AssembledHeap): void {
  const lines = [
    `deck import: parseRateDeckCsv, best of ${runsPerSize} runs`,
    `${'rows'.padStart(9)}  ${'csv MB'.padStart(7)}  ${'best ms'.padStart(8)}  ` +
      `${'rows/s'.padStart(9)}  runs ms`,
  ];
  for (const timing of timings) {
    lines.push(
      `${String(timing.rows).padStart(9)}  ` +
        `${(timing.csvBytes / bytesPerMegabyte).toFixed(1).padStart(7)}  ` +
        `${timing.bestMs.toFixed(1).padStart(8)}  ` +
        `${String(timing.rowsPerSecond).padStart(9)}  ${timing.runsMs.join(', ')}`,
    );
  }
  if (memory.retainedBytes === null) {
    lines.push(`deck of ${memoryRowCount} rows: memory not measured; run node with --expose-gc`);
  } else {
    const megabytes = (memory.retainedBytes / bytesPerMegabyte).toFixed(1);
    const perRow = Math.round(memory.retainedBytes / memoryRowCount);
    lines.push(`deck of ${memoryRowCount} rows retains ${megabytes} MB of heap, ${perRow} B/row`);
    if (memory.indexBytes !== null) {
      const indexMegabytes = (memory.indexBytes / bytesPerMegabyte).toFixed(1);
      lines.push(`its prefix index adds ${indexMegabytes} MB (heap and typed arrays)`);
    }
  }
  const estimate = (assembled.estimateBytes / bytesPerMegabyte).toFixed(1);
  lines.push(assembled.retainedBytes === null
    ? `as the server keeps it: estimated ${estimate} MB (run with --expose-gc to measure)`
    : `as the server keeps it (assembled from the worker's image, index included): ` +
      `${(assembled.retainedBytes / bytesPerMegabyte).toFixed(1)} MB measured, ` +
      `${estimate} MB estimated (memory_bytes)`);
  console.log(lines.join('\n'));
}

function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runDeckImportBench();
}
