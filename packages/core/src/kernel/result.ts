/**
 * Expected failures are values with a stable snake_case `code` and a human message. They are
 * returned, not thrown, so every caller must decide what to do with them.
 */
export interface Problem<Code extends string = string> {
  readonly ok: false;
  readonly code: Code;
  readonly message: string;
  /** 1-based line of an input file, when the problem is in a file. */
  readonly line?: number;
  /** Name of the column or field at fault. */
  readonly column?: string;
}

export interface Success<T> {
  readonly ok: true;
  readonly value: T;
}

export type Result<T, Code extends string = string> = Success<T> | Problem<Code>;

export function success<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function problem<Code extends string>(
  code: Code,
  message: string,
  where: { line?: number; column?: string } = {},
): Problem<Code> {
  const base = { ok: false as const, code, message };
  if (where.line !== undefined && where.column !== undefined) {
    return { ...base, line: where.line, column: where.column };
  }
  if (where.line !== undefined) return { ...base, line: where.line };
  if (where.column !== undefined) return { ...base, column: where.column };
  return base;
}
