import { assert } from '../kernel/assert.ts';
import type { AccountId } from '../ledger/account.ts';
import type { AssuranceDeps } from './assurance-deps.ts';
import { assuranceLimits } from './assurance-limits.ts';
import { reconcilePeriod } from './reconcile-period.ts';
import type { ReconcileFinding } from './reconcile-types.ts';

/** One operator's reconciliation in a scheduled run: counts, and the first findings. */
export interface RootReconciliation {
  readonly rootAccountId: string;
  readonly findingCount: number;
  readonly findings: readonly ReconcileFinding[];
  /** Set when the run was refused (too many CDRs or accounts): not a difference. */
  readonly refusedCode: string | null;
}

/** Findings a scheduled run keeps per operator for its alert. */
const alertFindingsMax = 20;

/**
 * Reconciles one period for every operator (root account) in turn; a carrier's accrual
 * account is a root of its own (its id starts with `_`) and is covered by its operator's run.
 */
export async function reconcileRoots(deps: AssuranceDeps,
  period: { fromMs: number; toMs: number }): Promise<RootReconciliation[]> {
  const roots: string[] = [];
  await deps.store.transaction(async (tx) => {
    let afterId: AccountId | null = null;
    for (let page = 0; ; page += 1) {
      assert(page < assuranceLimits.pagesPerBookMax, 'accounts are read in bounded pages');
      const accounts = await tx.listAccounts({ afterId, limit: assuranceLimits.pageSizeMax });
      for (const account of accounts) {
        if (account.parentId === null && !account.id.startsWith('_')) roots.push(account.id);
      }
      if (accounts.length < assuranceLimits.pageSizeMax) return;
      afterId = accounts.at(-1)!.id;
    }
  }, { readOnly: true });
  const results: RootReconciliation[] = [];
  for (const rootAccountId of roots) {
    const report = await reconcilePeriod(deps, { scopeAccountId: rootAccountId, ...period });
    results.push(report.ok ? { rootAccountId, findingCount: report.value.findingCount,
      findings: report.value.findings.slice(0, alertFindingsMax), refusedCode: null }
      : { rootAccountId, findingCount: 0, findings: [], refusedCode: report.code });
  }
  return results;
}
