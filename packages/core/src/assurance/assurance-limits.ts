/** Named bounds of revenue assurance (conventions, rule 8). */
export const assuranceLimits = {
  /** Accounts of one subtree a reconciliation walks (breadth first, never recursively). */
  subtreeAccountsMax: 100_000,
  /** CDRs one reconciliation compares; past it the run is refused (split the period). */
  cdrsPerRunMax: 2_000_000,
  /** Transfers of one book read per page, and pages per book. */
  pageSizeMax: 1_000,
  pagesPerBookMax: 100_000,
  /** Live sessions compared with their holds in one run. */
  liveSessionsMax: 100_000,
  /** Findings listed in a report; `findingCount` is always exact. */
  findingsListedMax: 1_000,
  /** Transfer ids listed on one finding. */
  transfersPerFindingMax: 50,
  /** The longest period one run may cover (a year and a day). */
  periodMsMax: 366 * 86_400_000,
} as const;
