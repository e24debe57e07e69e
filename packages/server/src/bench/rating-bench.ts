import { pathToFileURL } from 'node:url';
import {
  maxCallDuration,
  micros,
  prefixIndexOf,
  rateCall,
  type RateDeck,
} from '@tollgate/core';
import { drawNumbers, parseGeneratedDeck } from './bench-numbers.ts';
import { generateDeckCsv } from './generate-deck.ts';
import { measureRatingFloors } from './rating-floors.ts';

/**
 * W1 of docs/benchmark.md: rate random numbers against a 100k and a 500k-prefix deck on one
 * core (this process), lookup included. Numbers are drawn from the deck's own prefixes with
 * random digits appended, plus 5% that match nothing, so every lookup walks prefix lengths the
 * way live traffic does. Reported: ratings/s (`rateCall`, lookup included), max durations/s
 * (`maxCallDuration`, 60 s cap), lookups/s (the longest-prefix search alone), ratings/s when
 * the same 1,024 numbers repeat (everything in the caches: the rating's own work), the index
 * build time, and a checksum of the rated costs (identical across engine versions). The floor
 * beside them (`rating-floors.ts`) is this machine's RAM latency in the same run. What the
 * index adds to memory is in the deck-import bench.
 */
const deckSizes = [100_000, 500_000] as const;
const numbersPerRun = 200_000;
/** Numbers repeated for the in-cache figure: few enough that their index lines stay cached. */
const cachedNumbers = 1_024;
// The machine is shared: more runs give a quiet one a better chance to be among them.
const runs = 9;
const benchSeed = 20_240_101;
/**
 * Every result is stored, as a caller would keep it: a result nobody reads could be optimised
 * away by the compiler (escape analysis) and the bench would time less than a real rating.
 * Few are kept at once: when most results of a site are still alive at a collection, V8 starts
 * allocating that site's objects in the old generation ("pretenuring"), which made some runs
 * four times slower than others with a ring of 1,024.
 */
const kept: unknown[] = new Array<unknown>(16);
const keptMask = kept.length - 1;

export async function runRatingBench(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown>[] = [];
  for (const size of deckSizes) {
    const deck = loadDeck(size);
    const numbers = drawNumbers(deck, numbersPerRun, benchSeed, 0.05);
    // The index (`prefix-index.ts`) is built on first use; build it here so that its time is
    // reported on its own instead of inside the first timed run.
    const buildStartedAt = performance.now();
    const prefixIndex = prefixIndexOf(deck);
    const indexBuildMs = Math.round(performance.now() - buildStartedAt);
    const lookups = bestRate(() => {
      for (let index = 0; index < numbers.length; index += 1) {
        kept[index & keptMask] = prefixIndex.find(numbers[index]!);
      }
    }, numbers.length);
    const rate = bestRate(() => {
      for (let index = 0; index < numbers.length; index += 1) {
        kept[index & keptMask] = rateCall({ deck, number: numbers[index]!,
          startedAtMs: 1_780_000_000_000, durationS: 1 + (index % 600) });
      }
    }, numbers.length);
    const inCache = bestRate(() => {
      for (let index = 0; index < numbers.length; index += 1) {
        kept[index & keptMask] = rateCall({ deck, number: numbers[index % cachedNumbers]!,
          startedAtMs: 1_780_000_000_000, durationS: 1 + (index % 600) });
      }
    }, numbers.length);
    const max = bestRate(() => {
      for (let index = 0; index < numbers.length; index += 1) {
        kept[index & keptMask] = maxCallDuration({ deck, number: numbers[index]!,
          startedAtMs: 1_780_000_000_000, fundsMicros: micros(BigInt(1 + (index % 5000)) * 1000n),
          capS: 60 });
      }
    }, numbers.length);
    results.push({ deckRows: size, ratingsPerSecond: rate, maxDurationsPerSecond: max,
      lookupsPerSecond: lookups, inCacheRatingsPerSecond: inCache, indexBuildMs,
      ...checksums(deck, numbers) });
  }
  const floors = measureRatingFloors();
  console.log('W1 rating, one core (best of %d runs of %d numbers)', runs, numbersPerRun);
  console.table(results);
  console.log('floor: one read from RAM takes %d ns on this machine now', floors.ramReadNs);
  return { bench: 'rating', results, floors };
}

/**
 * One untimed pass over the same calls, summing what they cost: the sums depend only on the
 * deck, the numbers and the engine's arithmetic, so a change that speeds rating up must leave
 * them as they were (they are in the report to compare across versions).
 */
function checksums(deck: RateDeck, numbers: readonly string[]) {
  let costMicros = 0n;
  let rated = 0;
  for (let index = 0; index < numbers.length; index += 1) {
    const result = rateCall({ deck, number: numbers[index]!, startedAtMs: 1_780_000_000_000,
      durationS: 1 + (index % 600) });
    if (result.status !== 'rated') continue;
    costMicros += result.costMicros;
    rated += 1;
  }
  return { ratedCalls: rated, costChecksumMicros: costMicros.toString() };
}

function loadDeck(rows: number): RateDeck {
  return parseGeneratedDeck(generateDeckCsv({ rows, seed: benchSeed }));
}

function bestRate(work: () => void, operations: number): number {
  let bestMs = Infinity;
  for (let run = 0; run < runs; run += 1) {
    const startedAt = performance.now();
    work();
    bestMs = Math.min(bestMs, performance.now() - startedAt);
  }
  return Math.round((operations / bestMs) * 1000);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRatingBench();
}
