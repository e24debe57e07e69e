import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { Account, AccountId } from '../ledger/account.ts';
import { assuranceLimits } from './assurance-limits.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';

/** An account and all below it, breadth first (iteratively, bounded), closed ones included. */
export async function subtreeOf(tx: ChargingTransaction, accountId: string):
  Promise<AssuranceResult<Account[]>> {
  const top = await tx.findAccount(accountId as AccountId);
  if (top === null) return assuranceProblem('account_not_found', `no account ${accountId}`);
  const accounts: Account[] = [top];
  for (let next = 0; next < accounts.length; next += 1) {
    const parentId = accounts[next]!.id;
    let afterId: AccountId | null = null;
    for (;;) {
      const children = await tx.listChildren({ parentId, tier: null, afterId, openOnly: false,
        limit: assuranceLimits.pageSizeMax });
      accounts.push(...children);
      if (accounts.length > assuranceLimits.subtreeAccountsMax) {
        return assuranceProblem('too_many_accounts',
          `more than ${assuranceLimits.subtreeAccountsMax} accounts under ${accountId}`);
      }
      if (children.length < assuranceLimits.pageSizeMax) break;
      afterId = children.at(-1)!.id;
    }
  }
  return { ok: true, value: accounts };
}
