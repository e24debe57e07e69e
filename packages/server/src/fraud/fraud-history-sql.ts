import type { FraudHistory } from '@tollgate/core';
import {
  fromDbCdr,
  fromDbLiveSession,
  type CdrRow,
  type SessionRow,
} from '../storage/shared/charging-mapping.ts';
import type { WithRunner } from './fraud-store-sql.ts';

const sql = {
  // Keyset by (ended_at_ms, id) over the fraud_cdrs_by_end index of migration 5.
  cdrsSince: `SELECT * FROM cdrs WHERE ended_at_ms >= ? AND (ended_at_ms > ? OR
    (ended_at_ms = ? AND id > ?)) ORDER BY ended_at_ms, id LIMIT ?`,
  live: `SELECT * FROM sessions WHERE state = 'live' AND session_id > ?
    ORDER BY session_id LIMIT ?`,
} as const;

const readOnly = { readOnly: true } as const;

/** The restart's view of charging's tables: the last day of CDRs and the live sessions. */
export function fraudHistoryOver(withRunner: WithRunner): FraudHistory {
  return {
    cdrsEndedSince: (fromMs, after, limit) => withRunner(async (runner) => {
      const endedAtMs = after?.endedAtMs ?? -1;
      const rows = await runner.all<CdrRow>(sql.cdrsSince, [fromMs, endedAtMs, endedAtMs,
        after?.id ?? '', limit]);
      return rows.map(fromDbCdr);
    }, readOnly),
    liveSessions: (afterSessionId, limit) => withRunner(async (runner) =>
      (await runner.all<SessionRow>(sql.live, [afterSessionId ?? '', limit]))
        .map(fromDbLiveSession), readOnly),
  };
}
