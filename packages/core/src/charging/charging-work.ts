import { problem, type Problem, type Result } from '../kernel/result.ts';
import { decodeLedgerJson, encodeLedgerJson } from '../ledger/idempotency.ts';
import type { LedgerCode } from '../ledger/ledger-problem.ts';
import type { ChargingStore, ChargingTransaction } from './charging-ports.ts';
import type { ChargingCode } from './charging-types.ts';

export type ChargingProblem = Problem<ChargingCode | LedgerCode>;

class ChargingRollback extends Error {
  override readonly name = 'ChargingRollback';
  readonly problem: ChargingProblem;

  constructor(found: ChargingProblem) {
    super(found.message);
    this.problem = found;
  }
}

/**
 * Runs `work` in one store transaction; a returned problem rolls everything back, so a rejected
 * request writes nothing even if it wrote before finding the problem. Refusals are not
 * problems: they are answers, stored with the session and replayed.
 */
export async function inChargingTransaction<T>(
  store: ChargingStore,
  work: (tx: ChargingTransaction) => Promise<Result<T, ChargingCode | LedgerCode>>,
): Promise<Result<T, ChargingCode | LedgerCode>> {
  try {
    return await store.transaction(async (tx) => {
      const result = await work(tx);
      if (!result.ok) throw new ChargingRollback(result);
      return result;
    });
  } catch (error) {
    if (error instanceof ChargingRollback) return error.problem;
    throw error;
  }
}

export function chargingProblem(
  code: ChargingCode | LedgerCode,
  message: string,
): ChargingProblem {
  return problem(code, message);
}

/** Answers are stored as JSON with bigints tagged, and replayed exactly. */
export function encodeAnswer(answer: unknown): string {
  return encodeLedgerJson(answer);
}

export function decodeAnswer<T>(json: string): T {
  return decodeLedgerJson(json) as T;
}
