import type { Problem, Result } from '../kernel/result.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';

/** Every expected failure of the DID use cases, by stable code. */
export const didCodes = [
  'invalid_did',
  'invalid_did_import',
  'did_not_found',
  'did_exists',
  'did_not_available',
  'did_not_held',
  'did_assignee_not_child',
  'did_carrier_not_found',
  'did_not_assigned',
] as const;
export type DidCode = (typeof didCodes)[number];

export interface DidProblem<Code extends string = DidCode> extends Problem<Code> {
  readonly number?: string;
  readonly accountId?: string;
  readonly line?: number;
}

/** A DID use case's outcome: its own codes, or the ledger's (a fee refused, an account). */
export type DidResult<T> = Result<T, DidCode | LedgerCode>;

export function didProblem<Code extends DidCode>(
  code: Code,
  message: string,
  details: Omit<DidProblem<Code>, 'ok' | 'code' | 'message'> = {},
): DidProblem<Code> {
  return { ok: false, code, message, ...details };
}
