import {
  deckImportCodes,
  parseRateDeckCsv,
  parseRateDeckSettings,
  parseTimeBandsCsv,
  prefixIndexOf,
  rateDeckColumns,
  rateDeckLimits,
  type RateDeck,
  type Result,
  type TimeBandSet,
} from '@tollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hostileFields,
  mutatedDecks,
  oversizedDecks,
  randomCsv,
  validDecks,
  type RowModel,
} from './deck-csv-arbitraries.ts';
import { caseCounter, fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-settings.ts';

/**
 * The deck CSV importer (core `tariffs`): whatever the text, the import returns a deck or one
 * problem with a stable code and its line, never throws, and finishes quickly; a deck holds
 * only integer micros and bounded integers, and its prefix index finds every prefix. Valid
 * decks written in many spellings (BOM, CRLF, quotes, comments, padding) mean what their model
 * says, to the micro.
 */

const ciRuns = 2_000;
/** Far above any case here (the largest is 20,000 rows); a quadratic path would cross it. */
const parseMsMax = 5_000;

const settings = mustOk(parseRateDeckSettings({ currency: 'USD' }));
const bands = mustOk(parseTimeBandsCsv('band,days,start,end\npeak,Mon-Fri,08:00,18:00\n'));

function mustOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

/** Imports `text`; checks the shape of whatever comes back; returns it. */
function importChecked(text: string, withBands: TimeBandSet | undefined) {
  const startedMs = Date.now();
  const result = parseRateDeckCsv(text, { settings, bands: withBands });
  expect(Date.now() - startedMs).toBeLessThan(parseMsMax);
  if (result.ok) expect(deckViolations(result.value)).toEqual([]);
  else checkProblem(result, text);
  return result;
}

function checkProblem(found: Extract<ReturnType<typeof parseRateDeckCsv>, { ok: false }>,
  text: string): void {
  expect(deckImportCodes).toContain(found.code);
  expect(Number.isSafeInteger(found.line)).toBe(true);
  expect(found.line).toBeGreaterThanOrEqual(1);
  expect(found.line).toBeLessThanOrEqual(text.split('\n').length);
  // A column names a field the operator can find: a deck column, or the header cell at fault.
  if (found.column !== undefined && !['unknown_column', 'duplicate_column'].includes(found.code)) {
    expect(rateDeckColumns).toContain(found.column);
  }
  // Values are quoted cut short: a huge field never floods the answer or the log.
  expect(found.message.length).toBeLessThan(600);
}

/**
 * What is wrong with a deck, as text (empty when nothing is). Plain checks, one `expect` per
 * deck: decks reach 20,000 rows here, and an `expect` per field would dominate the run.
 */
function deckViolations(deck: RateDeck): string[] {
  const wrong: string[] = [];
  const { priceMicrosMax, secondsFieldMax } = rateDeckLimits;
  let rows = 0;
  for (const [prefix, list] of deck.rowsByPrefix) {
    if (!/^[0-9]+$/.test(prefix)) wrong.push(`prefix ${prefix}`);
    for (const row of list) {
      rows += 1;
      const money = [row.rateMicros, row.connectFeeMicros];
      const outside = (value: bigint) => typeof value !== 'bigint' || value < 0n ||
        value > priceMicrosMax;
      if (money.some(outside)) {
        wrong.push(`line ${row.line}: money ${money.map(String).join(' ')}`);
      }
      const seconds = [row.rateUnitS, row.initialIncrementS, row.incrementS, row.fromS,
        row.includedS];
      if (seconds.some((value) => !Number.isSafeInteger(value) || value < 0 ||
        value > secondsFieldMax)) wrong.push(`line ${row.line}: seconds ${seconds.join(' ')}`);
      if (!Number.isSafeInteger(row.weight) || Object.is(row.weight, -0)) {
        wrong.push(`line ${row.line}: weight ${row.weight}`);
      }
      if (row.prefix !== prefix) wrong.push(`line ${row.line}: filed under ${prefix}`);
    }
  }
  if (rows !== deck.rowCount) wrong.push(`${rows} rows, rowCount ${deck.rowCount}`);
  // Charging builds the index as soon as a deck is imported: it must hold every prefix.
  const index = prefixIndexOf(deck);
  for (const prefix of deck.rowsByPrefix.keys()) {
    if (index.rowsAt(index.find(prefix))[0]?.prefix !== prefix) wrong.push(`index ${prefix}`);
  }
  return wrong;
}

/** What the importer must make of a model row written at `line`. */
function expectedRow(model: RowModel, columns: readonly string[], line: number) {
  const has = (name: string) => columns.includes(name);
  return { line, prefix: model.prefix, destination: has('destination') ? model.destination : '',
    rateMicros: model.rateMicros,
    connectFeeMicros: has('connect_fee') ? model.connectFeeMicros : 0n,
    rateUnitS: has('rate_unit_s') ? model.rateUnitS : 60,
    initialIncrementS: has('initial_increment_s') ? model.initialIncrementS : 1,
    incrementS: has('increment_s') ? model.incrementS : 1,
    fromS: has('from_s') ? model.fromS : 0, includedS: has('included_s') ? model.includedS : 0,
    timeBand: null, weight: has('weight') ? model.weight : 0, effectiveFromMs: null,
    effectiveToMs: null };
}

const anyBands = fc.option(fc.constant(bands), { nil: undefined });

describe(`deck CSV importer fuzz (seed ${fuzzSeed})`, () => {
  it('reads a valid deck in any spelling as exactly what it means', () => {
    const counter = caseCounter('deck importer, valid decks');
    fc.assert(fc.property(validDecks, ({ model, text, lines }) => {
      counter.count();
      const deck = mustOk(importChecked(text, undefined));
      expect(deck.rowCount).toBe(model.rows.length);
      model.rows.forEach((row, index) => expect(deck.rowsByPrefix.get(row.prefix))
        .toEqual([expectedRow(row, model.columns, lines[index]!)]));
    }), fuzzParameters(ciRuns));
    counter.report();
  }, fuzzTimeoutMs(ciRuns, 5));

  it('answers a deck or one located problem for mutated decks; never throws', () => {
    const counter = caseCounter('deck importer, mutated decks');
    const seen = { ok: 0, problem: 0 };
    fc.assert(fc.property(mutatedDecks, anyBands, (text, withBands) => {
      counter.count();
      seen[importChecked(text, withBands).ok ? 'ok' : 'problem'] += 1;
    }), fuzzParameters(ciRuns));
    counter.report();
    expect(Math.min(seen.ok, seen.problem)).toBeGreaterThan(0);
  }, fuzzTimeoutMs(ciRuns, 5));

  it('answers random CSV-shaped text the same way', () => {
    const counter = caseCounter('deck importer, random text');
    fc.assert(fc.property(randomCsv, anyBands, (text, withBands) => {
      counter.count();
      importChecked(text, withBands);
    }), fuzzParameters(ciRuns));
    counter.report();
  }, fuzzTimeoutMs(ciRuns, 5));

  it.each(oversizedDecks.map((text, index) => [index, text] as const))(
    'answers oversized deck %i (long fields, many fields, many rows) in time',
    (_index, text) => {
      importChecked(text, bands);
    });

  it('reads band files and deck settings without throwing', () => {
    const counter = caseCounter('deck importer, bands and settings');
    const settingsText = fc.option(fc.oneof(fc.constantFrom(...hostileFields), fc.string()),
      { nil: undefined });
    fc.assert(fc.property(randomCsv.map((text) => `band,days,start,end\n${text}`),
      fc.record({ currency: settingsText, decimals: settingsText, rounding: settingsText,
        zone: settingsText }), (text, input) => {
        counter.count();
        const read = parseTimeBandsCsv(text);
        if (!read.ok) expect(deckImportCodes).toContain(read.code);
        const parsed = parseRateDeckSettings(input);
        if (!parsed.ok) expect(deckImportCodes).toContain(parsed.code);
      }), fuzzParameters(ciRuns));
    counter.report();
  }, fuzzTimeoutMs(ciRuns, 5));
});
