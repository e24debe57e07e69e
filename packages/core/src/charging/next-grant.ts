import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { availableFunds, type AvailableFunds } from '../ledger/available-funds.ts';
import { fundsInputOf, type SpendRead } from '../ledger/chain-legs.ts';
import type { LockedAccount } from '../ledger/ledger-store.ts';
import type { ChargingSettings } from './charging-ports.ts';
import type { ChargingRefusalCode } from './charging-types.ts';
import { computeGrant, type Grant } from './grant.ts';
import { levelCost, toDeckMicros, type PricedLevel } from './priced-levels.ts';

export type NextGrant =
  | {
      readonly kind: 'granted';
      readonly grant: Grant;
      /** Per level, account currency: the cost of everything granted so far. */
      readonly exposureMicros: readonly Micros[];
    }
  | {
      readonly kind: 'refused';
      readonly code: ChargingRefusalCode;
      readonly accountId: string;
      readonly message: string;
    };

/**
 * The next grant of a call: `min(requested, slice, what every level can pay)`, from the books
 * and spend windows read under the chain's locks (the caller passes the same spend on to the
 * hold, so each window is read once per request). A grant cut by the request is not final:
 * the switch asks again. `releasingMicros[i]` is what this call's current hold will give back
 * at level i once the used part is committed (hold - commit): the level can spend it again on
 * the next slice. A suspended or closed account gets nothing, whatever it releases.
 */
export function nextGrant(options: {
  levels: readonly PricedLevel[];
  locked: readonly LockedAccount[];
  spend: SpendRead;
  nowMs: number;
  usedS: number;
  releasingMicros: readonly Micros[];
  bundleSeconds: number;
  settings: ChargingSettings;
  /** Seconds the switch asked for (already checked); undefined: the slice. */
  requestedS: number | undefined;
}): NextGrant {
  const { levels, usedS, settings } = options;
  const funds = fundsOfLevels(options);
  const grantLevels = levels.map((level, index) => {
    const levelFunds = funds[index]!;
    let available: Micros | null = null;
    if (levelFunds.constraint === 'state') available = micros(0n);
    else if (levelFunds.availableMicros !== null) {
      const freed = options.releasingMicros[index] ?? micros(0n);
      available = toDeckMicros(level, micros(levelFunds.availableMicros + freed));
    }
    return { plan: level.plan, availableMicros: available,
      bundleSeconds: index === 0 ? options.bundleSeconds : 0 };
  });
  const grant = computeGrant({ levels: grantLevels, usedS,
    sliceS: Math.min(settings.sliceSeconds, options.requestedS ?? settings.sliceSeconds),
    callDurationSMax: settings.callDurationSecondsMax });
  if (grant.status === 'no_rate') {
    const account = levels[grant.level]!.account;
    return { kind: 'refused', code: 'no_rate', accountId: account.id,
      message: `the rate of ${account.id} has a gap at ${usedS} s` };
  }
  if (grant.grantedSeconds === 0 && grant.limitingLevel !== null) {
    const account = levels[grant.limitingLevel]!.account;
    const code = funds[grant.limitingLevel]!.refusalCode;
    return { kind: 'refused', code, accountId: account.id,
      message: `account ${account.id} cannot pay for the next block (${code})` };
  }
  const endS = usedS + grant.grantedSeconds;
  const exposureMicros = levels.map((level, index) => {
    const cost = levelCost(level, endS, index === 0 ? options.bundleSeconds : 0);
    assert(cost !== null, 'a granted duration is always rated');
    return cost.costMicros;
  });
  return { kind: 'granted', grant, exposureMicros };
}

function fundsOfLevels(options: {
  levels: readonly PricedLevel[];
  locked: readonly LockedAccount[];
  spend: SpendRead;
  nowMs: number;
}): AvailableFunds[] {
  const byId = new Map(options.locked.map((entry) => [entry.account.id as string, entry]));
  return options.levels.map((level) => {
    const entry = byId.get(level.account.id);
    assert(entry !== undefined, 'every level is locked before its funds are read');
    return availableFunds(fundsInputOf(entry.account, entry.main, options.spend,
      options.nowMs));
  });
}
