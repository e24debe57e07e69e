/**
 * What a CLI command produces: an exit code and a JSON object for stdout. Commands never write
 * to the process streams themselves, so they can be tested as plain functions.
 */
export interface CommandOutcome {
  readonly exitCode: number;
  readonly stdout?: unknown;
  readonly stderr?: string;
}

export const exitCodes = { ok: 0, failure: 1, usage: 2, refused: 3 } as const;

export function usageError(
  code: string,
  message: string,
  where: { line?: number; column?: string } = {},
): CommandOutcome {
  return {
    exitCode: exitCodes.usage,
    stdout: { status: 'error', code, message, ...where },
    stderr: `tollgate: ${message}`,
  };
}

/** Tells an outcome (stop here) from a parsed value (go on). */
export function isCommandOutcome(value: unknown): value is CommandOutcome {
  return typeof value === 'object' && value !== null &&
    typeof (value as { exitCode?: unknown }).exitCode === 'number';
}
