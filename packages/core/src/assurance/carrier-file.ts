import { parseCsv } from '../kernel/csv.ts';
import { parseIsoInstantMs } from '../kernel/instant.ts';
import { parseMicros, type Micros } from '../kernel/money.ts';
import { problem, success, type Problem, type Result } from '../kernel/result.ts';

/** A call as the carrier's CDR file states it. */
export interface CarrierRecord {
  /** 1-based line in the file. */
  readonly line: number;
  readonly startedAtMs: number;
  readonly caller: string;
  readonly callee: string;
  readonly durationSeconds: number;
  readonly costMicros: Micros;
}

/** The header names of the five fields in the carrier's file (case does not matter). */
export interface CarrierFileColumns {
  readonly time: string;
  readonly caller: string;
  readonly callee: string;
  readonly duration: string;
  readonly cost: string;
}

export const carrierFileColumnsDefault: CarrierFileColumns = { time: 'time',
  caller: 'caller', callee: 'callee', duration: 'duration', cost: 'cost' };

/** Records one file may hold: a month of a busy carrier, and a bound on memory. */
export const carrierRecordsMax = 1_000_000;

export type CarrierFileProblem = Problem<'invalid_carrier_file'>;

const fileProblem = (message: string, line?: number): CarrierFileProblem =>
  problem('invalid_carrier_file', message, line === undefined ? {} : { line });

/**
 * The carrier's CSV: a header naming the columns (others are ignored), then one call a line.
 * Times are ISO-8601 with an offset, or `YYYY-MM-DD HH:MM:SS` read as UTC; durations whole
 * seconds; costs decimals in the carrier's currency. The first bad line is the answer.
 */
export function parseCarrierFile(text: string, columns: CarrierFileColumns):
  Result<CarrierRecord[], 'invalid_carrier_file'> {
  const parsed = parseCsv(text);
  if (!parsed.ok) return fileProblem(parsed.message, parsed.line);
  const [header, ...rows] = parsed.value;
  if (header === undefined) return fileProblem('the file is empty');
  if (rows.length > carrierRecordsMax) {
    return fileProblem(`more than ${carrierRecordsMax} records`);
  }
  const names = header.fields.map((field) => field.trim().toLowerCase());
  const positions = {} as Record<keyof CarrierFileColumns, number>;
  for (const [field, name] of Object.entries(columns) as [keyof CarrierFileColumns, string][]) {
    const position = names.indexOf(name.trim().toLowerCase());
    if (position < 0) {
      return fileProblem(`no column "${name.slice(0, 64)}" (the ${field}) in the header`,
        header.line);
    }
    positions[field] = position;
  }
  const records: CarrierRecord[] = [];
  for (const row of rows) {
    const record = recordOf(row.fields, positions, row.line);
    if (!record.ok) return record;
    records.push(record.value);
  }
  return success(records);
}

function recordOf(fields: readonly string[], at: Record<keyof CarrierFileColumns, number>,
  line: number): Result<CarrierRecord, 'invalid_carrier_file'> {
  const field = (name: keyof CarrierFileColumns) => (fields[at[name]] ?? '').trim();
  const time = field('time');
  const startedAtMs = parseIsoInstantMs(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(time)
    ? `${time.replace(' ', 'T')}Z` : time);
  if (!startedAtMs.ok) return fileProblem(`line ${line}: ${startedAtMs.message}`, line);
  const duration = field('duration');
  if (!/^\d{1,7}$/.test(duration)) {
    return fileProblem(`line ${line}: the duration is not whole seconds`, line);
  }
  const cost = parseMicros(field('cost'));
  if (!cost.ok) return fileProblem(`line ${line}: the cost: ${cost.message}`, line);
  return success({ line, startedAtMs: startedAtMs.value, caller: field('caller'),
    callee: field('callee'), durationSeconds: Number(duration), costMicros: cost.value });
}
