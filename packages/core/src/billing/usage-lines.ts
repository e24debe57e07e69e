import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { billingLimits } from './billing-limits.ts';
import type { InvoiceLineInput, InvoiceLineKind } from './invoice-maths.ts';

/**
 * Usage lines from the ledger: one line per destination (prefix and name) with the number of
 * calls, their billed seconds and the money. The money of a line is the sum of the charge
 * transfers of the period (refunds subtract), by ledger time; the calls and seconds of a call
 * count in the period its CDR ended in. So a call whose charges straddle the cut (an interim
 * commit before it, the last one after) pays each part in the period the ledger posted it,
 * and is counted as a call once, in the period it ended.
 */
export interface PeriodCharge {
  readonly transferId: bigint;
  /** Positive for a charge, negative for a refund. */
  readonly signedMicros: Micros;
  readonly kind: InvoiceLineKind;
  readonly prefix: string | null;
  /** Destination name, or the description of a non-usage line. */
  readonly description: string;
}

export interface PeriodCall {
  readonly prefix: string | null;
  readonly description: string;
  readonly billedSeconds: number;
}

export function usageLinesOf(
  charges: readonly PeriodCharge[],
  calls: readonly PeriodCall[],
): InvoiceLineInput[] {
  const lines = new Map<string, { kind: InvoiceLineKind; description: string;
    prefix: string | null; calls: number; billedSeconds: number; chargedMicros: bigint }>();
  const lineOf = (kind: InvoiceLineKind, prefix: string | null, description: string) => {
    const key = `${kind}\u0000${prefix ?? ''}\u0000${description}`;
    let line = lines.get(key);
    if (line === undefined) {
      assert(lines.size < billingLimits.invoiceLinesMax, 'invoice lines within the bound');
      line = { kind, description, prefix, calls: 0, billedSeconds: 0, chargedMicros: 0n };
      lines.set(key, line);
    }
    return line;
  };
  for (const charge of charges) {
    lineOf(charge.kind, charge.prefix, charge.description).chargedMicros += charge.signedMicros;
  }
  for (const call of calls) {
    const line = lineOf('usage', call.prefix, call.description);
    line.calls += 1;
    line.billedSeconds += call.billedSeconds;
  }
  return [...lines.values()].sort(compareLines).map((line) => ({ ...line,
    chargedMicros: micros(line.chargedMicros) }));
}

const kindOrder: Record<InvoiceLineKind, number> = {
  usage: 0, recurring: 1, one_off: 2, adjustment: 3, credit: 4,
};

function compareLines(
  a: { kind: InvoiceLineKind; prefix: string | null; description: string },
  b: { kind: InvoiceLineKind; prefix: string | null; description: string },
): number {
  if (a.kind !== b.kind) return kindOrder[a.kind] - kindOrder[b.kind];
  const byPrefix = (a.prefix ?? '').localeCompare(b.prefix ?? '');
  return byPrefix !== 0 ? byPrefix : a.description.localeCompare(b.description);
}
