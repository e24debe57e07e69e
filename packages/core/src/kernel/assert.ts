/**
 * Assertions guard invariants. A failed assertion is a bug in Tollgate, never an expected
 * outcome: callers must not catch AssertionError in the domain. Expected failures are typed
 * result values instead (see result.ts).
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, why: string): asserts condition {
  if (!condition) throw new AssertionError(`assertion failed: ${why}`);
}

export function assertNever(value: never, why: string): never {
  throw new AssertionError(`assertion failed: ${why}: ${String(value)}`);
}
