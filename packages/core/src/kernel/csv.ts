import { problem, success, type Problem, type Result } from './result.ts';

/**
 * A CSV tokenizer for import files (rate decks, time bands): RFC 4180 quoting, LF or CRLF line
 * ends, a leading UTF-8 byte order mark ignored, blank lines and `#` comment lines skipped.
 * Each record carries the 1-based physical line it starts on, because every import error must
 * name the line an operator sees in an editor.
 *
 * Decks reach hundreds of thousands of lines, so the common line (no quote) is split with
 * `indexOf` and `slice` only; the character-by-character path runs for lines with a quote.
 */

export type CsvCode = 'invalid_csv';

export type CsvHeaderCode =
  | 'missing_header'
  | 'unknown_column'
  | 'duplicate_column'
  | 'missing_column'
  | 'wrong_field_count';

export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  readonly line: number;
  readonly fields: readonly string[];
}

export const csvLimits = {
  /** No import format has more than a few columns; a longer record is not one of ours. */
  fieldsPerRecordMax: 1_000,
  /** Values quoted in error messages are cut so that one bad field cannot flood a log. */
  quotedValueCharsMax: 40,
} as const;

const quoteCode = 0x22;
const commaCode = 0x2c;
const newlineCode = 0x0a;
const carriageReturnCode = 0x0d;
const hashCode = 0x23;
const spaceCode = 0x20;
const tabCode = 0x09;
const byteOrderMarkCode = 0xfeff;

const endOfInput: Result<CsvRecord | null, CsvCode> = success(null);

/** Builds the message shape every import error shares: `line 7, column rate: ...`. */
export function csvProblem<Code extends string>(
  code: Code,
  where: { line: number; column?: string },
  detail: string,
): Problem<Code> {
  const column = where.column === undefined ? '' : `, column ${where.column}`;
  const place = `line ${where.line}${column}`;
  return problem(code, `${place}: ${detail}`, where);
}

/** A value as it appears in an error message: quoted, and cut when long. */
export function quoteValue(value: string): string {
  const max = csvLimits.quotedValueCharsMax;
  return value.length <= max ? `"${value}"` : `"${value.slice(0, max)}..."`;
}

/** Reads records one at a time, so a caller can stop at its own limit without buffering. */
export class CsvReader {
  private readonly text: string;
  private position: number;
  /** Physical line of `position`. */
  private line = 1;
  // Cached positions of the next quote and comma at or after `position`. Caching keeps the scans
  // linear over the whole text: a file without quotes is searched for a quote only once.
  private nextQuoteAt = -1;
  private nextCommaAt = -1;

  constructor(text: string) {
    this.text = text;
    this.position = text.charCodeAt(0) === byteOrderMarkCode ? 1 : 0;
  }

  /** The next record, null at the end of the input, or `invalid_csv`. */
  next(): Result<CsvRecord | null, CsvCode> {
    const text = this.text;
    while (this.position < text.length) {
      const start = this.position;
      let lineEnd = text.indexOf('\n', start);
      if (lineEnd === -1) lineEnd = text.length;
      const contentEnd =
        lineEnd > start && text.charCodeAt(lineEnd - 1) === carriageReturnCode
          ? lineEnd - 1
          : lineEnd;
      if (isSkippedLine(text, start, contentEnd)) {
        this.position = lineEnd + 1;
        this.line += 1;
        continue;
      }
      if (this.nextQuoteAt < start) this.nextQuoteAt = indexOrEnd(text, '"', start);
      if (this.nextQuoteAt < contentEnd) return this.readQuotedRecord();
      const record = this.splitPlainLine(start, contentEnd);
      if (!record.ok) return record;
      this.position = lineEnd + 1;
      this.line += 1;
      return record;
    }
    return endOfInput;
  }

  /** The fast path: a line without quotes is its fields between commas. */
  private splitPlainLine(start: number, contentEnd: number): Result<CsvRecord, CsvCode> {
    const text = this.text;
    const fields: string[] = [];
    let fieldStart = start;
    for (;;) {
      if (this.nextCommaAt < fieldStart) this.nextCommaAt = indexOrEnd(text, ',', fieldStart);
      const comma = this.nextCommaAt;
      if (comma >= contentEnd) break;
      fields.push(text.slice(fieldStart, comma));
      fieldStart = comma + 1;
      if (fields.length >= csvLimits.fieldsPerRecordMax) return this.tooManyFields(this.line);
    }
    fields.push(text.slice(fieldStart, contentEnd));
    return success({ line: this.line, fields });
  }

  /** The slow path: a record with quoted fields, which may span several physical lines. */
  private readQuotedRecord(): Result<CsvRecord, CsvCode> {
    const text = this.text;
    const recordLine = this.line;
    const fields: string[] = [];
    let position = this.position;
    for (;;) {
      if (fields.length >= csvLimits.fieldsPerRecordMax) return this.tooManyFields(recordLine);
      let delimiterAt: number;
      if (text.charCodeAt(position) === quoteCode) {
        const quoted = this.readQuotedField(position);
        if (!quoted.ok) return quoted;
        fields.push(quoted.value);
        delimiterAt = this.position;
      } else {
        delimiterAt = this.findPlainFieldEnd(position);
        if (delimiterAt === -1) {
          return csvProblem('invalid_csv', { line: this.line }, quoteInPlainFieldDetail);
        }
        fields.push(text.slice(position, trimCarriageReturn(text, position, delimiterAt)));
      }
      if (delimiterAt >= text.length) {
        this.position = text.length;
        return success({ line: recordLine, fields });
      }
      position = delimiterAt + 1;
      if (text.charCodeAt(delimiterAt) === newlineCode) {
        this.position = position;
        this.line += 1;
        return success({ line: recordLine, fields });
      }
    }
  }

  /**
   * Reads the quoted field opening at `openAt`. On success `this.position` is left on the
   * delimiter after the closing quote (or the end of the text) and `this.line` is advanced past
   * any line breaks inside the quotes.
   */
  private readQuotedField(openAt: number): Result<string, CsvCode> {
    const text = this.text;
    const openLine = this.line;
    let value = '';
    let chunkStart = openAt + 1;
    for (;;) {
      const closeAt = text.indexOf('"', chunkStart);
      if (closeAt === -1) {
        return csvProblem('invalid_csv', { line: openLine }, 'a quoted field is never closed');
      }
      this.line += countNewlines(text, chunkStart, closeAt);
      value += text.slice(chunkStart, closeAt);
      if (text.charCodeAt(closeAt + 1) === quoteCode) {
        value += '"';
        chunkStart = closeAt + 2;
        continue;
      }
      const after = closeAt + 1;
      if (!isDelimiterAt(text, after)) {
        const detail = 'a closing quote must be followed by a comma or the end of the line';
        return csvProblem('invalid_csv', { line: this.line }, detail);
      }
      this.position = text.charCodeAt(after) === carriageReturnCode ? after + 1 : after;
      return success(value);
    }
  }

  /** End of an unquoted field on the slow path: a comma, a line feed, the end, or -1 on `"`. */
  private findPlainFieldEnd(start: number): number {
    const text = this.text;
    for (let index = start; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code === commaCode || code === newlineCode) return index;
      if (code === quoteCode) return -1;
    }
    return text.length;
  }

  private tooManyFields(line: number): Result<never, CsvCode> {
    const detail = `a record has more than ${csvLimits.fieldsPerRecordMax} fields`;
    return csvProblem('invalid_csv', { line }, detail);
  }
}

const quoteInPlainFieldDetail =
  'a quote inside an unquoted field; quote the whole field and double the inner quotes';

/** Reads every record; for small files and tests. Large imports use CsvReader directly. */
export function parseCsv(text: string): Result<CsvRecord[], CsvCode> {
  const reader = new CsvReader(text);
  const records: CsvRecord[] = [];
  for (;;) {
    const next = reader.next();
    if (!next.ok) return next;
    if (next.value === null) return success(records);
    records.push(next.value);
  }
}

/**
 * Maps a header record to the position of each known column. Names are matched without case and
 * surrounding spaces (header cells are labels, not data). An unknown, duplicate or missing
 * column is an error; a first record with no known column at all is reported as a missing header
 * because it is almost certainly data.
 */
export function readCsvHeader<Column extends string>(
  record: CsvRecord,
  format: { columns: readonly Column[]; required: readonly Column[] },
): Result<ReadonlyMap<Column, number>, CsvHeaderCode> {
  const known = new Set<string>(format.columns);
  const names = record.fields.map((field) => field.trim().toLowerCase());
  if (!names.some((name) => known.has(name))) {
    const expected = format.required.join(',');
    const detail = `the first record is not a header; expected column names such as ${expected}`;
    return csvProblem('missing_header', { line: record.line }, detail);
  }
  const positions = new Map<Column, number>();
  for (const [position, name] of names.entries()) {
    // The cell is echoed in the problem's column and message: cut like any quoted value, so a
    // header cell of a megabyte cannot flood the answer or the log (found by the deck fuzz).
    const where = { line: record.line, column: name.slice(0, csvLimits.quotedValueCharsMax) };
    if (!known.has(name)) {
      const listed = format.columns.join(',');
      const detail = `unknown column ${quoteValue(name)}; the known columns are ${listed}`;
      return csvProblem('unknown_column', where, detail);
    }
    if (positions.has(name as Column)) {
      return csvProblem('duplicate_column', where, `column ${quoteValue(name)} appears twice`);
    }
    positions.set(name as Column, position);
  }
  for (const column of format.required) {
    if (!positions.has(column)) {
      const where = { line: record.line, column };
      return csvProblem('missing_column', where, `required column "${column}" is missing`);
    }
  }
  return success(positions);
}

/** Every data record must have exactly as many fields as the header. */
export function checkFieldCount(
  record: CsvRecord,
  headerFieldCount: number,
): Problem<'wrong_field_count'> | null {
  if (record.fields.length === headerFieldCount) return null;
  const detail = `${record.fields.length} fields, but the header has ${headerFieldCount}`;
  return csvProblem('wrong_field_count', { line: record.line }, detail);
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

/** Blank lines (also only spaces or tabs) and lines starting with `#` are not records. */
function isSkippedLine(text: string, start: number, contentEnd: number): boolean {
  if (start === contentEnd) return true;
  const first = text.charCodeAt(start);
  if (first === hashCode) return true;
  if (first !== spaceCode && first !== tabCode) return false;
  for (let index = start + 1; index < contentEnd; index += 1) {
    const code = text.charCodeAt(index);
    if (code !== spaceCode && code !== tabCode) return false;
  }
  return true;
}

function isDelimiterAt(text: string, index: number): boolean {
  if (index >= text.length) return true;
  const code = text.charCodeAt(index);
  if (code === commaCode || code === newlineCode) return true;
  return code === carriageReturnCode && text.charCodeAt(index + 1) === newlineCode;
}

function trimCarriageReturn(text: string, start: number, end: number): number {
  const endsLine = end >= text.length || text.charCodeAt(end) === newlineCode;
  const endsWithReturn = end > start && text.charCodeAt(end - 1) === carriageReturnCode;
  return endsLine && endsWithReturn ? end - 1 : end;
}

function countNewlines(text: string, start: number, end: number): number {
  let count = 0;
  for (let index = text.indexOf('\n', start); index !== -1 && index < end; ) {
    count += 1;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}
