import { rateDeckLimits } from '@tollgate/core';
import fc from 'fast-check';

/**
 * Rate deck CSV texts for the importer fuzz and for the HTTP upload route: valid decks rendered
 * from a model (so the parse can be compared with what was meant), mutations of them, and
 * random CSV-shaped text.
 */

/** What a row of a valid deck means; absent optional columns take rating.md's defaults. */
export interface RowModel {
  readonly prefix: string;
  readonly destination: string;
  readonly rateMicros: bigint;
  readonly connectFeeMicros: bigint;
  readonly rateUnitS: number;
  readonly initialIncrementS: number;
  readonly incrementS: number;
  readonly fromS: number;
  readonly includedS: number;
  readonly weight: number;
}

export interface DeckModel {
  /** Columns in file order; always `prefix` and `rate`. */
  readonly columns: readonly ModelColumn[];
  readonly rows: readonly RowModel[];
}

export const modelColumns = ['prefix', 'destination', 'rate', 'connect_fee', 'rate_unit_s',
  'initial_increment_s', 'increment_s', 'from_s', 'included_s', 'weight'] as const;
export type ModelColumn = (typeof modelColumns)[number];

const secondsMax = rateDeckLimits.secondsFieldMax;
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 10_000_000n }),
  fc.bigInt({ min: 0n, max: rateDeckLimits.priceMicrosMax }),
  fc.constantFrom(0n, 1n, rateDeckLimits.priceMicrosMax));

const row: fc.Arbitrary<RowModel> = fc.record({
  prefix: fc.stringMatching(new RegExp(`^[0-9]{1,${rateDeckLimits.prefixDigitsMax}}$`)),
  // Code points, at most 90 of them: at most 180 UTF-16 units, within destinationCharsMax.
  destination: fc.string({ unit: 'binary', maxLength: 90 }),
  rateMicros: amount,
  connectFeeMicros: amount,
  rateUnitS: fc.integer({ min: 1, max: secondsMax }),
  initialIncrementS: fc.integer({ min: 0, max: secondsMax }),
  incrementS: fc.integer({ min: 1, max: secondsMax }),
  fromS: fc.integer({ min: 0, max: secondsMax }),
  includedS: fc.integer({ min: 0, max: secondsMax }),
  weight: fc.integer({ min: -rateDeckLimits.weightAbsMax, max: rateDeckLimits.weightAbsMax }),
});

export const deckModels: fc.Arbitrary<DeckModel> = fc.record({
  optional: fc.subarray(modelColumns.filter((name) => name !== 'prefix' && name !== 'rate')),
  order: fc.array(fc.nat(), { minLength: modelColumns.length, maxLength: modelColumns.length }),
  rows: fc.uniqueArray(row, { minLength: 1, maxLength: 12, selector: (model) => model.prefix }),
}).map(({ optional, order, rows }) => {
  const chosen = ['prefix', 'rate', ...optional] as ModelColumn[];
  const columns = chosen.map((name, index) => ({ name, key: order[index] ?? 0 }))
    .sort((a, b) => a.key - b.key).map((entry) => entry.name);
  return { columns, rows };
});

/** How one valid deck is written: the same meaning, many spellings. */
interface Spelling {
  readonly bom: boolean;
  readonly crlf: boolean;
  readonly finalNewline: boolean;
  /** Per line: blank or comment lines before it (they move the line numbers). */
  readonly fillers: readonly ('blank' | 'comment' | 'spaces')[][];
  /** Extra decimals and leading zeros on amounts, quotes on plain fields, header case. */
  readonly padding: readonly number[];
}

const spellings: fc.Arbitrary<Spelling> = fc.record({
  bom: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  fillers: fc.array(fc.array(fc.constantFrom('blank' as const, 'comment' as const,
    'spaces' as const), { maxLength: 2 }), { maxLength: 14 }),
  padding: fc.array(fc.nat({ max: 7 }), { minLength: 1, maxLength: 40 }),
});

/** `micros` as a decimal string with at least the decimals it needs, up to six. */
export function decimalOf(micros: bigint, extraDigits: number): string {
  const whole = micros / 1_000_000n;
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  const decimals = Math.min(6, fraction.length + (extraDigits % 3));
  const shown = fraction.padEnd(decimals, '0');
  const zeros = '0'.repeat(extraDigits % 2);
  return `${zeros}${whole}${shown === '' ? '' : `.${shown}`}`;
}

function quoted(value: string, force: boolean): string {
  const needs = /[",\r\n]/.test(value) || /^[#\s]/.test(value) || value.trim() === '';
  return force || needs ? `"${value.replaceAll('"', '""')}"` : value;
}

function fieldText(model: RowModel, column: ModelColumn, pad: number): string {
  switch (column) {
    case 'rate':
      return decimalOf(model.rateMicros, pad);
    case 'connect_fee':
      return decimalOf(model.connectFeeMicros, pad);
    case 'destination':
      return model.destination;
    case 'prefix':
      return model.prefix;
    case 'weight':
      return String(model.weight);
    default:
      return `${'0'.repeat(pad % 2)}${model[secondsKey[column]]}`;
  }
}

const secondsKey = { rate_unit_s: 'rateUnitS', initial_increment_s: 'initialIncrementS',
  increment_s: 'incrementS', from_s: 'fromS', included_s: 'includedS' } as const;

/** The deck as CSV text, and the physical line each row starts on. */
export function renderDeck(model: DeckModel, spelling: Spelling): { text: string;
  lines: number[] } {
  const newline = spelling.crlf ? '\r\n' : '\n';
  const pad = (index: number) => spelling.padding[index % spelling.padding.length]!;
  const records = [model.columns.map((name, index) =>
    pad(index) === 7 ? ` ${name.toUpperCase()} ` : name).join(',')];
  model.rows.forEach((row, rowIndex) => records.push(model.columns.map((column, index) =>
    quoted(fieldText(row, column, pad(rowIndex + index)), pad(rowIndex * 3 + index) === 0))
    .join(',')));
  const parts: string[] = [];
  const lines: number[] = [];
  let line = 1;
  records.forEach((record, index) => {
    for (const filler of spelling.fillers[index] ?? []) {
      parts.push(filler === 'blank' ? '' : filler === 'comment' ? '# note, "x"' : ' \t ');
      line += 1;
    }
    if (index > 0) lines.push(line);
    parts.push(record);
    line += record.split('\n').length - 1 + 1;
  });
  const body = parts.join(newline) + (spelling.finalNewline ? newline : '');
  return { text: (spelling.bom ? '\uFEFF' : '') + body, lines };
}

export const validDecks = fc.tuple(deckModels, spellings).map(([model, spelling]) =>
  ({ model, ...renderDeck(model, spelling) }));

/** Field values that each break one rule of the deck format. */
export const hostileFields = ['', ' 1', '1 ', '+1', '-1', '-0', '-0.5', '1e3', '0x10', 'NaN',
  'Infinity', '1.0000001', '1.', '.5', '1,5', '١٢', '１', '9'.repeat(31), '9'.repeat(400),
  '1000000.000001', '604801', '99999999999999999999', '2026-02-30T00:00Z', '2026-01-01T00:00Z',
  'peak', '"', '""', '"a"b', '#', '\u0000', '\uFEFF', '\uD800', 'a'.repeat(201),
  '__proto__', 'constructor'];

type TextEdit =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'field'; readonly line: number; readonly field: number;
    readonly value: string }
  | { readonly kind: 'duplicate_line'; readonly line: number }
  | { readonly kind: 'truncate'; readonly at: number };

const csvCharacters = [',', '"', '\n', '\r', '\r\n', '#', ' ', '\t', '.', '-', '0', '9',
  '\uFEFF', '\u0000', 'é', '😀', 'prefix', 'rate', 'time_band', 'effective_from'];

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(),
    text: fc.constantFrom(...csvCharacters) }),
  fc.record({ kind: fc.constant('field' as const), line: fc.nat(), field: fc.nat(),
    value: fc.oneof(fc.constantFrom(...hostileFields), fc.string({ maxLength: 12 })) }),
  fc.record({ kind: fc.constant('duplicate_line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyTextEdit(text: string, edit: TextEdit): string {
  const at = (value: number) => (text.length === 0 ? 0 : value % (text.length + 1));
  switch (edit.kind) {
    case 'delete':
      return text.slice(0, at(edit.at)) + text.slice(at(edit.at) + edit.length);
    case 'insert':
      return text.slice(0, at(edit.at)) + edit.text + text.slice(at(edit.at));
    case 'truncate':
      return text.slice(0, at(edit.at));
    case 'duplicate_line': {
      const lines = text.split('\n');
      const index = edit.line % lines.length;
      return [...lines.slice(0, index + 1), ...lines.slice(index)].join('\n');
    }
    case 'field': {
      const lines = text.split('\n');
      const index = edit.line % lines.length;
      const fields = lines[index]!.split(',');
      fields[edit.field % fields.length] = edit.value;
      lines[index] = fields.join(',');
      return lines.join('\n');
    }
  }
}

/** A valid deck with one to four edits: most of them break it somewhere, some do not. */
export const mutatedDecks: fc.Arbitrary<string> = fc.tuple(validDecks,
  fc.array(textEdit, { minLength: 1, maxLength: 4 }))
  .map(([deck, edits]) => edits.reduce(applyTextEdit, deck.text));

/** CSV-shaped noise, sometimes behind a real header so that rows are read too. */
export const randomCsv: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom('', 'prefix,rate\n', 'prefix,destination,rate,connect_fee\n',
    'PREFIX , Rate,weight,time_band,effective_from,effective_to\n'),
  fc.string({ unit: fc.constantFrom(...csvCharacters, 'a', '1', '4'), maxLength: 200 }),
).map(([header, body]) => header + body);

/** Decks far beyond the usual: long fields, many fields, many rows. */
export const oversizedDecks: readonly string[] = [
  `prefix,rate\n44,${'9'.repeat(100_000)}\n`,
  `prefix,rate,destination\n44,1,"${'x'.repeat(100_000)}"\n`,
  `prefix,rate\n${','.repeat(5_000)}\n`,
  `prefix,rate,${'x'.repeat(100_000)}\n1,1,1\n`,
  `prefix,rate\n"${'"'.repeat(50_001)}\n`,
  `prefix,rate\n${Array.from({ length: 20_000 }, (_, index) => `${index},0.01`).join('\n')}`,
  `prefix,rate\n${'44,0.01\n'.repeat(3)}`,
  `${'#'.repeat(10_000)}\n${'\n'.repeat(10_000)}prefix,rate\n1,1`,
];
