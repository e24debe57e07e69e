import type {
  AuthorizeInput,
  Transfer,
  WorldTransferInput,
  KillAnswer,
  TerminateAnswer,
  TerminateInput,
  UpdateInput,
} from '../../src/index.ts';

/**
 * The simulation's model: what the clients were told, and nothing else. It is kept from the
 * answers the simulated switches and operators received, never from storage, so that storage
 * can be checked against it: every acknowledged answer must be there, exactly once.
 */
export type ModelSessionState = 'live' | 'closed' | 'refused';
export type ClosedBy = 'terminate' | 'kill' | 'sweep';

/** The last request a switch sent and got an answer to: what it retransmits. */
export type SwitchRequest =
  | { readonly kind: 'authorize'; readonly input: AuthorizeInput }
  | { readonly kind: 'update'; readonly input: UpdateInput }
  | { readonly kind: 'terminate'; readonly input: TerminateInput };

export interface ModelSession {
  readonly id: string;
  readonly customer: string;
  /** The customer and its ancestors, customer first. */
  readonly chain: readonly string[];
  readonly callee: string;
  state: ModelSessionState;
  /** The request number storage must hold: the switch's last, or a kill's or sweep's. */
  lastNumber: number;
  lastRequest: SwitchRequest;
  /** The answer the switch got to `lastRequest`. */
  lastAnswer: unknown;
  usedSeconds: number;
  /** Seconds charged at the last answer: min(used, granted until before it). */
  chargedSeconds: number;
  grantedUntil: number;
  final: boolean;
  hangupAtMs: number;
  costMicros: bigint;
  closedBy: ClosedBy | null;
  /** The settlement of a kill, as the operator was told. */
  killAnswer: KillAnswer | null;
  /** The settlement the switch was told by its terminate. */
  terminateAnswer: TerminateAnswer | null;
}

export interface ModelAccount {
  readonly id: string;
  readonly tier: 'super_admin' | 'admin' | 'reseller' | 'customer';
  readonly parentId: string | null;
  readonly currency: string;
  readonly mode: 'prepaid' | 'postpaid';
  readonly creditLimitMicros: bigint | null;
  readonly dailyLimitMicros: bigint | null;
  readonly concurrentCallsMax: number | null;
  readonly timeZone: string;
  readonly rateDeckId: string | null;
  state: 'active' | 'suspended';
  /** Top-ups acknowledged. */
  topupMicros: bigint;
}

export class SimModel {
  readonly accounts = new Map<string, ModelAccount>();
  readonly customers: string[] = [];
  readonly sessions = new Map<string, ModelSession>();
  /** Session ids in the order they were created. */
  readonly sessionOrder: string[] = [];
  /** Sessions the current step touched: checked in full after it. */
  readonly touched = new Set<string>();
  readonly live = new Set<string>();
  /** Sessions closed by Tollgate itself (kill, sweep): the switch may still talk to them. */
  readonly closedByServer: string[] = [];
  /** Per customer: what its calls cost, as its answers said. */
  readonly callCostByCustomer = new Map<string, bigint>();
  /** Top-ups acknowledged, with the transfers they posted: their retransmissions replay. */
  readonly topups: Array<{ input: WorldTransferInput; transfers: readonly Transfer[] }> = [];
  topupsChecked = 0;
  /** Accounts whose state may change during the current burst: no prediction on them. */
  readonly unsettled = new Set<string>();

  addSession(session: ModelSession): void {
    this.sessions.set(session.id, session);
    this.sessionOrder.push(session.id);
    this.touched.add(session.id);
  }

  chainOf(accountId: string): string[] {
    const chain: string[] = [];
    for (let id: string | null = accountId; id !== null;) {
      chain.push(id);
      id = this.accounts.get(id)?.parentId ?? null;
    }
    return chain;
  }

  /** True when some account of the chain is suspended and no change of that is in flight. */
  chainSurelySuspended(chain: readonly string[]): boolean {
    return chain.some((id) => this.accounts.get(id)?.state === 'suspended' &&
      !this.unsettled.has(id));
  }

  setState(session: ModelSession, state: ModelSessionState): void {
    session.state = state;
    if (state === 'live') this.live.add(session.id);
    else this.live.delete(session.id);
  }

  setCost(session: ModelSession, costMicros: bigint): void {
    const total = this.callCostByCustomer.get(session.customer) ?? 0n;
    this.callCostByCustomer.set(session.customer, total - session.costMicros + costMicros);
    session.costMicros = costMicros;
  }

  /** The instant after which the sweeper may close a live session. */
  deadlineOf(session: ModelSession, graceMs: number): number {
    return session.hangupAtMs + graceMs;
  }

  /** After this instant the ledger's backstop may expire the session's hold. */
  holdExpiryOf(session: ModelSession, graceMs: number): number {
    return session.hangupAtMs + 11 * graceMs;
  }
}
