import { assert } from '@tollgate/core';

/**
 * Realistic rate decks for benchmarks and large-input tests: unique digit prefixes of 2 to 12
 * digits grown from real country codes, four-decimal rates, occasional connect fees and the
 * three block schemes operators use most (30/6, 1/1, 60/60). The output depends only on the
 * seed, so a slow or failing run can be reproduced exactly.
 */

export interface GenerateDeckOptions {
  readonly rows: number;
  readonly seed: number;
}

export const generateDeckLimits = {
  rowsMax: 2_000_000,
  /** Draws of a fresh prefix before giving up; collisions are rare, so this is never reached. */
  prefixAttemptsMax: 1_000,
  prefixDigitsMin: 2,
  prefixDigitsMax: 12,
} as const;

const countries: readonly (readonly [code: string, name: string])[] = [
  ['1', 'United States'],
  ['7', 'Russia'],
  ['20', 'Egypt'],
  ['27', 'South Africa'],
  ['31', 'Netherlands'],
  ['33', 'France'],
  ['34', 'Spain'],
  ['39', 'Italy'],
  ['44', 'United Kingdom'],
  ['49', 'Germany'],
  ['52', 'Mexico'],
  ['55', 'Brazil'],
  ['61', 'Australia'],
  ['62', 'Indonesia'],
  ['63', 'Philippines'],
  ['81', 'Japan'],
  ['82', 'Korea, Republic of'],
  ['86', 'China'],
  ['90', 'Turkey'],
  ['91', 'India'],
  ['234', 'Nigeria'],
  ['254', 'Kenya'],
  ['351', 'Portugal'],
  ['353', 'Ireland'],
  ['380', 'Ukraine'],
  ['852', 'Hong Kong'],
  ['880', 'Bangladesh'],
  ['966', 'Saudi Arabia'],
  ['971', 'United Arab Emirates'],
  ['998', 'Uzbekistan'],
];

const kinds = ['Fixed', 'Mobile', 'Mobile', 'Fixed', 'Premium', 'Special Services'] as const;

/** Initial increment and increment in seconds, with how often each appears (out of 10). */
const blockSchemes: readonly (readonly [initialS: number, incrementS: number, weight: number])[] = [
  [30, 6, 4],
  [1, 1, 4],
  [60, 60, 2],
];

const header = 'prefix,destination,rate,connect_fee,rate_unit_s,initial_increment_s,increment_s';

export function generateDeckCsv(options: GenerateDeckOptions): string {
  const { rows, seed } = options;
  assert(Number.isSafeInteger(rows) && rows >= 0, 'rows is a count');
  assert(rows <= generateDeckLimits.rowsMax, 'generated decks are bounded');
  const random = mulberry32(seed);
  const prefixes = new Set<string>();
  const lines: string[] = [`# generated rate deck: ${rows} rows, seed ${seed}`, header];
  for (let row = 0; row < rows; row += 1) {
    const [code, country] = pick(random, countries);
    const prefix = uniquePrefix(random, code, prefixes);
    const kind = pick(random, kinds);
    const destination = csvField(`${country} ${kind}`);
    const rate = formatFourDecimals(randomRateTenThousandths(random, kind));
    // One row in five charges a connect fee; the others leave the column to its default.
    const connectFee = random() < 0.2 ? formatFourDecimals(100 + randomInt(random, 900)) : '';
    const [initialS, incrementS] = pickBlockScheme(random);
    lines.push(`${prefix},${destination},${rate},${connectFee},60,${initialS},${incrementS}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A prefix not drawn before: the country code followed by random digits, 2 to 12 in all. */
function uniquePrefix(random: () => number, code: string, taken: Set<string>): string {
  const { prefixDigitsMin, prefixDigitsMax, prefixAttemptsMax } = generateDeckLimits;
  for (let attempt = 0; attempt < prefixAttemptsMax; attempt += 1) {
    const shortest = Math.max(prefixDigitsMin, code.length + 1);
    // Favour long prefixes: short ones are few and are taken early.
    const spread = prefixDigitsMax - shortest + 1;
    const length = prefixDigitsMax - Math.floor(random() * random() * spread);
    let prefix = code;
    while (prefix.length < length) prefix += String(randomInt(random, 10));
    if (!taken.has(prefix)) {
      taken.add(prefix);
      return prefix;
    }
  }
  assert(false, 'a fresh prefix is found within the attempt bound');
}

/** Rates in ten-thousandths of the currency per minute; premium numbers cost more. */
function randomRateTenThousandths(random: () => number, kind: string): number {
  if (kind === 'Premium') return 5_000 + randomInt(random, 20_000);
  if (kind === 'Mobile') return 50 + randomInt(random, 2_500);
  return 10 + randomInt(random, 800);
}

function pickBlockScheme(random: () => number): readonly [number, number] {
  let draw = randomInt(random, 10);
  for (const [initialS, incrementS, weight] of blockSchemes) {
    if (draw < weight) return [initialS, incrementS];
    draw -= weight;
  }
  return [1, 1];
}

function formatFourDecimals(tenThousandths: number): string {
  const whole = Math.floor(tenThousandths / 10_000);
  const fraction = String(tenThousandths % 10_000).padStart(4, '0');
  return `${whole}.${fraction}`;
}

function csvField(text: string): string {
  return text.includes(',') || text.includes('"') ? `"${text.replaceAll('"', '""')}"` : text;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[randomInt(random, items.length)];
  assert(item !== undefined, 'picked index is within the list');
  return item;
}

function randomInt(random: () => number, bound: number): number {
  return Math.floor(random() * bound);
}

/** mulberry32: a tiny, fast 32-bit generator; plenty for test data, not for anything secret. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
