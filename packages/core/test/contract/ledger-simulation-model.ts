import {
  micros,
  spendWindowKeys,
  type Account,
  type Micros,
} from '../../src/index.ts';

/**
 * An independent model of what the ledger must hold, kept by the simulation from the outcomes
 * it was told. It is deliberately plain (maps of bigints) so that it shares no code with the
 * projection it checks.
 */
export interface ModelLeg {
  readonly accountId: string;
  readonly creditBookId: string;
  pendingMicros: bigint;
}

export class LedgerModel {
  readonly posted = new Map<string, bigint>();
  readonly pending = new Map<string, bigint>();
  readonly revenue = new Map<string, bigint>();
  readonly spend = new Map<string, bigint>();
  readonly open = new Map<string, { legs: ModelLeg[]; expiresAtMs: number }>();

  add(map: Map<string, bigint>, key: string, amount: bigint): void {
    map.set(key, (map.get(key) ?? 0n) + amount);
  }

  /** What the model says an account can still reserve; null when unlimited. */
  available(account: Account, nowMs: number, spentShift = 0n): bigint | null {
    if (account.state !== 'active') return 0n;
    const pending = this.pending.get(account.id) ?? 0n;
    const posted = this.posted.get(account.id) ?? 0n;
    const { dayKey, monthKey } = spendWindowKeys(account.timeZone, nowMs);
    const left: bigint[] = [];
    if (account.creditLimitMicros !== null) {
      left.push(posted + account.creditLimitMicros - pending);
    }
    if (account.dailyLimitMicros !== null) {
      left.push(account.dailyLimitMicros - (this.spend.get(`${account.id} ${dayKey}`) ?? 0n) -
        spentShift - pending);
    }
    if (account.monthlyLimitMicros !== null) {
      left.push(account.monthlyLimitMicros -
        (this.spend.get(`${account.id} ${monthKey}`) ?? 0n) - spentShift - pending);
    }
    if (left.length === 0) return null;
    const least = left.reduce((a, b) => (a < b ? a : b));
    return least > 0n ? least : 0n;
  }

  /** Posts a charge from an account's main book to a credit book. */
  charge(account: Account, creditBookId: string, amount: bigint, nowMs: number): void {
    this.add(this.posted, account.id, -amount);
    if (!creditBookId.startsWith('@world/')) this.add(this.revenue, creditBookId, amount);
    const { dayKey, monthKey } = spendWindowKeys(account.timeZone, nowMs);
    this.add(this.spend, `${account.id} ${dayKey}`, amount);
    this.add(this.spend, `${account.id} ${monthKey}`, amount);
  }

  hold(accountId: string, amount: bigint): void {
    this.add(this.pending, accountId, amount);
  }
}

export function asMicros(value: bigint): Micros {
  return micros(value);
}
