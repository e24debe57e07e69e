import { assert } from '../kernel/assert.ts';

/**
 * A charging request is identified by the client: its reference (the session id) and its request
 * number. The key of a request is both, so a retransmission finds the stored outcome and moves no
 * money (conventions, rule 9). Only successful outcomes are stored: a refused request wrote
 * nothing, and a retry is evaluated again (a top-up in between may let it pass).
 */
export interface IdempotentOutcome {
  readonly key: string;
  /** The use case that stored it: the same key for another operation is a client bug. */
  readonly operation: string;
  /** The request as canonical JSON: the same key with another request is a client bug. */
  readonly requestJson: string;
  readonly outcomeJson: string;
  readonly createdAtMs: number;
}

export function idempotencyKeyOf(reference: string, requestNumber: number): string {
  assert(Number.isSafeInteger(requestNumber) && requestNumber >= 0, 'request numbers count up');
  return `${reference}#${requestNumber}`;
}

const bigintTag = '$bigint';

/** JSON that keeps bigints exact: each becomes {"$bigint": "digits"}. */
export function encodeLedgerJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? { [bigintTag]: item.toString() } : item);
}

export function decodeLedgerJson(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const tagged = (item as Record<string, unknown>)[bigintTag];
      if (typeof tagged === 'string' && Object.keys(item).length === 1) return BigInt(tagged);
    }
    return item;
  });
}
