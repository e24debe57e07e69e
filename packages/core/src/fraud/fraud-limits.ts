/**
 * Every bound of the fraud module by name (conventions, rule 8). The monitor keeps per-account
 * state in memory; these caps keep a flood of accounts, sessions or destinations from growing
 * it without end. Exceeding one with input is a typed problem; internally it is an eviction.
 */
export const fraudLimits = {
  /** Accounts with in-memory activity; the least recently active is dropped past this. */
  accountsTrackedMax: 200_000,
  /** Live calls tracked per account (the concurrency rule sees at most this many). */
  liveCallsPerAccountMax: 20_000,
  /** Live calls tracked in all. */
  liveCallsMax: 1_000_000,
  /** Destinations remembered per account for the anomaly rule (oldest dropped). */
  destinationsPerAccountMax: 2_000,
  /** Rule configurations held in memory. */
  configsMax: 100_000,
  /** Risk lists and the prefixes of one list. */
  riskListsMax: 1_000,
  riskPrefixesPerListMax: 10_000,
  /** Active blocks and suspensions in all. */
  measuresActiveMax: 100_000,
  /** Digits of the longest prefix looked up (E.164 numbers have at most 15). */
  prefixDigitsMax: 15,
  /** Fraud refusals remembered by session id, so a retransmitted authorize gets the same. */
  refusalsRememberedMax: 50_000,
  /** Cached chains (account -> ancestors) for config inheritance and time zones. */
  chainsCachedMax: 200_000,
  /**
   * A cached chain older than this is refreshed in the background while the cached one serves
   * the call (a moved account is seen from its next call on); past `chainStaleMsMax` it is read
   * again before use. So an account pays a blocking ledger read at most once a day, not on every
   * call after a quiet minute. Moves are rare operator actions; one call under the old parent's
   * rules is the price.
   */
  chainRefreshAfterMs: 60_000,
  chainStaleMsMax: 86_400_000,
  /** Per tick: credit checks, expired measures, snapshots written. */
  creditChecksPerTickMax: 500,
  expiriesPerTickMax: 500,
  snapshotsPerTickMax: 2_000,
  /** Restart: CDRs replayed (the last day) and live sessions read, per page and in all. */
  rebuildPageSize: 1_000,
  rebuildCdrsMax: 2_000_000,
  rebuildLiveSessionsMax: 1_000_000,
  /** Credit thresholds per config and anomaly history. */
  creditThresholdsMax: 10,
  historyDaysMax: 365,
  /** A cool-down can be at most this long (30 days); 0 means manual release only. */
  coolDownMsMax: 30 * 86_400_000,
  /** Alerts per page of the API. */
  alertsPageMax: 1_000,
} as const;
