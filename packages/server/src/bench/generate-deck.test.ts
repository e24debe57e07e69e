import { parseRateDeckCsv, parseRateDeckSettings } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { generateDeckCsv } from './generate-deck.ts';

describe('generateDeckCsv', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const first = generateDeckCsv({ rows: 2_000, seed: 7 });
    expect(generateDeckCsv({ rows: 2_000, seed: 7 })).toBe(first);
    expect(generateDeckCsv({ rows: 2_000, seed: 8 })).not.toBe(first);
  });

  it('produces a deck that imports, with unique prefixes of 2 to 12 digits', () => {
    const settings = parseRateDeckSettings({ currency: 'USD' });
    if (!settings.ok) throw new Error(settings.message);
    const rows = 50_000;
    const deck = parseRateDeckCsv(generateDeckCsv({ rows, seed: 1 }), { settings: settings.value });
    if (!deck.ok) throw new Error(deck.message);
    expect(deck.value.rowCount).toBe(rows);
    expect(deck.value.rowsByPrefix.size).toBe(rows);
    const lengths = [...deck.value.rowsByPrefix.keys()].map((prefix) => prefix.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lengths)).toBe(12);
    const rowsOf = [...deck.value.rowsByPrefix.values()].flat();
    const schemes = new Set(rowsOf.map((row) => `${row.initialIncrementS}/${row.incrementS}`));
    expect([...schemes].sort()).toEqual(['1/1', '30/6', '60/60']);
    expect(rowsOf.some((row) => row.connectFeeMicros > 0n)).toBe(true);
    expect(rowsOf.some((row) => row.destination.startsWith('Korea, Republic of'))).toBe(true);
  });

  it('produces an empty deck body for zero rows', () => {
    expect(generateDeckCsv({ rows: 0, seed: 1 }).split('\n').filter(Boolean)).toHaveLength(2);
  });
});
