import { newActivity } from './account-activity.ts';
import type { FraudFinding } from './fraud-rules.ts';
import { fraudLimits } from './fraud-limits.ts';
import type { FraudAlert, FraudConfig, FraudMeasure, FraudRuleId } from './fraud-types.ts';
import {
  alertKeysMax,
  boundedSet,
  forgetMeasure,
  measuresOf,
  rememberMeasure,
  survive,
  type ChainInfo,
  type MonitorState,
} from './monitor-state.ts';

const destinationRules = new Set<FraudRuleId>(['destination_risk', 'destination_anomaly',
  'cost_per_minute']);

export interface FindingContext {
  readonly accountId: string;
  readonly chain: ChainInfo;
  readonly config: FraudConfig;
  readonly nowMs: number;
}

/**
 * Turns findings into measures and alerts. A suspension or block already in force is not taken
 * again, and the same rule on the same account and destination alerts at most once per
 * `alertRepeatMs`. The measure is registered in memory before any await, so concurrent requests
 * of one account cannot suspend it twice.
 */
export async function applyFindings(state: MonitorState, context: FindingContext,
  findings: readonly FraudFinding[]): Promise<void> {
  for (const found of findings) await applyFinding(state, context, found);
}

async function applyFinding(state: MonitorState, context: FindingContext,
  found: FraudFinding): Promise<void> {
  const { accountId, nowMs, config } = context;
  const entry = measuresOf(state, accountId);
  const action = found.action === 'block_destination' && found.destination === null
    ? 'alert' : found.action;
  const takesMeasure = (action === 'suspend' && entry.suspension === null &&
    !state.suspending.has(accountId)) || (action === 'block_destination' &&
    !entry.blocks.has(found.destination!) && entry.suspension === null);
  // Rules about a destination alert once per destination; the others once per account.
  const perDestination = action === 'block_destination' || destinationRules.has(found.ruleId);
  const alertKey = `${accountId}:${found.ruleId}:${perDestination ? found.destination : ''}`;
  const lastMs = state.lastAlertMs.get(alertKey);
  if (!takesMeasure && lastMs !== undefined && nowMs - lastMs < config.alertRepeatMs) return;
  boundedSet(state.lastAlertMs, alertKey, nowMs, alertKeysMax);
  const alertId = state.deps.newId('fa');
  let measure: FraudMeasure | null = null;
  if (takesMeasure && action === 'suspend') {
    measure = await suspend(state, context, found, alertId);
  } else if (takesMeasure && action === 'block_destination') {
    measure = newMeasure(state, context, found, alertId, false);
    rememberMeasure(state, measure);
  }
  const alert: FraudAlert = { id: alertId, accountId, rootAccountId: context.chain.rootId,
    scopePath: context.chain.scopePath, ruleId: found.ruleId,
    action: measure === null ? 'alert' : measure.kind, destination: found.destination,
    message: found.message, details: found.details, measureId: measure?.id ?? null,
    dedupeKey: null, createdAtMs: nowMs };
  await storeAndPublish(state, alert, measure);
  if (measure?.kind === 'suspend') {
    // Ending the live calls talks to switches: the refused request does not wait for it.
    const ending = state.hooks.onAccountSuspended(accountId).catch((error: unknown) => {
      state.hooks.onError(error);
    }).finally(() => state.background.delete(ending));
    state.background.add(ending);
  }
}

function newMeasure(state: MonitorState, context: FindingContext, found: FraudFinding,
  alertId: string, suspendedInLedger: boolean): FraudMeasure {
  const { coolDownMs } = context.config;
  return { id: state.deps.newId('fm'), accountId: context.accountId,
    scopePath: context.chain.scopePath,
    kind: found.action === 'suspend' ? 'suspend' : 'block_destination',
    prefix: found.action === 'suspend' ? null : found.destination, ruleId: found.ruleId, alertId,
    createdAtMs: context.nowMs,
    expiresAtMs: coolDownMs === 0 ? null : context.nowMs + coolDownMs, suspendedInLedger,
    releasedAtMs: null, releasedBy: null };
}

/**
 * Suspends the account in the ledger (refusing new calls, and giving live calls a final zero
 * grant at their next update), then records the measure.
 */
async function suspend(state: MonitorState, context: FindingContext, found: FraudFinding,
  alertId: string): Promise<FraudMeasure> {
  const { accountId } = context;
  state.suspending.add(accountId);
  // Refuse new calls at once, before the ledger write completes.
  const pending = newMeasure(state, context, found, alertId, false);
  rememberMeasure(state, pending);
  try {
    let changed = false;
    await survive(state, async () => {
      changed = await state.deps.accounts.suspend(accountId);
    });
    const measure = { ...pending, suspendedInLedger: changed };
    rememberMeasure(state, measure);
    return measure;
  } finally {
    state.suspending.delete(accountId);
  }
}

async function storeAndPublish(state: MonitorState, alert: FraudAlert,
  measure: FraudMeasure | null): Promise<void> {
  await survive(state, async () => {
    if (measure !== null) await state.deps.store.insertMeasure(measure);
    if (await state.deps.store.insertAlert(alert)) state.deps.sink.publish(alert);
  });
}

/** Stores and delivers an alert that needs no measure (credit thresholds). */
export async function publishAlert(state: MonitorState, alert: FraudAlert): Promise<boolean> {
  let stored = false;
  await survive(state, async () => {
    stored = await state.deps.store.insertAlert(alert);
    if (stored) state.deps.sink.publish(alert);
  });
  return stored;
}

/**
 * Lifts a measure (cool-down or manual). A suspension this module made is undone in the ledger
 * only if the account is still suspended; a suspension someone else made is left alone.
 */
export async function releaseMeasure(state: MonitorState, measure: FraudMeasure,
  releasedBy: 'cool_down' | 'manual', nowMs: number): Promise<FraudMeasure | null> {
  const released = await state.deps.store.releaseMeasure(measure.id, nowMs, releasedBy);
  forgetMeasure(state, measure);
  if (released === null) return null;
  if (released.kind === 'suspend' && released.suspendedInLedger) {
    await state.deps.accounts.reactivate(released.accountId);
  }
  startOver(state, released.accountId, nowMs);
  return released;
}

/**
 * A released account starts over: the windows that made it fire are emptied (an operator looked
 * at it, or the cool-down passed), its live calls and its profile are kept.
 */
function startOver(state: MonitorState, accountId: string, nowMs: number): void {
  for (const key of [...state.lastAlertMs.keys()]) {
    if (key.startsWith(`${accountId}:`)) state.lastAlertMs.delete(key);
  }
  const old = state.activities.get(accountId);
  if (old === undefined) return;
  const fresh = newActivity(accountId, nowMs, old.profile);
  for (const [sessionId, call] of old.live) fresh.live.set(sessionId, call);
  state.activities.set(accountId, fresh);
}

/** Measures whose cool-down has ended, at most `expiriesPerTickMax`. */
export function expiredMeasures(state: MonitorState, nowMs: number): FraudMeasure[] {
  const due: FraudMeasure[] = [];
  for (const entry of state.measures.values()) {
    const candidates = [...(entry.suspension === null ? [] : [entry.suspension]),
      ...entry.blocks.values()];
    for (const measure of candidates) {
      if (measure.expiresAtMs !== null && measure.expiresAtMs <= nowMs) due.push(measure);
      if (due.length >= fraudLimits.expiriesPerTickMax) return due;
    }
  }
  return due;
}
