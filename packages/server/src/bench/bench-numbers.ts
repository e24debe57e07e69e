import {
  assert,
  parseRateDeckCsv,
  parseRateDeckSettings,
  type RateDeck,
} from '@tollgate/core';

/** A generated deck (`generate-deck.ts`) in USD with the default settings, imported. */
export function parseGeneratedDeck(csv: string): RateDeck {
  const settings = parseRateDeckSettings({ currency: 'USD' });
  assert(settings.ok, 'bench settings are valid');
  const deck = parseRateDeckCsv(csv, { settings: settings.value });
  assert(deck.ok, 'the generated deck imports');
  return deck.value;
}

/**
 * Called numbers the way live traffic looks to a deck: one of its prefixes with random digits
 * appended (12 digits at least), plus `missShare` that match nothing. Deterministic per seed.
 */
export function drawNumbers(deck: RateDeck, count: number, seed: number, missShare = 0.05):
  string[] {
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
