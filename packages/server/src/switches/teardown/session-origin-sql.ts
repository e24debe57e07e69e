import type { KillAnswer } from '@tollgate/core';
import { decodeLedgerJson, encodeLedgerJson } from '@tollgate/core';
import type { SqlRunner } from '../../storage/shared/sql-runner.ts';
import type { IntegrationName, SessionOrigin, SessionOriginStore } from './session-origins.ts';

/** How a dialect runs a few statements together (one transaction or autocommit). */
export type OriginRunner = <T>(
  work: (runner: SqlRunner) => Promise<T>,
  options?: { readonly readOnly?: boolean },
) => Promise<T>;

type DbNumber = number | bigint;

interface OriginRow {
  session_id: string;
  integration: string;
  call_ref_json: string;
  request_number: DbNumber;
  killed_at_ms: DbNumber | null;
  kill_answer_json: string | null;
  created_at_ms: DbNumber;
}

const sql = {
  insert: `INSERT INTO session_origins (session_id, integration, call_ref_json, request_number,
    created_at_ms, updated_at_ms) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (session_id) DO NOTHING`,
  find: 'SELECT * FROM session_origins WHERE session_id = ?',
  callRef: `UPDATE session_origins SET call_ref_json = ?, updated_at_ms = ?
    WHERE session_id = ?`,
  advance: `UPDATE session_origins SET request_number = ?, updated_at_ms = ?
    WHERE session_id = ? AND request_number < ?`,
  insertKilled: `INSERT INTO session_origins (session_id, integration, call_ref_json,
    request_number, killed_at_ms, kill_answer_json, created_at_ms, updated_at_ms)
    VALUES (?, 'http', '{}', ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET
    killed_at_ms = excluded.killed_at_ms, kill_answer_json = excluded.kill_answer_json,
    updated_at_ms = excluded.updated_at_ms`,
  oldest: `SELECT session_id FROM session_origins WHERE created_at_ms < ?
    ORDER BY created_at_ms LIMIT ?`,
  remove: 'DELETE FROM session_origins WHERE session_id = ?',
  ended: `UPDATE session_origins SET ended_at_ms = ?, updated_at_ms = ?
    WHERE session_id = ? AND ended_at_ms IS NULL`,
  unended: `SELECT * FROM session_origins WHERE integration = ? AND ended_at_ms IS NULL
    AND killed_at_ms IS NULL AND created_at_ms >= ? AND session_id > ?
    ORDER BY session_id LIMIT ?`,
} as const;

function fromDbOrigin(row: OriginRow): SessionOrigin {
  return {
    sessionId: row.session_id,
    integration: row.integration as IntegrationName,
    callRef: JSON.parse(row.call_ref_json) as Record<string, string | number>,
    requestNumber: Number(row.request_number),
    killedAtMs: row.killed_at_ms === null ? null : Number(row.killed_at_ms),
    killAnswer: row.kill_answer_json === null ? null
      : decodeLedgerJson(row.kill_answer_json) as KillAnswer,
    createdAtMs: Number(row.created_at_ms),
  };
}

/** The session-origin adapter, written once: the SQL is the same in both dialects. */
export function sessionOriginStoreOver(withRunner: OriginRunner): SessionOriginStore {
  return {
    record: ({ sessionId, integration, callRef, nowMs }) => withRunner((runner) =>
      runner.run(sql.insert, [sessionId, integration, JSON.stringify(callRef), nowMs, nowMs])),
    find: (sessionId) => withRunner(async (runner) => {
      const [row] = await runner.all<OriginRow>(sql.find, [sessionId]);
      return row === undefined ? null : fromDbOrigin(row);
    }, { readOnly: true }),
    updateCallRef: (sessionId, callRef, nowMs) => withRunner((runner) =>
      runner.run(sql.callRef, [JSON.stringify(callRef), nowMs, sessionId])),
    advanceRequestNumber: (sessionId, requestNumber, nowMs) => withRunner((runner) =>
      runner.run(sql.advance, [requestNumber, nowMs, sessionId, requestNumber])),
    recordKill: (sessionId, answer, nowMs) => withRunner((runner) =>
      runner.run(sql.insertKilled, [sessionId, answer.requestNumber, nowMs,
        encodeLedgerJson(answer), nowMs, nowMs])),
    markEnded: (sessionId, nowMs) => withRunner((runner) =>
      runner.run(sql.ended, [nowMs, nowMs, sessionId])),
    listUnended: ({ integration, sinceMs, afterSessionId, limit }) => withRunner(async (runner) =>
      (await runner.all<OriginRow>(sql.unended, [integration, sinceMs, afterSessionId, limit]))
        .map(fromDbOrigin), { readOnly: true }),
    forgetBefore: (beforeMs, limit) => withRunner(async (runner) => {
      const rows = await runner.all<{ session_id: string }>(sql.oldest, [beforeMs, limit]);
      for (const row of rows) await runner.run(sql.remove, [row.session_id]);
      return rows.length;
    }),
  };
}
