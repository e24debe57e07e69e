import { money } from './engine-client.ts';
import type { CdrView, Funds } from './engine-world.ts';

// The money invariants every engine test ends with. Each check returns findings (sentences
// with the numbers) rather than throwing at the first one, so a failing run reports the whole
// damage: how many calls, how much money.

/**
 * Charged exactly once: each account's balance fell by exactly what its CDRs say it paid, no
 * money is still held, and no account is below minus its credit limit.
 */
export function moneyFindings(
  before: ReadonlyMap<string, Funds>,
  after: ReadonlyMap<string, Funds>,
  cdrs: readonly CdrView[],
): string[] {
  const paid = paidPerAccount(cdrs);
  const findings: string[] = [];
  for (const [id, end] of after) {
    const start = before.get(id);
    if (start === undefined) continue;
    const debited = start.balance - end.balance;
    const owed = paid.get(id) ?? 0n;
    if (debited !== owed) {
      findings.push(`${id}: debited ${money(debited)}, its CDRs total ${money(owed)} ` +
        `(${money(debited - owed)} charged beyond the CDRs)`);
    }
    if (end.reserved !== 0n) findings.push(`${id}: ${money(end.reserved)} still reserved`);
    if (end.floor !== null && end.balance < end.floor) {
      findings.push(`${id}: balance ${money(end.balance)} below its floor ${money(end.floor)}`);
    }
  }
  return findings;
}

/** What each account paid, summed over the levels of the CDRs. */
export function paidPerAccount(cdrs: readonly CdrView[]): Map<string, bigint> {
  const paid = new Map<string, bigint>();
  for (const cdr of cdrs) {
    for (const level of cdr.levels) {
      paid.set(level.accountId, (paid.get(level.accountId) ?? 0n) + level.cost);
    }
  }
  return paid;
}

/** One CDR per session: the CDRs grouped by session, with the sessions that have several. */
export function cdrsBySession(cdrs: readonly CdrView[]): {
  bySession: Map<string, CdrView[]>;
  findings: string[];
} {
  const bySession = new Map<string, CdrView[]>();
  for (const cdr of cdrs) {
    const list = bySession.get(cdr.sessionId) ?? [];
    list.push(cdr);
    bySession.set(cdr.sessionId, list);
  }
  const findings = [...bySession].filter(([, list]) => list.length > 1)
    .map(([sessionId, list]) => `${sessionId}: ${list.length} CDRs`);
  return { bySession, findings };
}
