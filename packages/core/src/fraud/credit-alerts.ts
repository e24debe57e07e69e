import { formatMicrosTrimmed, type Micros } from '../kernel/money.ts';
import { publishAlert } from './fraud-actions.ts';
import { fraudLimits } from './fraud-limits.ts';
import type { CreditUsage } from './fraud-ports.ts';
import type { CreditLimitRule } from './fraud-types.ts';
import {
  alertKeysMax,
  boundedSet,
  chainInfoOf,
  configOf,
  survive,
  type MonitorState,
} from './monitor-state.ts';

/** The thresholds (percent) that the used credit reaches, ascending. Pure. */
export function creditThresholdsReached(usage: CreditUsage, rule: CreditLimitRule): number[] {
  if (usage.creditLimitMicros <= 0n) return [];
  return [...rule.thresholdsPercent].sort((a, b) => a - b).filter((percent) =>
    usage.usedMicros * 100n >= BigInt(percent) * usage.creditLimitMicros);
}

/**
 * Postpaid credit-limit alerts: for accounts that spent since the last tick (at most
 * `creditChecksPerTickMax`), read the used credit and alert each threshold reached once per
 * period. "Once" is kept by the store: the dedupe key is unique, so a restart or a second node
 * cannot alert the same threshold again in the same month.
 */
export async function checkCreditLimits(state: MonitorState, nowMs: number): Promise<void> {
  const batch: string[] = [];
  for (const accountId of state.creditDirty) {
    batch.push(accountId);
    if (batch.length >= fraudLimits.creditChecksPerTickMax) break;
  }
  for (const accountId of batch) {
    state.creditDirty.delete(accountId);
    await survive(state, () => checkAccount(state, accountId, nowMs));
  }
}

async function checkAccount(state: MonitorState, accountId: string, nowMs: number) {
  const chain = await chainInfoOf(state, accountId, nowMs);
  if (chain === null) return;
  const rule = configOf(state, chain).creditLimit;
  if (rule === null) return;
  const usage = await state.deps.accounts.creditUsage(accountId);
  if (usage === null) return;
  for (const percent of creditThresholdsReached(usage, rule)) {
    const dedupeKey = `credit_limit:${accountId}:${usage.periodKey}:${percent}`;
    if (state.lastAlertMs.has(dedupeKey)) continue;
    boundedSet(state.lastAlertMs, dedupeKey, nowMs, alertKeysMax);
    const used = formatMicrosTrimmed(usage.usedMicros as Micros);
    const limit = formatMicrosTrimmed(usage.creditLimitMicros as Micros);
    await publishAlert(state, { id: state.deps.newId('fa'), accountId, rootAccountId: chain.rootId,
      scopePath: chain.scopePath, ruleId: 'credit_limit', action: 'alert', destination: null,
      message: `${used} of the credit limit ${limit} used (${percent} % reached)`,
      details: { used, credit_limit: limit, threshold_percent: String(percent),
        period: usage.periodKey },
      measureId: null, dedupeKey,
      createdAtMs: nowMs });
  }
}
