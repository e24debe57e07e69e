/** Bounds of the DID domain (conventions, rule 8). */
export const didLimits = {
  /** Rows of one CSV import. */
  importRowsMax: 10_000,
  /** Holdings one fee run visits per page, and pages per run. */
  feePageMax: 500,
  feePagesMax: 1_000,
  /** Holds one fee run charges at the same time. */
  feeHoldsConcurrentMax: 16,
  /** Periods one holding catches up in one run (about eight years of months). */
  catchUpPeriodsMax: 100,
  destinationCharsMax: 256,
  /** Digits of an E.164 number (country code included). */
  numberDigitsMin: 6,
  numberDigitsMax: 15,
} as const;
