import { describe, expect, it } from 'vitest';
import { checkFieldCount, CsvReader, csvLimits, parseCsv, readCsvHeader } from './csv.ts';

// One helper per module: tokenize and compare records as [line, ...fields].
function records(text: string): (string | number)[][] {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(`unexpected problem: ${parsed.message}`);
  return parsed.value.map((record) => [record.line, ...record.fields]);
}

describe('parseCsv: records and line numbers', () => {
  const cases: { name: string; text: string; expected: (string | number)[][] }[] = [
    { name: 'empty input', text: '', expected: [] },
    { name: 'one line without a line end', text: 'a,b', expected: [[1, 'a', 'b']] },
    { name: 'LF line ends', text: 'a,b\nc,d\n', expected: [[1, 'a', 'b'], [2, 'c', 'd']] },
    { name: 'CRLF line ends', text: 'a,b\r\nc,d\r\n', expected: [[1, 'a', 'b'], [2, 'c', 'd']] },
    { name: 'empty fields', text: ',a,,\n', expected: [[1, '', 'a', '', '']] },
    { name: 'BOM is stripped', text: '\uFEFFprefix,rate\n', expected: [[1, 'prefix', 'rate']] },
    {
      name: 'blank, whitespace-only and comment lines are skipped but counted',
      text: '# header comment\n\na,b\n   \n\t\n# x,"y\n\r\nc,d',
      expected: [[3, 'a', 'b'], [8, 'c', 'd']],
    },
    { name: 'a # later in a line is data', text: 'a,#b\n', expected: [[1, 'a', '#b']] },
    {
      name: 'quoted comma',
      text: '82,"Korea, Republic of",0.05\n',
      expected: [[1, '82', 'Korea, Republic of', '0.05']],
    },
    { name: 'doubled quotes', text: '"say ""hi""",x\n', expected: [[1, 'say "hi"', 'x']] },
    { name: 'empty quoted field', text: '"",x\n', expected: [[1, '', 'x']] },
    {
      name: 'quoted last field with CRLF', text: 'x,"a,b"\r\ny\r\n',
      expected: [[1, 'x', 'a,b'], [2, 'y']],
    },
    { name: 'quoted field at end of input', text: 'x,"a"', expected: [[1, 'x', 'a']] },
    {
      name: 'quoted field spanning lines keeps the start line, later lines count on',
      text: 'a,"one\ntwo\nthree"\nb,c\n',
      expected: [[1, 'a', 'one\ntwo\nthree'], [4, 'b', 'c']],
    },
    {
      name: 'plain lines after a quoted line',
      text: '"q",1\nx,2\n"r",3\ny,4\n',
      expected: [[1, 'q', '1'], [2, 'x', '2'], [3, 'r', '3'], [4, 'y', '4']],
    },
    { name: 'trailing comma at end of input', text: 'a,"b",', expected: [[1, 'a', 'b', '']] },
    { name: 'spaces are kept', text: ' a , b \n', expected: [[1, ' a ', ' b ']] },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(records(testCase.text)).toEqual(testCase.expected);
    });
  }
});

describe('parseCsv: malformed input', () => {
  const cases: { name: string; text: string; line: number }[] = [
    { name: 'unterminated quote', text: 'a,b\nc,"open\nmore\n', line: 2 },
    { name: 'text after a closing quote', text: 'a\n"x"y,z\n', line: 2 },
    { name: 'quote inside an unquoted field', text: 'a\nab"c,"d"\n', line: 2 },
    { name: 'lone CR after a closing quote', text: '"x"\ry\n', line: 1 },
    { name: 'too many fields', text: ','.repeat(csvLimits.fieldsPerRecordMax + 1), line: 1 },
    {
      name: 'too many fields on the quoted path',
      text: `"a"${','.repeat(csvLimits.fieldsPerRecordMax + 1)}`,
      line: 1,
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const parsed = parseCsv(testCase.text);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.code).toBe('invalid_csv');
      expect(parsed.line).toBe(testCase.line);
      expect(parsed.message).toMatch(new RegExp(`^line ${testCase.line}: `));
    });
  }
});

describe('CsvReader', () => {
  it('reads a large file record by record with exact line numbers', () => {
    const lines = ['h1,h2'];
    for (let index = 0; index < 200_000; index += 1) {
      lines.push(index % 1000 === 0 ? `"q,${index}",${index}` : `p${index},${index}`);
    }
    const reader = new CsvReader(`${lines.join('\r\n')}\r\n`);
    let count = 0;
    let wrongLines = 0;
    for (let next = reader.next(); next.ok && next.value !== null; next = reader.next()) {
      if (next.value.line !== count + 1) wrongLines += 1;
      count += 1;
    }
    expect(count).toBe(200_001);
    expect(wrongLines).toBe(0);
  });
});

describe('readCsvHeader', () => {
  const format = { columns: ['prefix', 'rate', 'weight'], required: ['prefix', 'rate'] } as const;
  const cases: { name: string; header: string[]; code: string; column?: string }[] = [
    { name: 'data instead of a header', header: ['44', '0.05'], code: 'missing_header' },
    {
      name: 'unknown column', header: ['prefix', 'rate', 'price'], code: 'unknown_column',
      column: 'price',
    },
    {
      name: 'empty column name', header: ['prefix', 'rate', ''], code: 'unknown_column', column: '',
    },
    {
      name: 'duplicate column', header: ['prefix', 'rate', 'Rate'], code: 'duplicate_column',
      column: 'rate',
    },
    {
      name: 'missing column', header: ['prefix', 'weight'], code: 'missing_column', column: 'rate',
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = readCsvHeader({ line: 3, fields: testCase.header }, format);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe(testCase.code);
      expect(result.line).toBe(3);
      expect(result.column).toBe(testCase.column);
    });
  }

  it('cuts a long unknown header cell in the problem, as it cuts quoted values', () => {
    const cell = 'x'.repeat(100_000);
    const result = readCsvHeader({ line: 1, fields: ['prefix', 'rate', cell] }, format);
    expect(result).toMatchObject({ ok: false, code: 'unknown_column',
      column: 'x'.repeat(csvLimits.quotedValueCharsMax) });
    expect(result.ok || result.message.length < 400).toBe(true);
  });

  it('maps names in any order, case and padding', () => {
    const result = readCsvHeader({ line: 1, fields: ['Rate', ' prefix '] }, format);
    expect(result.ok && [...result.value]).toEqual([['rate', 0], ['prefix', 1]]);
  });

  it('checks the field count of data records', () => {
    expect(checkFieldCount({ line: 4, fields: ['a', 'b'] }, 2)).toBeNull();
    expect(checkFieldCount({ line: 4, fields: ['a'] }, 2)).toMatchObject({
      code: 'wrong_field_count',
      line: 4,
    });
  });
});
