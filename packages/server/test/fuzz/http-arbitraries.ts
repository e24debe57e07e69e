import fc from 'fast-check';
import { mutatedDecks, randomCsv } from './deck-csv-arbitraries.ts';
import { operations } from './http-operations.ts';

/**
 * What the HTTP fuzz sends, as data: which operation, with which key, and how its valid
 * request is spoiled (or not). The request itself is built when the case runs, from the valid
 * request of the operation (`http-valid-requests.ts`), so that follow-ups can name sessions
 * granted earlier in the run.
 */
export type KeyChoice = 'operator' | 'customer' | 'reseller' | 'none' | 'garbage';

export type Spoil =
  | { readonly kind: 'valid' }
  /** One path parameter replaced; `raw` puts it in the URL without percent-encoding. */
  | { readonly kind: 'path'; readonly param: number; readonly value: string;
    readonly raw: boolean }
  /** One query parameter replaced, removed (null) or added under a new name. */
  | { readonly kind: 'query'; readonly param: number; readonly value: string | null;
    readonly added: string | null }
  /** One field of the JSON body (at any depth) replaced, or removed (`remove`). */
  | { readonly kind: 'field'; readonly field: number; readonly value: unknown;
    readonly remove: boolean }
  /** A field the schema does not have, prototype keys among them. */
  | { readonly kind: 'extra'; readonly name: string; readonly value: unknown }
  /** The whole JSON body replaced by another value. */
  | { readonly kind: 'body'; readonly value: unknown }
  /** One field's value replaced by a JSON literal JSON.stringify cannot write. */
  | { readonly kind: 'literal'; readonly field: number; readonly literal: string }
  /** A raw body text with any content type. */
  | { readonly kind: 'raw'; readonly text: string; readonly contentType: string | null }
  /** A CSV upload replaced by a mutated or random deck. */
  | { readonly kind: 'csv'; readonly text: string };

export interface RequestPlan {
  readonly operation: number;
  readonly key: KeyChoice;
  readonly spoil: Spoil;
}

/** Decimal strings around the money rules: precision, size, sign, spelling. */
export const decimalStrings = ['0', '0.00', '0.000001', '0.0000001', '1', '1.5', '-1.00', '-0',
  '+1', ' 1.00', '1.00 ', '1e3', '1E-3', '0x10', '1,00', '１.００', '١', '.5', '5.', 'NaN',
  'Infinity', '99999999999.999999', '999999999999999999', '9'.repeat(30), '9'.repeat(33),
  `0.${'0'.repeat(29)}1`, `${'0'.repeat(28)}1.5`, '9223372036854775807', '18446744073709551616'];

const unicodeStrings = ['', ' ', '\u0000', '\u0000cu1', 'cu1\u0000', '\uD800', '\uDFFF',
  '😀', 'ﬀ', 'ß', 'İ', '\u202Ecu1', 'cu1\u200B', 'Ω', '\r\n', '\t', '../cu1', '..', '.',
  '%', '%00', 'cu1%2F..', 'cu1/../op', '?', '#', '&', '=', '\\', '"', "'", '<script>',
  "' OR 1=1 --", '$where', '{}', '[]', 'null', 'undefined', 'true', '0'];

/** Ids that exist, belong to someone else, or look like they might. */
const idStrings = ['op', 'ad', 'rs', 'other', 'cu1', 'cu2', 'CU1', 'cu1 ', ' cu1', 'cu1.', 'cu',
  'cu1cu1', 'a'.repeat(64), 'a'.repeat(65), '__proto__', 'constructor', 'prototype',
  'hasOwnProperty', 'toString', '@world', '@world/USD', 'cu1/main', 'rs/revenue/USD'];

const longStrings = [200, 201, 256, 257, 500, 501, 4_096, 70_000]
  .map((length) => 'a'.repeat(length));

export const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...decimalStrings, ...unicodeStrings, ...idStrings) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...longStrings) },
);

const hostileNumbers: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, -0.5, 1e-7, 59.999, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53,
    2 ** 53 + 2, -(2 ** 53), 2 ** 63, 1e21, 1e308, -1e308, Number.MIN_VALUE, 86_400, 604_801),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** An object that owns `__proto__` or `constructor` keys, as JSON.parse makes them. */
const pollutingObjects = fc.constantFrom(
  '{"__proto__":{"admin":true,"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"__proto__":{"__proto__":{"polluted":1}}}',
  '{"toString":"x","valueOf":1,"hasOwnProperty":null}',
).map((text) => JSON.parse(text) as unknown);

/** Nesting deep enough to reach recursion limits in a validator or a converter. */
const deepValues = fc.integer({ min: 50, max: 3_000 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
  return value;
});

export const hostileValues: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileStrings },
  { weight: 3, arbitrary: hostileNumbers },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: pollutingObjects },
  { weight: 1, arbitrary: deepValues },
  { weight: 1, arbitrary: fc.array(hostileStrings, { maxLength: 5 }) },
);

/** JSON literals outside what JSON.stringify writes: huge, tiny, exotic spellings. */
const literals = ['1e999', '-1e999', '9007199254740993', '123456789012345678901234567890',
  '-0', '1.0', '1e2', '0.1e1', '1E+2', '"\\u0000"', '"\\ud800"', '"\\u0063u1"',
  `"${'9'.repeat(400)}"`, `${'9'.repeat(400)}`, '[[[[[[[[[[]]]]]]]]]]', '{"":{}}'];

const rawTexts = fc.oneof(
  fc.constantFrom('', ' ', 'null', '[]', '{}', '{', '}', '{"a":', '"text"', '0', 'true',
    '\uFEFF{}', '{"a":1,"a":2}', '{"__proto__":{"polluted":1}}', 'x'.repeat(70_000),
    '['.repeat(20_000) + ']'.repeat(20_000), '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
    '1'.repeat(1_000), 'session_id=x&account_id=cu1', '--x\r\nContent-Disposition: form-data'),
  fc.json(),
  fc.string({ maxLength: 60 }),
);

const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8',
  'application/JSON', 'application/json; charset=utf-16', 'text/plain', 'text/csv',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml',
  'application/json, text/csv', null);

const queryNames = fc.constantFrom('limit', 'after', 'account_id', '__proto__', 'constructor',
  'x', 'account_id[]', 'format', '');

const spoils: fc.Arbitrary<Spoil> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('path' as const), param: fc.nat(),
    value: hostileStrings, raw: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('query' as const), param: fc.nat(),
    value: fc.option(hostileStrings), added: fc.option(queryNames) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.nat(),
    value: hostileValues, remove: fc.nat({ max: 4 }).map((draw) => draw === 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const),
    name: fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'id', 'status'),
    value: hostileValues }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('body' as const),
    value: hostileValues }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('literal' as const), field: fc.nat(),
    literal: fc.constantFrom(...literals) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: rawTexts,
    contentType: contentTypes }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('csv' as const),
    text: fc.oneof(mutatedDecks, randomCsv) }) },
);

const keys = fc.oneof(
  { weight: 5, arbitrary: fc.constant('operator' as const) },
  { weight: 3, arbitrary: fc.constant('customer' as const) },
  { weight: 1, arbitrary: fc.constant('reseller' as const) },
  { weight: 1, arbitrary: fc.constantFrom('none' as const, 'garbage' as const) },
);

export const requestPlans: fc.Arbitrary<RequestPlan> = fc.record({
  operation: fc.nat({ max: operations.length - 1 }),
  key: keys,
  spoil: spoils,
});
