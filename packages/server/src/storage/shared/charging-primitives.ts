import type { BundleRecord, Cdr, CdrQuery, LiveSessionQuery, SessionRecord } from '@tollgate/core';
import {
  bundleColumns,
  cdrColumns,
  cdrLevelAccountIds,
  fromDbBundle,
  fromDbCdr,
  fromDbLiveSession,
  fromDbSession,
  sessionColumns,
  toDbBundle,
  toDbCdr,
  toDbSession,
  type BundleRow,
  type CdrRow,
  type DbNumber,
  type SessionRow,
} from './charging-mapping.ts';
import type { SqlRunner } from './sql-runner.ts';

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

const sql = {
  findSession: 'SELECT * FROM sessions WHERE session_id = ?',
  insertSession: `INSERT INTO sessions (${sessionColumns.join(', ')})
    VALUES (${placeholders(sessionColumns.length)})`,
  insertSessionLevel: 'INSERT INTO session_levels (account_id, session_id) VALUES (?, ?)',
  updateSession: `UPDATE sessions SET ${sessionColumns.slice(1).map((c) => `${c} = ?`)
    .join(', ')} WHERE session_id = ?`,
  deleteSessionLevels: 'DELETE FROM session_levels WHERE session_id = ?',
  countLive: 'SELECT COUNT(*) AS live FROM session_levels WHERE account_id = ?',
  countLiveCarrier: `SELECT COUNT(*) AS live FROM sessions
    WHERE carrier_id = ? AND state = 'live'`,
  listStale: `SELECT * FROM sessions WHERE state = 'live' AND deadline_ms <= ?
    ORDER BY deadline_ms, session_id LIMIT ?`,
  listLive: `SELECT s.* FROM session_levels l JOIN sessions s ON s.session_id = l.session_id
    WHERE l.account_id = ? AND l.session_id > ? ORDER BY l.session_id LIMIT ?`,
  insertCdr: `INSERT INTO cdrs (${cdrColumns.join(', ')})
    VALUES (${placeholders(cdrColumns.length)})`,
  insertCdrLevel: 'INSERT INTO cdr_levels (account_id, cdr_id) VALUES (?, ?)',
  listCdrs: `SELECT c.* FROM cdr_levels l JOIN cdrs c ON c.id = l.cdr_id
    WHERE l.account_id = ? AND (CAST(? AS TEXT) IS NULL OR c.account_id = ?)
    AND c.ended_at_ms >= ? AND c.ended_at_ms < ? AND l.cdr_id > ?
    ORDER BY l.cdr_id LIMIT ?`,
  findBundles: 'SELECT * FROM bundles WHERE account_id = ? ORDER BY id',
  insertBundle: `INSERT INTO bundles (${bundleColumns.join(', ')})
    VALUES (${placeholders(bundleColumns.length)})`,
  addBundleSeconds: 'UPDATE bundles SET seconds_remaining = seconds_remaining + ? WHERE id = ?',
} as const;

/** The statements of the charging tables, for writers that prepare their own (the engine). */
export const chargingSql = sql;

/** Far past any instant a CDR can carry: the open end of a time filter. */
const instantMsMax = 8_640_000_000_000_000;

/**
 * The charging primitives of ChargingTransaction over one connection inside a transaction,
 * for both dialects. They join the ledger's primitives in the same transaction object.
 */
export function chargingPrimitives(db: SqlRunner) {
  /** One count per id, with a statement that takes the id and answers `live`. */
  const countEach = async (statement: string, ids: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const id of ids) {
      const [row] = await db.all<{ live: DbNumber }>(statement, [id]);
      counts.set(id, Number(row?.live ?? 0));
    }
    return counts;
  };
  return {
    async findSession(sessionId: string): Promise<SessionRecord | null> {
      const [row] = await db.all<SessionRow>(sql.findSession, [sessionId]);
      return row === undefined ? null : fromDbSession(row);
    },
    async insertSession(session: SessionRecord): Promise<void> {
      await db.run(sql.insertSession, toDbSession(session));
      if (session.state !== 'live') return;
      for (const level of session.levels) {
        await db.run(sql.insertSessionLevel, [level.accountId, session.sessionId]);
      }
    },
    async updateSession(session: SessionRecord): Promise<void> {
      const [id, ...rest] = toDbSession(session);
      await db.run(sql.updateSession, [...rest, id]);
      if (session.state !== 'live') await db.run(sql.deleteSessionLevels, [session.sessionId]);
    },
    countLiveSessions: (accountIds: readonly string[]) => countEach(sql.countLive, accountIds),
    countLiveCarrierSessions: (carrierIds: readonly string[]) =>
      countEach(sql.countLiveCarrier, carrierIds),
    async listStaleSessions(nowMs: number, limit: number): Promise<SessionRecord[]> {
      return (await db.all<SessionRow>(sql.listStale, [nowMs, limit])).map(fromDbSession);
    },
    async listLiveSessions(query: LiveSessionQuery) {
      const rows = await db.all<SessionRow>(sql.listLive,
        [query.scopeAccountId, query.afterSessionId ?? '', query.limit]);
      return rows.map(fromDbLiveSession);
    },
    async insertCdr(cdr: Cdr): Promise<void> {
      await db.run(sql.insertCdr, toDbCdr(cdr));
      for (const accountId of cdrLevelAccountIds(cdr)) {
        await db.run(sql.insertCdrLevel, [accountId, cdr.id]);
      }
    },
    async listCdrs(query: CdrQuery): Promise<Cdr[]> {
      const accountId = query.accountId ?? null;
      const rows = await db.all<CdrRow>(sql.listCdrs, [query.scopeAccountId, accountId,
        accountId, query.fromMs ?? 0, query.toMs ?? instantMsMax, query.afterId ?? '',
        query.limit]);
      return rows.map(fromDbCdr);
    },
    async findBundles(accountId: string): Promise<BundleRecord[]> {
      return (await db.all<BundleRow>(sql.findBundles, [accountId])).map(fromDbBundle);
    },
    async insertBundle(bundle: BundleRecord): Promise<void> {
      await db.run(sql.insertBundle, toDbBundle(bundle));
    },
    async addBundleSeconds(bundleId: string, deltaSeconds: number): Promise<void> {
      await db.run(sql.addBundleSeconds, [deltaSeconds, bundleId]);
    },
  };
}
