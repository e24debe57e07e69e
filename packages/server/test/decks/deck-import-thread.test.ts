import { parseRateDeckSettings, type RateDeckSettings } from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDeckCsv } from '../../src/bench/generate-deck.ts';
import { DeckImportThread } from '../../src/decks/deck-import-thread.ts';

function usd(): RateDeckSettings {
  const parsed = parseRateDeckSettings({ currency: 'USD' });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

let thread: DeckImportThread | null = null;
afterEach(async () => thread?.close());

describe('the deck import thread', () => {
  it('parses on the worker, keeping amounts exact in micros', async () => {
    thread = new DeckImportThread({ uploadsQueuedMax: 2 });
    const outcome = await thread.parse({ csvText: 'prefix,rate,connect_fee\n' +
      '44,999999.999999,0.000001\n1,0.0001,\n', settings: usd(), bands: null,
    rowsMax: 10 }, 'upload');
    if (outcome === 'busy' || !outcome.ok) throw new Error('not parsed');
    expect([...outcome.value.amountsMicros].sort()).toEqual([0n, 1n, 100n, 999_999_999_999n]);
    expect(outcome.value.rowCount).toBe(2);
    expect(thread.parsedCount).toBe(1);
  });
  it('answers the first problem, and the row bound it was given', async () => {
    thread = new DeckImportThread({ uploadsQueuedMax: 2 });
    const rows = 'prefix,rate\n44,0.1\n45,0.1\n46,0.1\n';
    const outcome = await thread.parse({ csvText: rows, settings: usd(), bands: null,
      rowsMax: 2 }, 'upload');
    expect(outcome).toMatchObject({ ok: false, code: 'too_many_rows', line: 4 });
  });
  it('refuses an upload when its queue is full, never a load', async () => {
    thread = new DeckImportThread({ uploadsQueuedMax: 0 });
    const big = { csvText: generateDeckCsv({ rows: 20_000, seed: 3 }), settings: usd(),
      bands: null, rowsMax: 20_000 };
    const first = thread.parse(big, 'upload');
    // The first runs; with no room to wait, the next upload is refused at once.
    expect(await thread.parse(big, 'upload')).toBe('busy');
    const load = thread.parse({ ...big, csvText: 'prefix,rate\n1,1\n' }, 'load');
    expect(thread.queuedCount()).toBe(1);
    const [firstOutcome, loadOutcome] = await Promise.all([first, load]);
    expect(firstOutcome).toMatchObject({ ok: true, value: { rowCount: 20_000 } });
    expect(loadOutcome).toMatchObject({ ok: true, value: { rowCount: 1 } });
    // Idle again: an upload is taken.
    expect(await thread.parse(big, 'upload')).toMatchObject({ ok: true });
  }, 60_000);
});
