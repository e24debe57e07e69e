import { assert } from '../kernel/assert.ts';
import type { Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import type { AccountId } from './account.ts';
import { mainBookId, type BookId } from './book.ts';
import { ledgerLimits } from './ledger-limits.ts';
import type { LedgerResult } from './ledger-problem.ts';
import type { LedgerTransaction } from './ledger-store.ts';
import { inTransaction, type LedgerDeps } from './ledger-work.ts';
import {
  compareBooks,
  creditFindings,
  currencyFindings,
  type VerifyFinding,
  type VerifyReport,
} from './verify.ts';

/**
 * Recomputes every balance from the journal and every pending amount from the open
 * reservations, in one read-only snapshot, page by page; checks that each currency's journal
 * sums to zero and that no account is below minus its credit limit.
 */
export async function verifyLedger(deps: LedgerDeps): Promise<LedgerResult<VerifyReport>> {
  return inTransaction(deps.store, async (tx) => {
    const net = new Map<string, bigint>();
    const findings = boundedList();
    const overdrawn = boundedList();
    const booksChecked = await verifyBooks(tx, net, findings.note);
    findings.note(currencyFindings(net));
    const accountsChecked = await verifyCredit(tx, overdrawn.note);
    return success({ booksChecked, accountsChecked,
      transfersNetByCurrency: new Map([...net].map(([currency, sum]) => [currency, sum as Micros])),
      findingCount: findings.count(), findings: findings.items,
      overdrawnCount: overdrawn.count(), overdrawn: overdrawn.items,
      ok: findings.count() === 0 });
  }, { readOnly: true });
}

/** Counts every finding and keeps the first verifyFindingsMax. */
function boundedList(): {
  items: VerifyFinding[];
  count: () => number;
  note: (found: readonly VerifyFinding[]) => void;
} {
  const items: VerifyFinding[] = [];
  let total = 0;
  return {
    items,
    count: () => total,
    note: (found) => {
      total += found.length;
      const room = ledgerLimits.verifyFindingsMax - items.length;
      if (room > 0) items.push(...found.slice(0, room));
    },
  };
}

async function verifyBooks(
  tx: LedgerTransaction,
  net: Map<string, bigint>,
  note: (found: readonly VerifyFinding[]) => void,
): Promise<number> {
  let afterId: BookId | null = null;
  let checked = 0;
  for (let page = 0; ; page += 1) {
    assert(page < ledgerLimits.verifyPagesMax, 'the verification reads a bounded number of pages');
    const books = await tx.listBooks({ afterId, limit: ledgerLimits.verifyPageSizeMax });
    if (books.length === 0) return checked;
    const ids = books.map((book) => book.id);
    note(compareBooks(books, await tx.journalTotals(ids), await tx.reservationTotals(ids), net));
    checked += books.length;
    const last = books.at(-1);
    if (last === undefined || books.length < ledgerLimits.verifyPageSizeMax) return checked;
    afterId = last.id;
  }
}

async function verifyCredit(
  tx: LedgerTransaction,
  note: (found: readonly VerifyFinding[]) => void,
): Promise<number> {
  let afterId: AccountId | null = null;
  let checked = 0;
  for (let page = 0; ; page += 1) {
    assert(page < ledgerLimits.verifyPagesMax, 'the verification reads a bounded number of pages');
    const accounts = await tx.listAccounts({ afterId, limit: ledgerLimits.verifyPageSizeMax });
    if (accounts.length === 0) return checked;
    const mainBooks = await tx.findBooks(accounts.map((account) => mainBookId(account.id)));
    note(creditFindings(accounts, mainBooks));
    checked += accounts.length;
    const last = accounts.at(-1);
    if (last === undefined || accounts.length < ledgerLimits.verifyPageSizeMax) return checked;
    afterId = last.id;
  }
}
