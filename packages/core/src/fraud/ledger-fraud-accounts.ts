import type { Clock } from '../kernel/clock.ts';
import { localMonthKey } from '../kernel/time-zone.ts';
import { micros } from '../kernel/money.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { FraudAccounts } from './fraud-ports.ts';

/**
 * The fraud module's view of the ledger, through the ledger's own use cases: a suspension is the
 * same state change as `POST /v1/accounts/{id}/suspend`.
 */
export function ledgerFraudAccounts(ledger: LedgerService, clock: Clock): FraudAccounts {
  return {
    chainOf: async (accountId) => {
      const chain = await ledger.getAccountChain(accountId);
      return chain.ok ? chain.value : null;
    },
    suspend: async (accountId) => {
      const view = await ledger.getAccount(accountId);
      if (!view.ok || view.value.account.state !== 'active') return false;
      const updated = await ledger.updateAccount({ id: accountId,
        changes: { state: 'suspended' } });
      return updated.ok;
    },
    reactivate: async (accountId) => {
      const view = await ledger.getAccount(accountId);
      if (!view.ok || view.value.account.state !== 'suspended') return;
      await ledger.updateAccount({ id: accountId, changes: { state: 'active' } });
    },
    creditUsage: async (accountId) => {
      const view = await ledger.getAccount(accountId);
      if (!view.ok) return null;
      const { account, postedMicros, pendingMicros } = view.value;
      if (account.mode !== 'postpaid' || account.creditLimitMicros === null ||
        account.creditLimitMicros <= 0n) return null;
      // Owed (a negative balance) plus what live calls hold: the credit in use now.
      const used = pendingMicros - postedMicros;
      return { usedMicros: micros(used > 0n ? used : 0n),
        creditLimitMicros: account.creditLimitMicros,
        periodKey: localMonthKey(account.timeZone, clock.nowMs()) };
    },
  };
}
