import { assert } from '../kernel/assert.ts';
import type { Micros } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { mapInChunks } from '../kernel/chunks.ts';
import { dayMs } from '../kernel/time-zone.ts';
import {
  didStateAt,
  type Did,
  type DidDestination,
  type DidFirstPeriod,
  type DidHolding,
} from './did.ts';
import type { DidDeps } from './did-deps.ts';
import { chargeHoldingFees } from './did-fee-use-cases.ts';
import type { DidImportRow } from './did-input.ts';
import { didLimits } from './did-limits.ts';
import { didProblem, type DidResult } from './did-problem.ts';
import type { DidKey } from './did-store.ts';

/**
 * Adds numbers to an operator's inventory, `available`. A number from a carrier starts the
 * operator's hold from that carrier: its setup cost and monthly cost accrue to the carrier's
 * ledger account from now on, whether the number is sold or not.
 */
export async function importDids(deps: DidDeps, input: { operatorId: string;
  rows: readonly DidImportRow[] }): Promise<DidResult<{ imported: number }>> {
  const chain = await deps.ledger.getAccountChain(input.operatorId);
  if (!chain.ok) return chain;
  const operator = chain.value[0]!;
  if (operator.parentId !== null) {
    return didProblem('invalid_did_import', 'numbers belong to an operator (a root account)');
  }
  const nowMs = deps.clock.nowMs();
  const rows: { did: Did; carrierHolding: DidHolding | null }[] = [];
  for (const row of input.rows) {
    let carrierHolding: DidHolding | null = null;
    if (row.carrierId !== null) {
      const carrierAccount = await deps.carrierAccountOf(operator.id, row.carrierId);
      if (carrierAccount === null) {
        return didProblem('did_carrier_not_found', `no carrier ${row.carrierId}`,
          { number: row.number });
      }
      carrierHolding = newHolding(deps, { number: row.number, operatorId: operator.id,
        firstPeriod: deps.settings.firstPeriod, kind: 'carrier', depth: 0,
        accountId: operator.id, payeeAccountId: carrierAccount,
        currency: operator.currency, setupMicros: row.carrierSetupMicros,
        monthlyMicros: row.carrierMonthlyMicros, inboundDeckId: null, nowMs });
    }
    rows.push({ carrierHolding, did: { number: row.number, operatorId: operator.id,
      country: row.country, carrierId: row.carrierId,
      carrierSetupMicros: row.carrierSetupMicros, carrierMonthlyMicros: row.carrierMonthlyMicros,
      state: 'available', quarantineUntilMs: null, destination: null, createdAtMs: nowMs } });
  }
  if (!await deps.store.insertDids(rows)) {
    return didProblem('did_exists', 'a number of the file is in the inventory already');
  }
  // The job would post them too; posting now makes the import's costs visible at once.
  const holds = rows.flatMap((row) => row.carrierHolding ?? []);
  await mapInChunks(holds, didLimits.feeHoldsConcurrentMax,
    (holding) => chargeHoldingFees(deps, holding, 'allow'));
  return success({ imported: rows.length });
}

export interface AssignDidInput extends DidKey {
  /** The holder that assigns: the operator (root) for a number in stock, or its holder. */
  readonly fromAccountId: string;
  /** A direct child of `fromAccountId`. */
  readonly toAccountId: string;
  /** Prices the assignee pays the assigner, in the assignee's currency. */
  readonly setupMicros: Micros;
  readonly monthlyMicros: Micros;
  readonly inboundDeckId: string | null;
  /** Null: the installation's setting. */
  readonly firstPeriod: DidFirstPeriod | null;
}

/**
 * Assigns a number one level down, at this level's own prices: the assignee pays its setup
 * fee now (refused, and nothing kept, when it cannot pay) and the monthly fee of the current
 * period (prorated by setting), then once per period through the fee job.
 */
export async function assignDid(deps: DidDeps, input: AssignDidInput):
  Promise<DidResult<DidHolding>> {
  const did = await deps.store.findDid(input);
  if (did === null) return didNotFound(input.number);
  const chain = await deps.ledger.getAccountChain(input.toAccountId);
  if (!chain.ok) return chain;
  const assignee = chain.value[0]!;
  if (assignee.parentId !== input.fromAccountId) {
    return didProblem('did_assignee_not_child', `${assignee.id} is not a child of ` +
      `${input.fromAccountId}`, { accountId: assignee.id });
  }
  const nowMs = deps.clock.nowMs();
  const holdings = await deps.store.activeHoldings(input);
  const parents = holdings.filter((holding) => holding.kind === 'parent');
  const top = parents.at(-1);
  if (input.fromAccountId === did.operatorId) {
    if (didStateAt(did, nowMs) !== 'available' || top !== undefined) {
      return didProblem('did_not_available', `+${did.number} is ${didStateAt(did, nowMs)}`);
    }
  } else if (top?.accountId !== input.fromAccountId) {
    return didProblem('did_not_held', `${input.fromAccountId} does not hold the number ` +
      'last', { accountId: input.fromAccountId });
  }
  const holding = newHolding(deps, { number: did.number, operatorId: did.operatorId,
    kind: 'parent', depth: parents.length + 1, accountId: assignee.id,
    payeeAccountId: input.fromAccountId, currency: assignee.currency,
    setupMicros: input.setupMicros, monthlyMicros: input.monthlyMicros,
    inboundDeckId: input.inboundDeckId, nowMs,
    firstPeriod: input.firstPeriod ?? deps.settings.firstPeriod });
  if (!await deps.store.startHolding(holding, 'assigned')) {
    return didProblem('did_not_available', `+${did.number} was assigned meanwhile`);
  }
  const charged = await chargeHoldingFees(deps, holding, 'refuse');
  // A refused setup fee undoes the hold; a monthly fee refused after the setup was posted
  // (the hierarchy moved meanwhile) keeps it, and the job tries the fee again.
  if (!charged.ok && !('setupPosted' in charged)) {
    await deps.store.removeHolding(holding, holding.depth === 1 ? 'available' : 'assigned');
    return charged;
  }
  return success(holding);
}

/**
 * Ends an account's hold and every hold below it. The periods already charged are not
 * refunded (fees are paid in advance). Released by the operator's child, the number rests in
 * quarantine for the configured days, then is available again.
 */
export async function releaseDid(deps: DidDeps, input: DidKey & { accountId: string }):
  Promise<DidResult<{ state: Did['state']; quarantineUntilMs: number | null }>> {
  const did = await deps.store.findDid(input);
  if (did === null) return didNotFound(input.number);
  const holding = (await deps.store.activeHoldings(input))
    .find((entry) => entry.kind === 'parent' && entry.accountId === input.accountId);
  if (holding === undefined) {
    return didProblem('did_not_assigned', `${input.accountId} does not hold +${did.number}`);
  }
  const nowMs = deps.clock.nowMs();
  const days = deps.settings.quarantineDays;
  const toStock = holding.depth === 1;
  const quarantineUntilMs = toStock && days > 0 ? nowMs + days * dayMs : null;
  const state = !toStock ? 'assigned' : quarantineUntilMs === null ? 'available' : 'quarantine';
  const ended = await deps.store.endHoldings(input, { fromDepth: holding.depth,
    endedAtMs: nowMs, state, quarantineUntilMs });
  assert(ended >= 1, 'the hold found is ended');
  return success({ state, quarantineUntilMs });
}

export async function setDidDestination(deps: DidDeps, input: DidKey & {
  destination: DidDestination | null }): Promise<DidResult<Did>> {
  if (!await deps.store.setDestination(input, input.destination)) {
    return didNotFound(input.number);
  }
  const did = await deps.store.findDid(input);
  assert(did !== null, 'a number is never deleted');
  return success(did);
}

/** Who an inbound call to the number is for: the deepest hold, and every hold above it. */
export interface DidOwner {
  readonly did: Did;
  readonly ownerId: string;
  /** The `parent` holds, the operator's child first. */
  readonly holdings: readonly DidHolding[];
}

export async function findDidOwner(deps: DidDeps, key: DidKey): Promise<DidOwner | null> {
  const did = await deps.store.findDid(key);
  if (did === null) return null;
  const holdings = (await deps.store.activeHoldings(key))
    .filter((holding) => holding.kind === 'parent');
  const owner = holdings.at(-1);
  if (owner === undefined) return null;
  return { did, ownerId: owner.accountId, holdings };
}

function didNotFound(number: string) {
  return didProblem('did_not_found', `no number +${number}`);
}

function newHolding(deps: DidDeps, fields: Omit<DidHolding, 'id' | 'startedAtMs' |
  'endedAtMs' | 'setupCharged' | 'chargedThroughMs'> & { nowMs: number }): DidHolding {
  const { nowMs, ...rest } = fields;
  return { ...rest, id: deps.newId(), startedAtMs: nowMs, endedAtMs: null,
    setupCharged: false, chargedThroughMs: 0 };
}
