import type { Problem, Success } from '../kernel/result.ts';

/** Every expected failure of the assurance use cases, by stable code. */
export const assuranceCodes = [
  'invalid_period',
  'account_not_found',
  'too_many_cdrs',
  'too_many_accounts',
  'invalid_carrier_file',
  'too_many_transfers',
  'too_many_live_sessions',
] as const;
export type AssuranceCode = (typeof assuranceCodes)[number];

export type AssuranceResult<T> = Success<T> | Problem<AssuranceCode>;

export function assuranceProblem<Code extends AssuranceCode>(code: Code, message: string):
  Problem<Code> {
  return { ok: false, code, message };
}
