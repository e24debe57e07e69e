import {
  checkFieldCount,
  parseCsv,
  quoteValue,
  readCsvHeader,
  type CsvCode,
  type CsvHeaderCode,
} from '../kernel/csv.ts';
import { micros, parseMicros, type Micros } from '../kernel/money.ts';
import { success, type Result } from '../kernel/result.ts';
import type { DidDestination } from './did.ts';
import { didDestinationKinds, type DidDestinationKind } from './did.ts';
import { didLimits } from './did-limits.ts';
import { didProblem, type DidProblem } from './did-problem.ts';

/** `+15551234567` or `15551234567` -> `15551234567`; anything else is `invalid_did`. */
export function parseDidNumber(text: string): Result<string, 'invalid_did'> {
  const digits = text.startsWith('+') ? text.slice(1) : text;
  const { numberDigitsMin: min, numberDigitsMax: max } = didLimits;
  if (!/^[1-9][0-9]*$/.test(digits) || digits.length < min || digits.length > max) {
    return didProblem('invalid_did', `${quoteValue(text)} is not an E.164 number ` +
      `(${min}-${max} digits, no leading 0)`);
  }
  return success(digits);
}

export function parseDidDestination(input: { kind: string; value: string }):
  Result<DidDestination, 'invalid_did'> {
  const kind = input.kind as DidDestinationKind;
  const bad = (why: string) => didProblem('invalid_did', `destination: ${why}`);
  if (!didDestinationKinds.includes(kind)) {
    return bad(`kind is one of ${didDestinationKinds.join(', ')}`);
  }
  const { value } = input;
  if (value.length === 0 || value.length > didLimits.destinationCharsMax) {
    return bad(`value has 1-${didLimits.destinationCharsMax} characters`);
  }
  if (kind === 'sip_uri' && !/^sips?:[^\s<>"]+@[^\s<>"]+$/.test(value)) {
    return bad('a SIP URI is sip:user@host');
  }
  if (kind === 'extension' && !/^[0-9*#]{1,32}$/.test(value)) {
    return bad('an extension is 1-32 of 0-9 * #');
  }
  if (kind === 'account' && !/^[\x21-\x7e]+$/.test(value)) return bad('an account id');
  return success({ kind, value });
}

/** One row of an inventory import. */
export interface DidImportRow {
  readonly number: string;
  readonly country: string;
  readonly carrierId: string | null;
  readonly carrierSetupMicros: Micros;
  readonly carrierMonthlyMicros: Micros;
}

export type DidImportCode = CsvCode | CsvHeaderCode | 'invalid_did_import';

const importColumns = ['number', 'country', 'carrier_id', 'setup_cost', 'monthly_cost'] as const;
type ImportColumn = (typeof importColumns)[number];

/**
 * The inventory CSV: `number,country,carrier_id,setup_cost,monthly_cost` (a header first;
 * `carrier_id` and the costs may be empty: no carrier, no cost). Every row is checked before
 * anything is stored; a number twice in one file is refused.
 */
export function parseDidImportCsv(text: string): Result<DidImportRow[], DidImportCode> {
  const records = parseCsv(text);
  if (!records.ok) return records;
  const [header, ...rows] = records.value;
  if (header === undefined) return didProblem('invalid_did_import', 'the file is empty');
  if (rows.length > didLimits.importRowsMax) {
    return didProblem('invalid_did_import', `at most ${didLimits.importRowsMax} rows`);
  }
  const positions = readCsvHeader<ImportColumn>(header, { columns: importColumns,
    required: ['number', 'country'] });
  if (!positions.ok) return positions;
  const parsed: DidImportRow[] = [];
  const seen = new Set<string>();
  for (const record of rows) {
    const count = checkFieldCount(record, header.fields.length);
    if (count !== null) return count;
    const cell = (column: ImportColumn) => {
      const at = positions.value.get(column);
      return at === undefined ? '' : record.fields[at]!.trim();
    };
    const row = importRowOf(cell, record.line);
    if (!row.ok) return row;
    if (seen.has(row.value.number)) {
      return importProblem(record.line, `${row.value.number} appears twice`);
    }
    seen.add(row.value.number);
    parsed.push(row.value);
  }
  return success(parsed);
}

function importRowOf(cell: (column: ImportColumn) => string, line: number):
  Result<DidImportRow, 'invalid_did_import'> {
  const number = parseDidNumber(cell('number'));
  if (!number.ok) return importProblem(line, number.message);
  const country = cell('country').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) return importProblem(line, 'country is two letters');
  const costs: Micros[] = [];
  for (const column of ['setup_cost', 'monthly_cost'] as const) {
    const text = cell(column);
    const cost = text === '' ? success(micros(0n)) : parseMicros(text);
    if (!cost.ok) return importProblem(line, `${column}: ${cost.message}`);
    costs.push(cost.value);
  }
  const carrier = cell('carrier_id');
  return success({ number: number.value, country, carrierId: carrier === '' ? null : carrier,
    carrierSetupMicros: costs[0]!, carrierMonthlyMicros: costs[1]! });
}

function importProblem(line: number, why: string): DidProblem<'invalid_did_import'> {
  return didProblem('invalid_did_import', `line ${line}: ${why}`, { line });
}
