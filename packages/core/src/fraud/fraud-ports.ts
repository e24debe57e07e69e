import type { Micros } from '../kernel/money.ts';
import type { Account } from '../ledger/account.ts';
import type { Cdr, LiveSessionView } from '../charging/charging-types.ts';
import type { FraudAlert, FraudConfig, FraudMeasure, RiskList } from './fraud-types.ts';

export interface AlertQuery {
  /** Only alerts of this account's subtree (tenant scope). */
  readonly scopeAccountId: string;
  readonly accountId?: string;
  /** Alert ids sort by creation time; a page starts after this id. */
  readonly afterId?: string;
  readonly limit: number;
}

export interface MeasureQuery {
  /** Only measures of this account's subtree; null: every tree (the restart rebuild). */
  readonly scopeAccountId: string | null;
  readonly activeOnly: boolean;
  readonly afterId?: string;
  readonly limit: number;
}

export interface ProfileSnapshot {
  readonly accountId: string;
  readonly profileJson: string;
  readonly savedAtMs: number;
}

/** The fraud module's storage: configs, risk lists, alerts, measures and profile snapshots. */
export interface FraudStore {
  listConfigs(afterAccountId: string, limit: number):
    Promise<Array<{ accountId: string; config: FraudConfig }>>;
  saveConfig(accountId: string, config: FraudConfig, updatedAtMs: number): Promise<void>;
  /** False when the account had no config. */
  deleteConfig(accountId: string): Promise<boolean>;
  listRiskLists(): Promise<RiskList[]>;
  saveRiskList(list: RiskList): Promise<void>;
  deleteRiskList(id: string): Promise<boolean>;
  /** False (and nothing stored) when an alert with the same dedupe key exists. */
  insertAlert(alert: FraudAlert): Promise<boolean>;
  listAlerts(query: AlertQuery): Promise<FraudAlert[]>;
  insertMeasure(measure: FraudMeasure): Promise<void>;
  /** Marks it released; null when there is no such measure or it was released already. */
  releaseMeasure(id: string, releasedAtMs: number, releasedBy: 'cool_down' | 'manual'):
    Promise<FraudMeasure | null>;
  findMeasure(id: string): Promise<FraudMeasure | null>;
  listMeasures(query: MeasureQuery): Promise<FraudMeasure[]>;
  saveProfiles(snapshots: readonly ProfileSnapshot[]): Promise<void>;
  listProfiles(afterAccountId: string, limit: number): Promise<ProfileSnapshot[]>;
}

/** What the fraud module needs of the ledger. */
export interface FraudAccounts {
  /** The account and its ancestors, self first; null when there is no such account. */
  chainOf(accountId: string): Promise<readonly Account[] | null>;
  /** Suspends an active account; true when this call changed its state. */
  suspend(accountId: string): Promise<boolean>;
  /** Activates the account again if it is still suspended. */
  reactivate(accountId: string): Promise<void>;
  /** Credit used by a postpaid account (owed plus held), or null when it has no credit limit. */
  creditUsage(accountId: string): Promise<CreditUsage | null>;
}

export interface CreditUsage {
  readonly usedMicros: Micros;
  readonly creditLimitMicros: Micros;
  /** The billing period the thresholds are counted in ("YYYY-MM", account's zone). */
  readonly periodKey: string;
}

/** Where the state of the last day is rebuilt from on restart. */
export interface FraudHistory {
  /** CDRs of every tree that ended at or after `fromMs`, by end time then id. */
  cdrsEndedSince(fromMs: number, after: { endedAtMs: number; id: string } | null,
    limit: number): Promise<Cdr[]>;
  /** Live sessions of every tree, by session id. */
  liveSessions(afterSessionId: string | null, limit: number): Promise<LiveSessionView[]>;
}

/** Alert delivery (webhooks, NATS): takes the alert and returns; delivery runs on its own. */
export interface AlertSink {
  publish(alert: FraudAlert): void;
}

export interface FraudHooks {
  /** Called after a suspension: the server wires it to end the account's live calls. */
  onAccountSuspended(accountId: string): Promise<void>;
  /** A storage or delivery error the monitor survived (the call went on). */
  onError(error: unknown): void;
}
