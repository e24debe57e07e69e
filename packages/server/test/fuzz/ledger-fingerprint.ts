import Database from 'better-sqlite3';

/**
 * A cheap summary of all the money in a test API's SQLite database, taken between two
 * requests: the last transfer, the sums of every book, every reservation leg, spend window and
 * bundle. A refused request must leave it unchanged. It reads the tables directly (read-only,
 * a second connection) because one query sees every account, including the ones the fuzz
 * itself created; reading each through the API would cost a request per account per case.
 * It is exact between requests because an answer leaves only after its writes have committed
 * (engine README, "the answer of a decision is released only after its batch has committed").
 */
export interface LedgerFingerprint {
  /** Everything that changes when money moves or is held, as one comparable string. */
  readonly text: string;
  /** All money that came in by top-ups, in micros. */
  readonly topupMicros: bigint;
}

const summarySql = `SELECT
  (SELECT coalesce(max(id), 0) FROM transfers) AS last_transfer,
  (SELECT coalesce(sum(amount_micros), 0) FROM transfers WHERE kind = 'topup') AS topups,
  (SELECT count(*) FROM books) AS books,
  (SELECT coalesce(sum(posted_micros), 0) FROM books) AS posted,
  (SELECT coalesce(sum(pending_micros), 0) FROM books) AS pending,
  (SELECT count(*) FROM reservations) AS reservations,
  (SELECT count(*) FROM reservations WHERE state = 'open') AS open_reservations,
  (SELECT coalesce(sum(pending_micros), 0) FROM reservation_legs) AS legs_pending,
  (SELECT coalesce(sum(committed_micros), 0) FROM reservation_legs) AS legs_committed,
  (SELECT coalesce(sum(spent_micros), 0) FROM spend_windows) AS spent,
  (SELECT count(*) FROM bundles) AS bundles,
  (SELECT coalesce(sum(seconds_remaining), 0) FROM bundles) AS bundle_seconds`;

export function openLedgerFingerprint(databasePath: string): {
  read(): LedgerFingerprint;
  close(): void;
} {
  const connection = new Database(databasePath, { readonly: true, fileMustExist: true });
  const summary = connection.prepare(summarySql).safeIntegers(true);
  return {
    read: () => {
      const row = summary.get() as Record<string, bigint>;
      const text = Object.entries(row).map(([name, value]) => `${name}=${value}`).join(' ');
      return { text, topupMicros: row['topups'] ?? 0n };
    },
    close: () => connection.close(),
  };
}
