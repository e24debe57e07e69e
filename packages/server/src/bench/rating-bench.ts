import { pathToFileURL } from 'node:url';
import {
  assert,
  maxCallDuration,
  micros,
  parseRateDeckCsv,
  parseRateDeckSettings,
  rateCall,
  type RateDeck,
} from '@tollgate/core';
import { generateDeckCsv } from './generate-deck.ts';

/**
 * W1 of docs/benchmark.md: rate random numbers against a 100k and a 500k-prefix deck on one
 * core (this process), lookup included. Numbers are drawn from the deck's own prefixes with
 * random digits appended, plus 5% that match nothing, so every lookup walks prefix lengths the
 * way live traffic does.
 */
const deckSizes = [100_000, 500_000] as const;
const numbersPerRun = 200_000;
const runs = 5;
const benchSeed = 20_240_101;
const missShare = 0.05;

export async function runRatingBench(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown>[] = [];
  for (const size of deckSizes) {
    const deck = loadDeck(size);
    const numbers = drawNumbers(deck, numbersPerRun, benchSeed);
    const rate = bestRate(() => {
      for (let index = 0; index < numbers.length; index += 1) {
        rateCall({ deck, number: numbers[index]!, startedAtMs: 1_780_000_000_000,
          durationS: 1 + (index % 600) });
      }
    }, numbers.length);
    const max = bestRate(() => {
      for (let index = 0; index < numbers.length; index += 1) {
        maxCallDuration({ deck, number: numbers[index]!, startedAtMs: 1_780_000_000_000,
          fundsMicros: micros(BigInt(1 + (index % 5000)) * 1000n), capS: 60 });
      }
    }, numbers.length);
    results.push({ deckRows: size, ratingsPerSecond: rate, maxDurationsPerSecond: max });
  }
  console.log('W1 rating, one core (best of %d runs of %d numbers)', runs, numbersPerRun);
  console.table(results);
  return { bench: 'rating', results };
}

function loadDeck(rows: number): RateDeck {
  const settings = parseRateDeckSettings({ currency: 'USD' });
  assert(settings.ok, 'bench settings are valid');
  const deck = parseRateDeckCsv(generateDeckCsv({ rows, seed: benchSeed }), {
    settings: settings.value,
  });
  assert(deck.ok, 'the generated deck imports');
  return deck.value;
}

function drawNumbers(deck: RateDeck, count: number, seed: number): string[] {
  const prefixes = [...deck.rowsByPrefix.keys()];
  let state = seed >>> 0;
  const next = () => {
    // xorshift32: deterministic and cheap; quality is irrelevant for picking prefixes.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const numbers: string[] = [];
  for (let index = 0; index < count; index += 1) {
    if (next() < missShare) {
      numbers.push(`0${Math.floor(next() * 1e9)}`);
      continue;
    }
    const prefix = prefixes[Math.floor(next() * prefixes.length)]!;
    const tail = String(Math.floor(next() * 1e12)).padStart(12, '0');
    numbers.push((prefix + tail).slice(0, Math.max(prefix.length, 12)));
  }
  return numbers;
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
